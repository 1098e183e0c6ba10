"""POST /v1alpha1/comments:suggestscore stores the suggestion as the queue's score-feedback labels."""
import json

import pytest

from comments.models import Comment
from moderation.models import AuditEvent, ScoreFeedback
from perspective.models import SuggestedScore
from tests.perspective.conftest import toxicity_of

pytestmark = pytest.mark.django_db
URL = "/v1alpha1/comments:suggestscore"


def suggest(client, key, body):
    return client.post(f"{URL}?key={key}", data=json.dumps(body), content_type="application/json")


def test_suggested_scores_become_moderator_labels_for_the_site(client, site, api_key, realtime_scorer):
    key, raw = api_key
    text = "You are all sheep, wake up."
    response = suggest(client, raw, {
        "comment": {"text": text}, "languages": ["en"], "communityId": "forum-7", "clientToken": "tok-1",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.9}}, "PROFANITY": {"summaryScore": {"value": 0}}},
    })
    assert response.status_code == 200, response.content
    assert response.json() == {"requestedLanguages": ["en"], "clientToken": "tok-1"}
    comment = Comment.objects.get(site=site)
    assert comment.body == text
    labels = {f.label: f for f in ScoreFeedback.objects.filter(comment=comment)}
    assert set(labels) == {"toxicity", "obscene"}
    model = toxicity_of(text)
    assert labels["toxicity"].expected == 0.9 and labels["obscene"].expected == 0.0
    assert labels["toxicity"].model_score == pytest.approx(model["toxicity"], abs=1e-6)
    assert labels["toxicity"].scorer == "detoxify-local" and labels["toxicity"].version
    assert labels["toxicity"].moderator == key.account and labels["toxicity"].site == site
    origin = SuggestedScore.objects.get(feedback=labels["toxicity"])
    assert (origin.community_id, origin.client_token, origin.attribute, origin.value) == ("forum-7", "tok-1", "TOXICITY", 0.9)
    assert AuditEvent.objects.filter(action="feedback.score", comment=comment).count() == 2


def test_a_second_suggestion_replaces_the_label(client, api_key, realtime_scorer):
    body = {"comment": {"text": "again"}, "attributeScores": {"INSULT": {"summaryScore": {"value": 0.2}}}}
    suggest(client, api_key[1], body)
    body["attributeScores"]["INSULT"]["summaryScore"]["value"] = 0.7
    assert suggest(client, api_key[1], body).status_code == 200
    assert list(ScoreFeedback.objects.values_list("label", "expected")) == [("insult", 0.7)]
    assert SuggestedScore.objects.count() == 2  # each call's identifiers are kept


@pytest.mark.parametrize("body, message", [
    ({"comment": {"text": "x"}, "attributeScores": {"NOPE": {"summaryScore": {"value": 1}}}}, "Unknown attribute"),
    ({"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1.5}}}}, "between 0 and 1"),
    ({"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {}}}, "summaryScore.value is required"),
    ({"comment": {"text": "x"}, "attributeScores": {}}, "attributeScores"),
    ({"attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}, "comment is required"),
])
def test_bad_suggestions_are_400_and_write_nothing(client, api_key, body, message):
    response = suggest(client, api_key[1], body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Comment.objects.exists() and not ScoreFeedback.objects.exists()


def test_suggestscore_needs_a_key(client):
    response = client.post(URL, data="{}", content_type="application/json")
    assert response.status_code == 403
