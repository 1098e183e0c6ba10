"""The guards on decisions, each pinned by a test that fails when the guard goes.

Races are interleaved inside the service (``tests/support/interleave.py``):
moderator A's call has read the review when moderator B's decision commits
(on its own connection), so A's guarded update is the only thing standing
between B's decision and an overwrite.
"""
import pytest

from comments.models import Comment
from moderation.models import AuditEvent, AuthorSanction, Decision, RejectionReason, Review
from moderation.services.decisions import author_sanction, decision_make, decision_undo_last
from moderation.services.errors import DecisionConflict, ModerationRefused
from tests.factories import SiteFactory, member, scored_comment
from tests.support.interleave import interleaved

pytestmark = pytest.mark.django_db


def reason_of(site):
    return RejectionReason.objects.filter(site=site, active=True).first()


@pytest.mark.django_db(transaction=True)
def test_a_decision_made_while_another_commits_changes_nothing_and_says_who_won(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="escalate", expected_version=0)
    first, second = member(site, "senior", "first"), member(site, "senior", "second")

    def second_rejects():
        return decision_make(user=second, comment=item, action="reject", expected_version=1, reason=reason_of(site))

    # Both seniors saw version 1; the second's rejection commits after the first read the review.
    with pytest.raises(DecisionConflict, match="Already rejected by second"):
        with interleaved(Review, second_rejects) as race:
            decision_make(user=first, comment=item, action="approve", expected_version=1)
    assert race and race[0].action == "reject"  # the race really ran in between
    review = Review.objects.get(pk=item.pk)
    assert (review.state, review.decided_by, review.version) == ("rejected", second, 2)
    assert Comment.objects.get(pk=item.pk).status == Comment.Status.REMOVED
    assert list(Decision.objects.order_by("pk").values_list("action", flat=True)) == ["escalate", "reject"]


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_an_open_item_at_once_the_later_write_is_refused(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    # The item is open again after a decision and its undo; both moderators saw version 2.
    decision_make(user=moderator, comment=item, action="escalate", expected_version=0)
    decision_undo_last(user=moderator)

    def colleague_approves():
        return decision_make(user=colleague, comment=item, action="approve", expected_version=2)

    with pytest.raises(DecisionConflict, match="Already approved by colleague"):
        with interleaved(Review, colleague_approves) as race:
            decision_make(user=moderator, comment=item, action="reject", expected_version=2, reason=reason_of(site))
    assert race
    assert Review.objects.get(pk=item.pk).state == Review.State.APPROVED
    assert Comment.objects.get(pk=item.pk).status == Comment.Status.VISIBLE
    assert not Decision.objects.filter(action="reject").exists()


def test_undo_refuses_when_the_item_was_decided_again_into_the_same_state(site, moderator, colleague):
    # The item comes back to "approved" through a colleague's two decisions:
    # the state matches the undo's, only the version says someone acted since.
    held = scored_comment(site, "h1", toxicity={"threat": 0.9})
    decision_make(user=moderator, comment=held, action="approve", expected_version=0)
    decision_make(user=colleague, comment=held, action="reject", expected_version=1, reason=reason_of(site))
    decision_make(user=colleague, comment=held, action="approve", expected_version=2)
    outcome = decision_undo_last(user=moderator)
    assert outcome.undone == [] and outcome.refused and "Cannot undo" in outcome.refused[0]
    review = Review.objects.get(pk=held.pk)
    assert (review.state, review.decided_by, review.version) == ("approved", colleague, 3)
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.VISIBLE


@pytest.mark.django_db(transaction=True)
def test_an_undo_racing_the_same_undo_from_another_tab_is_applied_once(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9}, author="troll")
    author_sanction(user=moderator, comment=item, kind="suspend", days=1)

    def other_tab_undoes():
        return decision_undo_last(user=moderator)

    # The second Decision this call builds is the batch it is about to undo: the other tab commits first.
    with interleaved(Decision, other_tab_undoes, at=2) as race:
        outcome = decision_undo_last(user=moderator)
    assert race and len(race[0].undone) == 1
    assert outcome.undone == [] and "already undone" in outcome.refused[0]
    assert AuditEvent.objects.filter(action="decision.undo").count() == 1
    assert AuthorSanction.objects.get().lifted_at is not None


def test_another_sites_rejection_reason_is_refused_by_the_service(site, moderator):
    # The bulk view accepts any reason of the user's sites: the service is the guard.
    elsewhere = SiteFactory(slug="elsewhere")
    member(elsewhere, "moderator", moderator.username)
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    with pytest.raises(ModerationRefused, match="this site's rejection reasons"):
        decision_make(user=moderator, comment=item, action="reject", expected_version=0, reason=reason_of(elsewhere))
    assert not Decision.objects.exists()
    assert Comment.objects.get(pk=item.pk).status == Comment.Status.VISIBLE


def test_a_retired_rejection_reason_is_refused(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    retired = reason_of(site)
    RejectionReason.objects.filter(pk=retired.pk).update(active=False)
    retired.refresh_from_db()
    with pytest.raises(ModerationRefused, match="this site's rejection reasons"):
        decision_make(user=moderator, comment=item, action="reject", expected_version=0, reason=retired)
    assert not Decision.objects.exists()


def test_a_moderator_cannot_decide_an_escalated_item_but_a_senior_can(site, moderator, colleague, senior):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="escalate", expected_version=0)
    with pytest.raises(ModerationRefused, match="senior moderator decides"):
        decision_make(user=colleague, comment=item, action="approve", expected_version=1)
    decision_make(user=senior, comment=item, action="approve", expected_version=1)
    assert Review.objects.get(pk=item.pk).state == Review.State.APPROVED
