"""The Perspective-compatible API on the realtime scorer's own port: the same
API as the web process's, answered from the process that holds the models."""
import json
import threading

import pytest
import requests

from comments.models import Article, Comment
from moderation.models import ScoreFeedback
from perspective.services.keys import api_key_revoke
from tests.perspective.conftest import toxicity_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ANALYZE = "/v1alpha1/comments:analyze"


def post(base: str, path: str, key: str | None, body, **kwargs) -> requests.Response:
    url = f"{base}{path}" + (f"?key={key}" if key is not None else "")
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return requests.post(url, data=data, headers={"Content-Type": "application/json"}, timeout=20, **kwargs)


SAME_ANSWERS = [
    {"comment": {"text": "What kind of idiot name is foo?"}, "languages": ["en"], "doNotStore": True,
     "requestedAttributes": {"TOXICITY": {}}},
    {"comment": {"text": "You people are idiots. The elites planned it all in secret. Nice weather though."},
     "doNotStore": True, "spanAnnotations": True, "clientToken": "tok-9",
     "requestedAttributes": {"TOXICITY": {}, "INSULT": {"scoreThreshold": 0.0}, "THREAT": {"scoreThreshold": 1.0},
                             "CONSPIRACY_FRAMING": {}}},
    {"comment": {"text": "hi"}, "requestedAttributes": {"NOT_AN_ATTRIBUTE": {}}},
    {"comment": {"text": "hi"}, "requestedAttributes": {"SEXUALLY_EXPLICIT": {}}, "doNotStore": True},
    {"comment": {"text": "hi"}, "languages": ["de"], "requestedAttributes": {"TOXICITY": {}}},
    {"comment": {"text": "x" * 20_481}, "requestedAttributes": {"TOXICITY": {}}},
    {"comment": {}, "requestedAttributes": {"TOXICITY": {}}},
    '{"comment": {"text": "\\ud800 broken"}, "requestedAttributes": {"TOXICITY": {}}}',
    "{not json",
]


@pytest.mark.parametrize("body", SAME_ANSWERS, ids=range(len(SAME_ANSWERS)))
def test_both_doors_give_the_same_answer(live_server, api_key, scorer_process, body):
    web, own = post(live_server.url, ANALYZE, api_key[1], body), post(scorer_process.url, ANALYZE, api_key[1], body)
    assert (own.status_code, own.json()) == (web.status_code, web.json())
    if own.status_code == 200:
        assert own.headers["X-Scored-By"] == web.headers["X-Scored-By"]
    assert not Comment.objects.exists()


def test_coral_request_is_scored_by_the_loaded_model(api_key, scorer_process):
    text = "You are a complete idiot."
    response = post(scorer_process.url, ANALYZE, api_key[1], {
        "comment": {"text": text}, "languages": ["en"], "doNotStore": True, "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == 200, response.text
    assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
        toxicity_of(text)["toxicity"], abs=1e-6)
    assert response.headers["X-Scored-By"].startswith("detoxify-local ")


def test_keys_missing_wrong_revoked_and_in_the_header(api_key, scorer_process, owner, site):
    body = {"comment": {"text": "hi"}, "doNotStore": True, "requestedAttributes": {"TOXICITY": {}}}
    missing = post(scorer_process.url, ANALYZE, None, body)
    assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
    wrong = post(scorer_process.url, ANALYZE, api_key[1] + "x", body)
    assert wrong.status_code == 400 and wrong.json()["error"]["message"] == "API key not valid. Please pass a valid API key."
    in_header = requests.post(f"{scorer_process.url}{ANALYZE}", json=body, headers={"X-Goog-Api-Key": api_key[1]},
                              timeout=20)
    assert in_header.status_code == 200, in_header.text
    api_key_revoke(user=owner, site=site, key_id=api_key[0].pk)
    revoked = post(scorer_process.url, ANALYZE, api_key[1], body)
    assert revoked.status_code == 400 and "API key not valid" in revoked.json()["error"]["message"]


def test_oversized_body_wrong_method_and_unknown_path(api_key, scorer_process):
    big = post(scorer_process.url, ANALYZE, api_key[1], b'{"comment": {"text": "' + b"a" * 300_000 + b'"}}')
    assert big.status_code == 413 and big.json()["error"]["code"] == 413
    get = requests.get(f"{scorer_process.url}{ANALYZE}?key={api_key[1]}", timeout=10)
    assert get.status_code == 405 and get.json()["error"]["code"] == 405
    unknown = post(scorer_process.url, "/v1alpha1/comments:guess", api_key[1], {})
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"
    assert scorer_process.health()["status"] == "ok"  # still serving


def test_do_not_store_false_stores_the_text_once_for_the_keys_site(api_key, scorer_process, site):
    body = {"comment": {"text": "Store this one, please."}, "doNotStore": False, "requestedAttributes": {"TOXICITY": {}}}
    assert post(scorer_process.url, ANALYZE, api_key[1], body).status_code == 200
    assert post(scorer_process.url, ANALYZE, api_key[1], body).status_code == 200
    stored = Comment.objects.get()
    assert (stored.site, stored.body, stored.article.external_id) == (site, "Store this one, please.", "perspective-api")


def test_do_not_store_true_writes_nothing(api_key, scorer_process):
    body = {"comment": {"text": "Private."}, "doNotStore": True, "requestedAttributes": {"TOXICITY": {}}}
    assert post(scorer_process.url, ANALYZE, api_key[1], body).status_code == 200
    assert not Comment.objects.exists() and not Article.objects.exists()


def test_suggestscore_stores_the_labels(api_key, scorer_process, site):
    response = post(scorer_process.url, "/v1alpha1/comments:suggestscore", api_key[1], {
        "comment": {"text": "Wake up, sheep."}, "clientToken": "t-2",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.8}}}})
    assert response.status_code == 200, response.text
    assert response.json() == {"requestedLanguages": ["en"], "clientToken": "t-2"}
    feedback = ScoreFeedback.objects.get()
    assert (feedback.label, feedback.expected, feedback.moderator) == ("toxicity", 0.8, api_key[0].account)
    assert feedback.comment.body == "Wake up, sheep." and feedback.site == site


def test_concurrent_calls_share_batches_and_health_counts_them(api_key, scorer_process):
    before = scorer_process.health()
    assert before["models"].startswith("detoxify-local ")
    body = {"comment": {"text": "Batch me with the others."}, "doNotStore": True,
            "requestedAttributes": {"TOXICITY": {}}}
    start, answers = threading.Barrier(12), []

    def client():
        start.wait()
        for _ in range(5):
            answers.append(post(scorer_process.url, ANALYZE, api_key[1], body).status_code)

    threads = [threading.Thread(target=client) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = scorer_process.health()
    assert answers == [200] * 60
    assert after["requests"] - before["requests"] == 60
    assert after["batches"] - before["batches"] < 60  # some calls rode together
