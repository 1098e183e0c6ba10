"""Offline, with no Detoxify weights: the learned heads answer every attribute they serve, the rest a 400 that says why."""
import json

import pytest

from judgement.heads import load_heads
from moderation import loaded_scorers
from moderation.models import TextEmbedding
from perspective import realtime
from tests.perspective.conftest import serve_in_thread

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/v1alpha1/comments:analyze"
ATTRIBUTES = {"TOXICITY": "toxicity", "SEVERE_TOXICITY": "severe_toxicity", "IDENTITY_ATTACK": "identity_attack",
              "INSULT": "insult", "PROFANITY": "obscene", "THREAT": "threat"}


@pytest.fixture
def heads_scorer(settings, realtime_redis):
    settings.TOXICITY_SCORER = {"backend": "auto", "model_type": "original", "checkpoint": "/nonexistent.ckpt",
                                "huggingface_config_path": "/nonexistent"}
    settings.FRAMING_SEMANTIC = True
    settings.REDIS_URL = realtime_redis.url
    settings.PERSPECTIVE_TIMEOUT_SECONDS = 60
    loaded_scorers.reset()
    realtime.connection().flushdb()
    yield from serve_in_thread(realtime_redis.url, timeout=180)
    loaded_scorers.reset()


def analyze(client, key, body):
    return client.post(f"{URL}?key={key}", data=json.dumps(body), content_type="application/json")


def test_served_heads_answer_and_unserved_ones_say_why(client, api_key, heads_scorer):
    served = load_heads().heads
    text = "You people are disgusting and I will find you."
    for name, label in ATTRIBUTES.items():
        response = analyze(client, api_key[1], {"comment": {"text": text}, "doNotStore": True,
                                                "requestedAttributes": {name: {}}})
        if label in served:
            assert response.status_code == 200, (name, response.content)
            value = response.json()["attributeScores"][name]["summaryScore"]["value"]
            assert value == pytest.approx(loaded_scorers.toxicity_scorer().scorer.score([text])[0].labels[label], abs=1e-4)
            assert response["X-Scored-By"].startswith("minilm-heads ")
        else:
            assert response.status_code == 400, name
            message = response.json()["error"]["message"]
            assert f"{name} is not available" in message and "minilm-heads" in message
            assert load_heads().unserved[label] in message
    assert "toxicity" in served  # the offline default answers TOXICITY


def test_do_not_store_leaves_no_embedding_behind(client, api_key, heads_scorer):
    response = analyze(client, api_key[1], {"comment": {"text": "A text nobody may keep, not even as vectors."},
                                            "doNotStore": True, "requestedAttributes": {"TOXICITY": {},
                                                                                        "CONSPIRACY_FRAMING": {}}})
    assert response.status_code == 200, response.content
    assert not TextEmbedding.objects.exists()
