"""POST /v1alpha1/comments:analyze, in Perspective's documented request and response shape."""
import json

import pytest

from comments.models import Article, Comment
from moderation import loaded_scorers
from moderation.models import CommentScoring
from tests.perspective.conftest import toxicity_of

pytestmark = pytest.mark.django_db
URL = "/v1alpha1/comments:analyze"


def analyze(client, key: str | None, body, **extra):
    url = URL if key is None else f"{URL}?key={key}"
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


def test_documented_example_gets_the_models_toxicity(client, api_key, realtime_scorer):
    # The request of Perspective's "Sample request" in its API methods docs.
    text = "What kind of idiot name is foo?"
    response = analyze(client, api_key[1], {
        "comment": {"text": text}, "languages": ["en"], "requestedAttributes": {"TOXICITY": {}}, "doNotStore": True,
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"attributeScores", "languages"}
    assert body["languages"] == ["en"]
    summary = body["attributeScores"]["TOXICITY"]["summaryScore"]
    assert summary["type"] == "PROBABILITY"
    assert summary["value"] == pytest.approx(toxicity_of(text)["toxicity"], abs=1e-6)
    assert "spanScores" not in body["attributeScores"]["TOXICITY"]
    assert response["X-Scored-By"].startswith("detoxify-local ")


def test_every_attribute_maps_to_its_label(client, api_key, realtime_scorer, settings, tiny_detoxify):
    text = "You people are disgusting and I will find you."
    response = analyze(client, api_key[1], {"comment": {"text": text}, "doNotStore": True, "requestedAttributes": {
        "TOXICITY": {}, "SEVERE_TOXICITY": {}, "IDENTITY_ATTACK": {}, "INSULT": {}, "PROFANITY": {}, "THREAT": {},
        "CONSPIRACY_FRAMING": {},
    }})
    assert response.status_code == 200, response.content
    scores = {name: entry["summaryScore"]["value"] for name, entry in response.json()["attributeScores"].items()}
    labels = toxicity_of(text)
    for name, label in (("TOXICITY", "toxicity"), ("SEVERE_TOXICITY", "severe_toxicity"),
                        ("IDENTITY_ATTACK", "identity_attack"), ("INSULT", "insult"), ("PROFANITY", "obscene"),
                        ("THREAT", "threat")):
        assert scores[name] == pytest.approx(labels[label], abs=1e-6), name
    framing = loaded_scorers.framing_scorer().score([text])[0].labels["conspiracy_framing"]
    assert scores["CONSPIRACY_FRAMING"] == pytest.approx(framing)


def test_span_annotations_score_each_sentence(client, api_key, realtime_scorer):
    text = "The bridge reopened today. Whoever planned it is a moron!"
    response = analyze(client, api_key[1], {
        "comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}, "CONSPIRACY_FRAMING": {}},
        "spanAnnotations": True, "doNotStore": True,
    })
    assert response.status_code == 200, response.content
    spans = response.json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in spans] == [(0, 26), (27, len(text))]
    for span in spans:
        assert span["score"]["type"] == "PROBABILITY"
        assert span["score"]["value"] == pytest.approx(toxicity_of(text[span["begin"]:span["end"]])["toxicity"], abs=1e-6)
    framing_spans = response.json()["attributeScores"]["CONSPIRACY_FRAMING"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in framing_spans] == [(0, 26), (27, len(text))]


