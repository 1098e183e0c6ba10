"""Issue 17: one front door for the Perspective-compatible API (perspective/door.py).

The web process's views and the realtime scorer's ASGI app take the key, cap
the body and parse it the same way, because both are adapters over the door:
one key parser, one Content-Length rule, one setting for the body cap of the
whole perspective/ surface (PERSPECTIVE_MAX_BODY_BYTES, Coral's moderation
phase included), and not Django's form cap."""
import json

import pytest

from comments.models import Comment
from perspective.api_app import ANALYZE, PerspectiveApp
from perspective.batcher import Batcher
from tests.perspective.test_batcher import Recorder, run
from tests.perspective.test_coral_moderation import SECRET, coral_request, coral_site, post as coral_post, sign  # noqa: F401

# A valid body that the door refuses after parsing it (so no scorer is needed): the answer proves it was read.
UNKNOWN_ATTRIBUTE = {"comment": {"text": "hi"}, "requestedAttributes": {"NOT_AN_ATTRIBUTE": {}}}


def padded(body: dict, size: int) -> bytes:
    """``body`` as JSON of exactly ``size`` bytes (an ignored field takes the rest)."""
    raw = json.dumps({**body, "context": {"entries": [{"text": ""}]}}).encode()
    return raw.replace(b'"text": ""}]', b'"text": "' + b"x" * (size - len(raw)) + b'"}]', 1)


def asgi_post(app, query: bytes, body: bytes, headers: list[tuple[bytes, bytes]] = ()) -> tuple[int, dict]:
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": ANALYZE, "query_string": query, "headers": list(headers)}
    run(app(scope, receive, send))
    return sent[0]["status"], json.loads(sent[1]["body"])


def own_port() -> PerspectiveApp:
    return PerspectiveApp(batcher=Batcher(Recorder(), max_batch=8), timeout=5, cache_seconds=0, description=lambda: "r")


def web_post(client, query: str, body: bytes, **extra):
    return client.post(f"/v1alpha1/comments:analyze?{query}", data=body, content_type="application/json", **extra)


@pytest.mark.django_db(transaction=True)  # the ASGI app checks the key in a database thread of its own
def test_one_setting_caps_both_ports_and_corals_moderation_phase(settings, client, api_key, coral_site):  # noqa: F811
    settings.PERSPECTIVE_MAX_BODY_BYTES = 2000
    small, large = padded(UNKNOWN_ATTRIBUTE, 1999), padded(UNKNOWN_ATTRIBUTE, 2001)
    assert (len(small), len(large)) == (1999, 2001)
    query = f"key={api_key[1]}"

    web = web_post(client, query, large)
    assert web.status_code == 413 and web.json()["error"]["message"] == "Request body is larger than 2000 bytes."
    assert web_post(client, query, small).status_code == 400  # read and parsed: the attribute is refused

    status, answer = asgi_post(own_port(), query.encode(), large)
    assert (status, answer) == (413, web.json())
    status, answer = asgi_post(own_port(), query.encode(), small)
    assert status == 400 and "Unknown attribute" in answer["error"]["message"]

    coral = coral_request("x" * 2000)
    assert coral_post(client, coral_site, coral, sign(coral, SECRET)).status_code == 413
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_the_web_door_is_not_capped_by_the_form_limit(settings, client, api_key):
    # DATA_UPLOAD_MAX_MEMORY_SIZE is the forms' cap; the API's is PERSPECTIVE_MAX_BODY_BYTES alone.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = web_post(client, f"key={api_key[1]}", padded(UNKNOWN_ATTRIBUTE, 5000))
    assert response.status_code == 400 and "Unknown attribute" in response.json()["error"]["message"]


@pytest.mark.django_db(transaction=True)
def test_both_ports_take_the_same_key_from_a_query_string_naming_two(client, api_key):
    # One parser: the first key= counts, on both ports (the web door used to take the last one).
    query = f"other=1&key={api_key[1]}&key=tw_not-a-key"
    web = web_post(client, query, json.dumps(UNKNOWN_ATTRIBUTE).encode())
    status, answer = asgi_post(own_port(), query.encode(), json.dumps(UNKNOWN_ATTRIBUTE).encode())
    assert web.status_code == status == 400
    assert "Unknown attribute" in web.json()["error"]["message"] and answer == web.json()


@pytest.mark.django_db(transaction=True)
def test_both_ports_refuse_a_content_length_that_is_not_plain_digits(client, api_key):
    web = web_post(client, f"key={api_key[1]}", b"{}", CONTENT_LENGTH="²")
    status, answer = asgi_post(own_port(), f"key={api_key[1]}".encode(), b"{}", [(b"content-length", "²".encode())])
    assert web.status_code == status == 400
    assert answer == web.json() and "Content-Length" in answer["error"]["message"]


@pytest.mark.django_db(transaction=True)
def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(settings, api_key):
    settings.PERSPECTIVE_MAX_BODY_BYTES = 2000
    read = []

    async def receive():
        read.append(True)
        return {"type": "http.request", "body": b"{}", "more_body": False}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": ANALYZE, "query_string": f"key={api_key[1]}".encode(),
             "headers": [(b"content-length", b"2001")]}
    run(own_port()(scope, receive, send))
    assert sent[0]["status"] == 413 and read == []
