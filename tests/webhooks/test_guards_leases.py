"""The guards of the inbound and outbound work tables, each pinned by a test
that fails when the guard goes: only the lease's holder completes or fails a
row, a live lease is nobody else's and the sweep leaves it alone, and a failed
try waits out its back-off (here at its real length, never 0) before anyone
takes it again.

Races run inside the service (``tests/support/interleave.py``): the worker has
loaded its delivery when the other side commits."""
import datetime as dt

import pytest
from django.utils import timezone

from comments.models import Comment
from moderation.services.decisions import decision_make
from tests.factories import member, scored_comment
from tests.support.interleave import interleaved
from webhooks.models import Delivery, OutboundEndpoint, OutboundEvent
from webhooks.services.deliveries import (
    deliveries_process_batch, deliveries_sweep, delivery_process, delivery_record_failure,
)
from webhooks.services.outbound import outbound_send, outbound_sweep
from webhooks.services.secrets import secret_rotate

from .conftest import comment_event

State = Delivery.State


@pytest.fixture
def delivery(sender):
    assert sender.post(comment_event("c1"), msg_id="m1").status_code == 202
    return Delivery.objects.get()


def hold(delivery, claimer, *, at=None):
    """The state a worker's claim leaves (the claim itself is how a batch starts: it would process too)."""
    Delivery.objects.filter(pk=delivery.pk).update(state=State.PROCESSING, claimed_by=claimer,
                                                   claimed_at=at or timezone.now())


@pytest.mark.django_db(transaction=True)
def test_a_worker_whose_lease_was_taken_over_does_not_mark_the_delivery_done(delivery, settings):
    later = timezone.now() + dt.timedelta(seconds=settings.DELIVERY_RETRY_MAX_SECONDS + 1)

    def lease_expires_and_another_worker_applies_it():
        assert delivery_record_failure(delivery_pk=delivery.pk, holder="slow", error="worker lease expired") == "failed"
        return delivery_process(delivery_pk=delivery.pk, holder="fast", now=later)

    hold(delivery, "slow")
    with interleaved(Delivery, lease_expires_and_another_worker_applies_it) as race:
        outcomes = deliveries_process_batch(hint_pk=delivery.pk, holder="slow")
    assert race == ["done"]
    assert outcomes == {delivery.pk: "skipped"}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.claimed_by) == (State.DONE, 2, "")  # one failure, one done
    assert Comment.objects.filter(external_id="c1").count() == 1


@pytest.mark.django_db
def test_a_failure_recorded_by_someone_not_holding_the_lease_changes_nothing(delivery):
    hold(delivery, "holder")
    assert delivery_record_failure(delivery_pk=delivery.pk, holder="stranger", error="not mine") == "skipped"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.claimed_by, delivery.attempts, delivery.last_error) == (
        State.PROCESSING, "holder", 0, "")


@pytest.mark.django_db
def test_a_batch_does_not_take_another_workers_live_lease(delivery):
    hold(delivery, "holder")
    assert deliveries_process_batch(hint_pk=delivery.pk, holder="other") == {}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.claimed_by) == (State.PROCESSING, "holder")
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_the_sweep_fails_expired_leases_and_leaves_live_ones(delivery, settings):
    lease = dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    now = timezone.now()
    hold(delivery, "live", at=now - lease + dt.timedelta(seconds=5))
    deliveries_sweep(now=now)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.claimed_by, delivery.attempts) == (State.PROCESSING, "live", 0)
    hold(delivery, "dead", at=now - lease - dt.timedelta(seconds=5))
    deliveries_sweep(now=now)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (State.FAILED, 1, "worker lease expired")


@pytest.mark.django_db
def test_a_failed_delivery_waits_out_a_growing_back_off_before_anyone_takes_it(delivery, settings):
    settings.DELIVERY_RETRY_SECONDS, settings.DELIVERY_RETRY_MAX_SECONDS = 60, 3600
    for attempt, wait in ((1, 60), (2, 120), (3, 240)):
        hold(delivery, "worker")
        before = timezone.now()
        assert delivery_record_failure(delivery_pk=delivery.pk, holder="worker", error="boom") == "failed"
        after = timezone.now()
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert before + dt.timedelta(seconds=wait) <= delivery.next_attempt_at <= after + dt.timedelta(seconds=wait)
    # Not due yet: no task takes it, no sweep wakes one for it.
    assert deliveries_process_batch(hint_pk=delivery.pk, holder="eager") == {}
    assert delivery_process(delivery_pk=delivery.pk, holder="eager") == "skipped"
    assert deliveries_sweep() == 0
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.FAILED, 3)
    due = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert delivery_process(delivery_pk=delivery.pk, holder="patient", now=due) == "done"


def an_outbound_event(site, receiver) -> OutboundEvent:
    OutboundEndpoint.objects.create(site=site, url=receiver.url + "/hooks")
    secret_rotate(site=site, purpose="outbound")
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=member(site, "moderator", "moderator"), comment=item, action="approve", expected_version=0)
    return OutboundEvent.objects.get()


@pytest.mark.django_db(transaction=True)
def test_a_sender_whose_lease_was_taken_over_does_not_count_the_event_delivered_again(site, receiver, settings):
    event = an_outbound_event(site, receiver)
    lease = dt.timedelta(seconds=settings.OUTBOUND_TIMEOUT_SECONDS * 3 + 30)

    def lease_expires_and_another_sender_delivers():
        outbound_sweep(now=timezone.now() + lease + dt.timedelta(seconds=1))  # "slow" died, as far as anyone knows
        later = timezone.now() + dt.timedelta(seconds=settings.OUTBOUND_RETRY_MAX_SECONDS + 1)
        return outbound_send(event_pk=event.pk, holder="fast", now=later)

    with interleaved(OutboundEvent, lease_expires_and_another_sender_delivers) as race:
        outbound_send(event_pk=event.pk, holder="slow")
    assert race == ["delivered"]
    event.refresh_from_db()
    assert (event.state, event.attempts, event.claimed_by) == ("delivered", 2, "")  # one expired try, one delivery


@pytest.mark.django_db
def test_the_outbound_sweep_takes_back_expired_sends_and_leaves_live_ones(site, receiver, settings):
    event = an_outbound_event(site, receiver)
    lease = dt.timedelta(seconds=settings.OUTBOUND_TIMEOUT_SECONDS * 3 + 30)
    now = timezone.now()
    OutboundEvent.objects.update(state="sending", claimed_by="live", claimed_at=now - lease + dt.timedelta(seconds=5))
    outbound_sweep(now=now)
    event.refresh_from_db()
    assert (event.state, event.claimed_by, event.attempts) == ("sending", "live", 0)
    OutboundEvent.objects.update(claimed_by="dead", claimed_at=now - lease - dt.timedelta(seconds=5))
    outbound_sweep(now=now)
    event.refresh_from_db()
    assert (event.state, event.attempts, event.last_error) == ("pending", 1, "worker lease expired")
    assert event.next_attempt_at >= now + dt.timedelta(seconds=settings.OUTBOUND_RETRY_SECONDS)
    assert not receiver.requests  # nothing was sent while the live send held it
