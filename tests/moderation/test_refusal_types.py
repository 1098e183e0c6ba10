"""Issue 17: a refusal's HTTP status follows its type, never its wording.

The decision service raises a distinct subclass of ModerationRefused for each
kind of conflict; the decision views map types to statuses."""
import pytest

from moderation.models import Review
from moderation.services.claims import claim_take
from moderation.services.decisions import decision_make
from moderation.services.errors import (
    CommentChangedMeanwhile, DecisionConflict, ItemBeingReviewed, ModerationRefused, StaleDecision,
)
from moderation.views.decisions import refusal_status
from tests.factories import scored_comment

pytestmark = pytest.mark.django_db


def test_another_moderators_claim_is_item_being_reviewed(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    claim_take(comment=item, user=moderator)
    with pytest.raises(ItemBeingReviewed, match="moderator is reviewing this comment"):
        decision_make(user=colleague, comment=item, action="approve", expected_version=0)
    assert not Review.objects.filter(pk=item.pk, state="approved").exists()


def test_deciding_on_an_old_version_is_a_stale_decision(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    with pytest.raises(StaleDecision):
        decision_make(user=colleague, comment=item, action="escalate", expected_version=0)


def test_statuses_come_from_the_type_not_the_message():
    # The old view searched the message for "reviewing": this one is a plain refusal, a 403.
    assert refusal_status(ModerationRefused("Nobody is reviewing: you are not a moderator of this site.")) == 403
    assert refusal_status(ItemBeingReviewed("Held by a colleague until 10:15.")) == 409
    assert refusal_status(StaleDecision("Already approved by moderator.")) == 409
    assert refusal_status(CommentChangedMeanwhile("The comment changed on the platform meanwhile.")) == 409
    assert refusal_status(DecisionConflict("Someone else changed it.")) == 409
