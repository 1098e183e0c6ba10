"""The guards of the flag policy: the threshold boundary, and holds that a
policy change releases only while no moderator has taken the item up."""
import pytest

from comments.models import Comment
from moderation import policy
from moderation.models import Flag, Review
from moderation.services.decisions import decision_make
from moderation.services.flags import flag_policy_update
from tests.factories import scored_comment


def test_a_score_exactly_at_its_threshold_fires_and_one_just_under_does_not():
    at = policy.evaluate(labels={"toxicity": 0.80}, text="x")
    assert [reason.rule for reason in at.reasons] == ["label:toxicity"]
    assert policy.evaluate(labels={"toxicity": 0.7999}, text="x").reasons == ()
    site_rule = {"insult": {"threshold": 0.3, "action": "hold"}}
    assert policy.evaluate(labels={"insult": 0.3}, text="x", site_rules=site_rule).action == policy.HOLD
    assert policy.evaluate(labels={"insult": 0.2999}, text="x", site_rules=site_rule).action is None


@pytest.mark.django_db
def test_a_policy_change_releases_the_hold_it_made_on_an_open_item(site):
    held = scored_comment(site, "h1", toxicity={"threat": 0.9})
    assert held.status == Comment.Status.HELD
    flag_policy_update(site=site, rules={"threat": {"threshold": 0.95}})
    assert Flag.objects.get(comment=held).state == Flag.State.CLEARED
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.VISIBLE


@pytest.mark.django_db
def test_a_policy_that_no_longer_flags_an_escalated_item_leaves_it_held(site, moderator):
    held = scored_comment(site, "h1", toxicity={"threat": 0.9})
    decision_make(user=moderator, comment=held, action="escalate", expected_version=0)
    flag_policy_update(site=site, rules={"threat": {"threshold": 0.95}})
    assert Flag.objects.get(comment=held).state == Flag.State.CLEARED
    assert Review.objects.get(pk=held.pk).state == Review.State.ESCALATED
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.HELD  # a senior decides, not the policy


@pytest.mark.django_db
def test_a_policy_that_only_asks_for_review_of_an_escalated_item_leaves_it_held(site, moderator):
    held = scored_comment(site, "h1", toxicity={"threat": 0.9})
    decision_make(user=moderator, comment=held, action="escalate", expected_version=0)
    flag_policy_update(site=site, rules={"threat": {"threshold": 0.5, "action": "review"}})
    assert Flag.objects.get(comment=held).state == Flag.State.NEEDS_REVIEW
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.HELD
