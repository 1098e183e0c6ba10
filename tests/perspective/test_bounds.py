"""Issue 14, "one boundary, one rule", at the Perspective doors: a body nested
too deep or holding an integer Python cannot read is a 400 on both
``comments:analyze`` doors (the web process and the realtime scorer's own
ASGI app) and at Coral's moderation endpoint, not a RecursionError 500."""
import json

import pytest

from comments.models import Comment
from perspective.api_app import ANALYZE, PerspectiveApp
from perspective.batcher import Batcher
from tests.perspective.test_batcher import Recorder, run
from tests.perspective.test_coral_moderation import SECRET, coral_site, post as coral_post, sign  # noqa: F401

DEEP = b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "context": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
BIG_INT = b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": ' + b"9" * 4301 + b"}}}"
BAD_BODIES = {"50000 deep": (DEEP, "nested deeper than 64 levels"), "4301 digits": (BIG_INT, "scoreThreshold")}


def asgi_post(app, path: str, query: bytes, body: bytes) -> tuple[int, dict]:
    """One request through the ASGI app, as uvicorn would deliver it."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "query_string": query, "headers": []}
    run(app(scope, receive, send))
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_the_web_door_refuses_bodies_too_deep_or_with_integers_too_long(client, api_key, case):
    body, message = BAD_BODIES[case]
    response = client.post(f"/v1alpha1/comments:analyze?key={api_key[1]}", data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and message in error["message"]
    assert not Comment.objects.exists()


@pytest.mark.django_db(transaction=True)  # the app checks the key in a database thread of its own
@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_the_realtime_scorers_own_door_refuses_them_too(api_key, case):
    body, message = BAD_BODIES[case]
    recorder = Recorder()
    app = PerspectiveApp(batcher=Batcher(recorder, max_batch=8), timeout=5, cache_seconds=0, description=lambda: "r")
    status, answer = asgi_post(app, ANALYZE, f"key={api_key[1]}".encode(), body)
    assert status == 400, answer
    assert answer["error"]["status"] == "INVALID_ARGUMENT" and message in answer["error"]["message"]
    assert recorder.batches == [] and not Comment.objects.exists()


@pytest.mark.django_db
def test_the_suggestscore_door_refuses_a_body_too_deep(client, api_key):
    response = client.post(f"/v1alpha1/comments:suggestscore?key={api_key[1]}", data=DEEP,
                           content_type="application/json")
    assert response.status_code == 400 and "nested deeper" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_coral_moderation_refuses_a_body_too_deep(client, coral_site):  # noqa: F811
    body = b'{"action": "NEW", "comment": {"body": "hi", "parentID": null}, "story": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = coral_post(client, coral_site, body, sign(body, SECRET))
    assert response.status_code == 400 and "nested deeper" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["²", "1_0", "٣"])
def test_a_content_length_that_is_not_plain_digits_is_refused_not_a_500(client, api_key, length):
    response = client.post(f"/v1alpha1/comments:analyze?key={api_key[1]}", data=b"{}", content_type="application/json",
                           CONTENT_LENGTH=length)
    assert response.status_code == 400 and "Content-Length" in response.json()["error"]["message"]
