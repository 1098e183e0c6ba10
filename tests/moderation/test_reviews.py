"""A decided comment whose text changes: an approval covered the old text, a rejection stands."""
import datetime as dt

import pytest
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_upsert
from moderation import policy
from moderation.models import AuditEvent, Flag, Review
from moderation.selectors.queue import QueueFilters, queue_page
from moderation.services.decisions import decision_make
from moderation.services.errors import DecisionConflict
from moderation.services.flags import flag_policy_update
from moderation.services.scoring import scoring_process
from tests.factories import comment_input, scored_comment

pytestmark = pytest.mark.django_db


def edit(site, comment, body):
    later = timezone.now() + dt.timedelta(minutes=5)
    return comment_upsert(site=site, data=comment_input(comment.external_id, body=body, edited_at=later)).comment


def needs_review(site) -> list[int]:
    return queue_page(tab="needs_review", filters=QueueFilters(site_ids=(site.pk,))).comment_ids


@pytest.fixture
def flagged(site):
    # Flag by words only, so the tiny model's random scores do not decide the outcome.
    flag_policy_update(site=site, rules={label: {"action": "off"} for label in policy.DEFAULT_RULES},
                       suspect_words=["bridge"])
    comment = scored_comment(site, "c1", body="The bridge money went somewhere")
    assert needs_review(site) == [comment.pk]
    return comment


def test_an_approved_comment_edited_into_flagged_text_returns_to_the_queue(site, moderator, flagged, tiny_scoring):
    decision_make(user=moderator, comment=flagged, action="approve", expected_version=0)
    assert needs_review(site) == []

    edit(site, flagged, "Now the bridge money was stolen by them")
    review = Review.objects.get(pk=flagged.pk)
    assert (review.state, review.version) == ("open", 2)
    scoring_process(holder="test", hint_ids=[flagged.pk])
    assert Flag.objects.get(comment=flagged).state == Flag.State.NEEDS_REVIEW
    assert needs_review(site) == [flagged.pk]
    event = AuditEvent.objects.get(comment=flagged, action="review.reopened")
    assert (event.actor, event.after["why"]) == (None, "edited after approval")


def test_an_approved_comment_edited_into_clean_text_stays_out_of_the_queue(site, moderator, flagged, tiny_scoring):
    decision_make(user=moderator, comment=flagged, action="approve", expected_version=0)
    edit(site, flagged, "Thanks for the correction, my mistake")
    scoring_process(holder="test", hint_ids=[flagged.pk])
    assert Flag.objects.get(comment=flagged).state == Flag.State.CLEARED
    assert needs_review(site) == []
    assert Comment.objects.get(pk=flagged.pk).status == Comment.Status.VISIBLE


def test_a_decision_taken_on_the_old_text_is_refused_after_the_edit(site, moderator, colleague, flagged):
    decision_make(user=moderator, comment=flagged, action="approve", expected_version=0)
    edit(site, flagged, "The bridge money, edited")
    with pytest.raises(DecisionConflict):
        decision_make(user=colleague, comment=flagged, action="escalate", expected_version=1)


def test_a_rejected_comment_stays_rejected_and_removed_when_edited(site, moderator, flagged):
    reason = site.rejection_reasons.first()
    decision_make(user=moderator, comment=flagged, action="reject", reason=reason, expected_version=0)
    edit(site, flagged, "Harmless words now")
    review = Review.objects.get(pk=flagged.pk)
    assert (review.state, review.version) == ("rejected", 1)
    assert Comment.objects.get(pk=flagged.pk).status == Comment.Status.REMOVED
    assert not AuditEvent.objects.filter(comment=flagged, action="review.reopened").exists()
