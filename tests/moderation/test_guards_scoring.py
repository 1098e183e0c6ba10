"""The guards of the scoring work table, each pinned by a test that fails when
the guard goes: only the claim's holder stores results, and only for the text
it scored; a failure counts only for the holder; a live claim is nobody
else's; the sweep takes back expired claims only and re-enqueues pending rows
whose message is stale, not fresh ones.

Races run inside the service (``tests/support/interleave.py``): the worker
has loaded its comments when the other side commits."""
import datetime as dt

import pytest
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_upsert
from moderation.models import CommentScoring
from moderation.services.scoring import scoring_lease_take, scoring_process, scoring_record_failure, scoring_sweep
from tests.factories import SiteFactory, comment_input
from tests.support.interleave import interleaved

State = CommentScoring.State


def pending_comment(external_id="c1", body="first text"):
    site = SiteFactory(slug="news")
    return comment_upsert(site=site, data=comment_input(external_id, body=body)).comment


@pytest.mark.django_db(transaction=True)
def test_a_text_edited_while_scored_is_not_marked_done_with_the_old_texts_scores(tiny_scoring):
    comment = pending_comment()
    old_hash = comment.content_hash

    def edit_and_redeliver():
        # The edit resets the row; the same task, redelivered, claims it again before the first run stores.
        comment_upsert(site=comment.site, data=comment_input("c1", body="edited text", edited_at=timezone.now()))
        return scoring_lease_take(holder="task-1", hint_ids=[comment.pk], top_up=False)

    with interleaved(Comment, edit_and_redeliver) as race:
        outcome = scoring_process(holder="task-1", hint_ids=[comment.pk], top_up=False)
    assert race == [[comment.pk]]
    assert outcome.scored == [] and outcome.superseded == [comment.pk]
    row = CommentScoring.objects.get(pk=comment.pk)
    assert row.state == State.SCORING and row.scored_hash != old_hash  # still the redelivered run's to score
    assert scoring_process(holder="task-1", hint_ids=[comment.pk]).scored == [comment.pk]
    row.refresh_from_db()
    assert row.scored_hash == Comment.objects.get(pk=comment.pk).content_hash != old_hash
    assert row.toxicity_score.content_hash == row.scored_hash


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_claim_was_taken_over_does_not_complete_the_row(tiny_scoring):
    comment = pending_comment()

    def lease_expires_and_another_worker_claims():
        scoring_record_failure(comment_id=comment.pk, holder="slow", error="worker lease expired")
        return scoring_lease_take(holder="fast", hint_ids=[comment.pk], top_up=False)

    with interleaved(Comment, lease_expires_and_another_worker_claims) as race:
        outcome = scoring_process(holder="slow", hint_ids=[comment.pk], top_up=False)
    assert race == [[comment.pk]]
    assert outcome.scored == [] and outcome.superseded == [comment.pk]
    row = CommentScoring.objects.get(pk=comment.pk)
    assert (row.state, row.claimed_by, row.attempts) == (State.SCORING, "fast", 1)


@pytest.mark.django_db
def test_a_failure_recorded_by_someone_not_holding_the_claim_changes_nothing():
    comment = pending_comment()
    scoring_lease_take(holder="holder", hint_ids=[comment.pk], top_up=False)
    scoring_record_failure(comment_id=comment.pk, holder="stranger", error="not mine")
    row = CommentScoring.objects.get(pk=comment.pk)
    assert (row.state, row.claimed_by, row.attempts, row.last_error) == (State.SCORING, "holder", 0, "")


@pytest.mark.django_db
def test_a_claim_takes_neither_another_workers_live_claim_nor_a_finished_row():
    held = pending_comment("held")
    scoring_lease_take(holder="holder", hint_ids=[held.pk], top_up=False)
    done = comment_upsert(site=held.site, data=comment_input("done")).comment
    CommentScoring.objects.filter(pk=done.pk).update(state=State.DONE)
    assert scoring_lease_take(holder="other", hint_ids=[held.pk, done.pk], top_up=False) == []
    assert CommentScoring.objects.get(pk=held.pk).claimed_by == "holder"
    assert CommentScoring.objects.get(pk=done.pk).state == State.DONE


@pytest.mark.django_db
def test_the_sweep_takes_back_expired_claims_and_leaves_live_ones(settings):
    comment = pending_comment()
    scoring_lease_take(holder="worker", hint_ids=[comment.pk], top_up=False)
    claimed_at = CommentScoring.objects.get(pk=comment.pk).claimed_at
    lease = dt.timedelta(seconds=settings.SCORING_LEASE_SECONDS)
    scoring_sweep(now=claimed_at + lease - dt.timedelta(seconds=1))  # still within the lease
    row = CommentScoring.objects.get(pk=comment.pk)
    assert (row.state, row.claimed_by, row.attempts) == (State.SCORING, "worker", 0)
    scoring_sweep(now=claimed_at + lease + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert (row.state, row.claimed_by, row.attempts, row.last_error) == (State.PENDING, "", 1, "worker lease expired")


@pytest.mark.django_db
def test_the_sweep_re_enqueues_a_stale_message_and_not_a_fresh_one(settings):
    now = timezone.now()
    stale, fresh = pending_comment("stale"), pending_comment("fresh")
    stale_for = dt.timedelta(seconds=settings.SCORING_STALE_SECONDS)
    CommentScoring.objects.filter(pk=stale.pk).update(enqueued_at=now - stale_for - dt.timedelta(seconds=1))
    CommentScoring.objects.filter(pk=fresh.pk).update(enqueued_at=now - stale_for + dt.timedelta(seconds=1))
    assert scoring_sweep(now=now) == 1
    assert CommentScoring.objects.get(pk=fresh.pk).enqueued_at < now  # not sent again
