"""The feedback service's second door: labels suggested through the API (suggestscore) are
written by the same code as the queue's "the score was wrong", with the score's origin kept."""
import pytest

from moderation.models import AuditEvent, ScoreFeedback
from moderation.services.errors import ModerationRefused
from moderation.services.feedback import score_feedback_suggested
from tests.factories import UserFactory, scored_comment

pytestmark = pytest.mark.django_db


def _suggest(comment, account, expected, score=None):
    return score_feedback_suggested(
        account=account, comment=comment, label="toxicity", expected=expected, score=score,
        scorer="detoxify-local", version="v1", model_score=0.4, origin={"via": "api-key:abc", "clientToken": "t"},
    )


def test_a_suggested_label_without_a_stored_score_is_kept_with_its_origin(site):
    comment = scored_comment(site, "c1", toxicity={"toxicity": 0.4})
    account = UserFactory(username="key-account", is_active=False)
    feedback = _suggest(comment, account, 0.9)
    assert (feedback.score, feedback.moderator, feedback.site_id, feedback.model_score, feedback.expected) == (
        None, account, site.pk, 0.4, 0.9)
    event = AuditEvent.objects.get(action="feedback.score")
    assert event.before == {"label": "toxicity", "model": "detoxify-local v1", "score": 0.4}
    assert event.after == {"label": "toxicity", "expected": 0.9, "via": "api-key:abc", "clientToken": "t"}
    _suggest(comment, account, 0.1)
    assert list(ScoreFeedback.objects.values_list("expected", flat=True)) == [0.1]


@pytest.mark.parametrize("expected", [-0.01, 1.5])
def test_a_suggestion_outside_0_to_1_is_refused_and_writes_nothing(site, expected):
    comment = scored_comment(site, "c1", toxicity={"toxicity": 0.4})
    with pytest.raises(ModerationRefused, match="between 0 and 1"):
        _suggest(comment, UserFactory(username="key-account"), expected)
    assert not ScoreFeedback.objects.exists() and not AuditEvent.objects.filter(action="feedback.score").exists()