def test_score_threshold_leaves_out_lower_scores_and_client_token_comes_back(client, api_key, realtime_scorer):
    response = analyze(client, api_key[1], {
        "comment": {"text": "Nice work on the article."}, "doNotStore": True, "clientToken": "req-42",
        "requestedAttributes": {"TOXICITY": {"scoreThreshold": 1.0}, "INSULT": {"scoreThreshold": 0}},
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["attributeScores"]) == {"INSULT"}
    assert body["clientToken"] == "req-42"


@pytest.mark.parametrize("body, message", [
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}, "FLIRTATION": {}}}, "Unknown attribute"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {}}, "requestedAttributes"),
    ({"requestedAttributes": {"TOXICITY": {}}}, "comment is required"),
    ({"comment": {}, "requestedAttributes": {"TOXICITY": {}}}, "comment.text is required"),
    ({"comment": {"text": "   "}, "requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty."),
    ({"comment": {"text": "é" * 10241}, "requestedAttributes": {"TOXICITY": {}}}, "too many bytes"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}}, "between 0 and 1"),
    ({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}}, "PROBABILITY"),
    ({"comment": {"text": "hi"}, "languages": ["de"], "requestedAttributes": {"TOXICITY": {}}},
     "Attribute TOXICITY does not support request languages: de"),
    ({"comment": {"text": "hi"}, "doNotStore": "yes", "requestedAttributes": {"TOXICITY": {}}}, "doNotStore"),
    ('{"comment": {"text": "\\ud800 broken"}, "requestedAttributes": {"TOXICITY": {}}}', "invalid unicode"),
    ("{not json", "Invalid JSON payload"),
    ("[]", "Invalid JSON payload"),
])
def test_bad_requests_get_perspective_shaped_400s_and_store_nothing(client, api_key, body, message):
    response = analyze(client, api_key[1], body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert message in error["message"]
    assert not Comment.objects.exists()


def test_text_at_the_byte_limit_is_accepted(client, api_key, realtime_scorer):
    response = analyze(client, api_key[1], {"comment": {"text": "é" * 10240}, "doNotStore": True,
                                            "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == 200, response.content


def test_attribute_the_model_does_not_have_is_a_400(client, api_key, realtime_scorer):
    # The tiny checkpoint has the 'original' labels: no sexual_explicit.
    response = analyze(client, api_key[1], {"comment": {"text": "hello"}, "doNotStore": True,
                                            "requestedAttributes": {"SEXUALLY_EXPLICIT": {}}})
    assert response.status_code == 400
    assert "SEXUALLY_EXPLICIT is not available" in response.json()["error"]["message"]


def test_missing_key_is_403_and_a_wrong_or_revoked_key_400(client, api_key, owner, site):
    from perspective.services.keys import api_key_revoke

    body = {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}
    missing = analyze(client, None, body)
    assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
    wrong = analyze(client, api_key[1] + "x", body)
    assert wrong.status_code == 400 and wrong.json()["error"]["message"] == "API key not valid. Please pass a valid API key."
    api_key_revoke(user=owner, site=site, key_id=api_key[0].pk)
    revoked = analyze(client, api_key[1], body)
    assert revoked.status_code == 400 and "API key not valid" in revoked.json()["error"]["message"]


def test_get_is_refused(client, api_key):
    response = client.get(f"{URL}?key={api_key[1]}")
    assert response.status_code == 405 and response.json()["error"]["code"] == 405


def test_do_not_store_true_writes_no_comment(client, api_key, realtime_scorer):
    response = analyze(client, api_key[1], {"comment": {"text": "Keep this private."}, "doNotStore": True,
                                            "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == 200
    assert not Comment.objects.exists() and not Article.objects.exists()


def test_do_not_store_false_ingests_the_text_for_the_keys_site_once(client, api_key, site, realtime_scorer):
    body = {"comment": {"text": "Store this one."}, "doNotStore": False, "requestedAttributes": {"TOXICITY": {}}}
    assert analyze(client, api_key[1], body).status_code == 200
    assert analyze(client, api_key[1], body).status_code == 200
    stored = Comment.objects.get()
    assert stored.site == site and stored.body == "Store this one."
    assert stored.article.external_id == "perspective-api"
    assert CommentScoring.objects.get(pk=stored.pk).state == CommentScoring.State.PENDING  # the workers score it


def test_no_running_scorer_is_a_quick_503_not_a_hang(client, api_key, tiny_models):
    response = analyze(client, api_key[1], {"comment": {"text": "anyone there?"}, "doNotStore": True,
                                            "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["status"] == "UNAVAILABLE" and "no realtime scorer is running" in error["message"]


def test_a_scorer_that_does_not_answer_in_time_is_a_503(client, api_key, tiny_models):
    from perspective import realtime

    tiny_models.PERSPECTIVE_TIMEOUT_SECONDS = 0.5
    realtime.connection().set(realtime.ALIVE, "stalled", ex=30)  # claims to be alive, never pops
    response = analyze(client, api_key[1], {"comment": {"text": "hello?"}, "doNotStore": True,
                                            "requestedAttributes": {"TOXICITY": {}}})
    assert response.status_code == 503
    assert "did not answer within 0.5 s" in response.json()["error"]["message"]
