"""The lease on a work table (work/lease.py), on a real table: inbound deliveries.

The lease here is the test's own (small, fixed limits), so what is pinned is
the module, not the webhooks settings.

Two guards matter only when another worker acts between two statements of
one call: the top-up reads the ids of the oldest due rows, then takes them;
a failure reads the row's attempts, then counts one more. No model instance
is built between the two (they read ids and counts), so ``interleaved`` has
no point to run at; ``before_the_first_update`` runs the other worker, on its
own connection and to its commit, just before this side's first UPDATE
reaches the database. No threads racing, no sleeping: the same interleaving
every run."""
import datetime as dt
from contextlib import contextmanager
from typing import Callable, Iterator

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import SiteFactory
from tests.support.interleave import in_other_connection
from webhooks.models import Delivery
from work.lease import (
    EXPIRED, Failure, Lease, lease_take, lease_take_one, lease_finish, lease_held, lease_record_failure,
    lease_release_expired, lease_renew, lease_tries,
)

pytestmark = pytest.mark.django_db
State = Delivery.State
T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)

BACKING_OFF = Lease(
    model=Delivery, ready=State.PENDING, held=State.PROCESSING, retry=State.FAILED, done=State.DONE,
    dead=State.DEAD, max_attempts=lambda: 4, lease_seconds=lambda: 60, order_by=("received_at", "pk"),
    backoff_seconds=lambda: (10, 25), error_limit=10,
)
AT_ONCE = Lease(  # the scoring kind: no back-off, a failed row is ready again with its wake-up cleared
    model=Delivery, ready=State.PENDING, held=State.PROCESSING, retry=State.PENDING, done=State.DONE,
    dead=State.DEAD, max_attempts=lambda: 2, lease_seconds=lambda: 60, order_by=("received_at", "pk"),
)


@pytest.fixture
def rows():
    site = SiteFactory()
    made = [Delivery.objects.create(site=site, source="generic", delivery_id=f"d{n}", body="{}", enqueued_at=T0)
            for n in range(5)]
    return [row.pk for row in made]


def row(pk: int) -> Delivery:
    return Delivery.objects.get(pk=pk)


@contextmanager
def before_the_first_update(other_side: Callable[[], object]) -> Iterator[list]:
    """Run ``other_side`` in its own thread (so on its own connection, committed
    when it returns) right before the first UPDATE this side sends inside the
    block. Yields a list holding what ``other_side`` returned once it ran."""
    ran: list[object] = []

    def run_other_side() -> None:
        ran.append(in_other_connection(other_side, timeout=30))

    def wrapper(execute, sql, params, many, context):
        if not ran and sql.lstrip().upper().startswith("UPDATE"):
            run_other_side()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield ran


def test_a_lease_takes_the_hinted_rows_and_tops_up_oldest_first_to_the_limit(rows):
    assert lease_take(BACKING_OFF, holder="a", hint_ids=[rows[4]], limit=3, now=T0) == [rows[0], rows[1], rows[4]]
    taken = row(rows[4])
    assert (taken.state, taken.claimed_by, taken.claimed_at) == (State.PROCESSING, "a", T0)
    assert row(rows[2]).state == State.PENDING  # beyond the limit: left for another worker
    assert lease_take(BACKING_OFF, holder="b", hint_ids=[rows[4]], limit=3, top_up=False, now=T0) == []


def test_a_row_held_by_one_worker_is_refused_to_another_and_given_back_to_its_holder(rows):
    assert lease_take_one(BACKING_OFF, pk=rows[0], holder="a", now=T0)
    assert not lease_take_one(BACKING_OFF, pk=rows[0], holder="b", now=T0)
    assert lease_take(BACKING_OFF, holder="b", hint_ids=[rows[0]], limit=1, top_up=False, now=T0) == []
    assert row(rows[0]).claimed_by == "a"
    later = T0 + dt.timedelta(seconds=5)
    assert lease_take_one(BACKING_OFF, pk=rows[0], holder="a", now=later)  # a redelivered task takes it back
    assert row(rows[0]).claimed_at == later


def test_renewing_restarts_the_lease_so_the_sweep_leaves_it(rows):
    lease_take(BACKING_OFF, holder="a", hint_ids=rows[:2], limit=2, top_up=False, now=T0)
    renewed_at = T0 + dt.timedelta(seconds=50)
    assert lease_renew(BACKING_OFF, holder="a", pks=rows[:2], now=renewed_at) == 2
    assert lease_release_expired(BACKING_OFF, now=T0 + dt.timedelta(seconds=70)) == 0
    assert set(lease_held(BACKING_OFF, holder="a").values_list("claimed_at", flat=True)) == {renewed_at}
    assert lease_renew(BACKING_OFF, holder="b", pks=rows[:2], now=renewed_at) == 0  # not b's to renew


def test_an_expired_lease_is_taken_back_and_counts_a_try(rows):
    lease_take_one(BACKING_OFF, pk=rows[0], holder="dead-worker", now=T0)
    lease_take_one(BACKING_OFF, pk=rows[1], holder="live-worker", now=T0 + dt.timedelta(seconds=30))
    assert lease_release_expired(BACKING_OFF, now=T0 + dt.timedelta(seconds=61)) == 1
    expired = row(rows[0])
    assert (expired.state, expired.attempts, expired.claimed_by, expired.claimed_at) == (State.FAILED, 1, "", None)
    assert expired.last_error == EXPIRED[:10]
    live = row(rows[1])
    assert (live.state, live.claimed_by, live.attempts) == (State.PROCESSING, "live-worker", 0)  # its lease still runs


def test_the_back_off_doubles_per_failed_try_up_to_its_cap_and_a_row_waits_for_it(rows):
    pk, now, waits = rows[0], T0, []
    for _ in range(3):
        assert lease_take_one(BACKING_OFF, pk=pk, holder="w", now=now)
        assert lease_record_failure(BACKING_OFF, pk=pk, holder="w", error="boom", now=now) is Failure.RETRY
        due = row(pk).next_attempt_at
        waits.append((due - now).total_seconds())
        assert not lease_take_one(BACKING_OFF, pk=pk, holder="w", now=due - dt.timedelta(seconds=1))  # not yet
        now = due
    assert waits == [10, 20, 25]
    assert row(pk).attempts == 3 and row(pk).state == State.FAILED


def test_after_the_last_try_a_row_is_dead_with_its_error_and_never_claimed_again(rows):
    pk, now = rows[0], T0
    for _ in range(4):
        lease_take_one(BACKING_OFF, pk=pk, holder="w", now=now)
        failure = lease_record_failure(BACKING_OFF, pk=pk, holder="w", error="a very long error text", now=now)
        now += dt.timedelta(hours=1)
    assert failure is Failure.DEAD
    dead = row(pk)
    assert (dead.state, dead.attempts, dead.last_error, dead.next_attempt_at) == (State.DEAD, 4, "a very lon", None)
    assert not lease_take_one(BACKING_OFF, pk=pk, holder="w", now=now + dt.timedelta(days=30))
    assert pk not in lease_take(BACKING_OFF, holder="w", limit=10, now=now + dt.timedelta(days=30))


def test_a_final_failure_is_dead_at_once(rows):
    lease_take_one(BACKING_OFF, pk=rows[0], holder="w", now=T0)
    assert lease_record_failure(BACKING_OFF, pk=rows[0], holder="w", error="refused", final=True) is Failure.DEAD
    assert (row(rows[0]).state, row(rows[0]).attempts) == (State.DEAD, 1)


def test_a_worker_whose_lease_was_taken_by_another_is_told_and_changes_nothing(rows):
    pk = rows[0]
    lease_take_one(BACKING_OFF, pk=pk, holder="slow", now=T0)
    lease_release_expired(BACKING_OFF, now=T0 + dt.timedelta(seconds=61))
    # Its retry is due after the back-off from when it was taken back (the clock's now).
    assert lease_take_one(BACKING_OFF, pk=pk, holder="fast", now=timezone.now() + dt.timedelta(hours=1))
    assert lease_finish(BACKING_OFF, pk=pk, holder="slow") is False
    assert lease_record_failure(BACKING_OFF, pk=pk, holder="slow", error="late") is Failure.LOST
    assert lease_renew(BACKING_OFF, holder="slow", pks=[pk]) == 0
    now_held = row(pk)
    assert (now_held.state, now_held.claimed_by, now_held.attempts) == (State.PROCESSING, "fast", 1)
    assert lease_finish(BACKING_OFF, pk=pk, holder="fast", processed_at=T0) is True
    done = row(pk)
    assert (done.state, done.claimed_by, done.claimed_at, done.last_error, done.processed_at) == (
        State.DONE, "", None, "", T0)


def test_finishing_is_also_guarded_by_the_callers_condition(rows):
    from django.db.models import Q

    lease_take_one(BACKING_OFF, pk=rows[0], holder="w", now=T0)
    assert lease_finish(BACKING_OFF, pk=rows[0], holder="w", also=Q(delivery_id="something else")) is False
    assert row(rows[0]).state == State.PROCESSING


def test_without_back_off_a_failed_row_is_ready_at_once_and_its_wake_up_is_cleared(rows):
    pk = rows[0]
    lease_take_one(AT_ONCE, pk=pk, holder="w", now=T0)
    assert lease_record_failure(AT_ONCE, pk=pk, holder="w", error="boom") is Failure.RETRY
    again = row(pk)
    assert (again.state, again.attempts, again.enqueued_at, again.next_attempt_at) == (State.PENDING, 1, None, None)
    lease_take_one(AT_ONCE, pk=pk, holder="w", now=T0)
    assert lease_record_failure(AT_ONCE, pk=pk, holder="w", error="boom") is Failure.DEAD
    assert row(pk).enqueued_at is None and row(pk).state == State.DEAD


def test_rows_that_failed_before_are_told_apart_from_first_tries(rows):
    lease_take_one(AT_ONCE, pk=rows[1], holder="w", now=T0)
    lease_record_failure(AT_ONCE, pk=rows[1], holder="w", error="boom")
    lease_take(AT_ONCE, holder="w", hint_ids=rows[:3], limit=3, top_up=False, now=T0)
    assert lease_tries(AT_ONCE, holder="w") == ([rows[0], rows[2]], [rows[1]])


def test_rows_of_an_unreadable_kind_are_counted_by_reading_only_their_attempts(rows):
    from tests.support.unreadable import make_unreadable

    lease_take_one(BACKING_OFF, pk=rows[0], holder="w", now=T0)
    make_unreadable(Delivery.objects.get(pk=rows[0]), "received_at")
    assert lease_record_failure(BACKING_OFF, pk=rows[0], holder="w", error="boom") is Failure.RETRY
    assert Delivery.objects.filter(pk=rows[0]).values_list("state", "attempts").get() == (State.FAILED, 1)


@pytest.mark.django_db(transaction=True)
def test_rows_another_worker_takes_between_the_top_ups_read_and_its_update_stay_theirs(rows):
    def another_worker_tops_up():
        return lease_take(BACKING_OFF, holder="b", limit=2, now=T0)

    with before_the_first_update(another_worker_tops_up) as race:
        mine = lease_take(BACKING_OFF, holder="a", limit=2, now=T0)  # no hint: its first UPDATE is the top-up's
    assert race == [[rows[0], rows[1]]]  # b took the two oldest after a read their ids
    assert not set(mine) & set(race[0])
    assert [row(pk).claimed_by for pk in rows[:2]] == ["b", "b"]


@pytest.mark.django_db(transaction=True)
def test_a_lease_lost_between_reading_the_attempts_and_counting_the_failure_is_told_and_changes_nothing(rows):
    pk = rows[0]
    lease_take_one(BACKING_OFF, pk=pk, holder="slow", now=T0)

    def lease_expires_and_another_worker_takes_it():
        assert lease_release_expired(BACKING_OFF, now=T0 + dt.timedelta(seconds=61)) == 1
        return lease_take_one(BACKING_OFF, pk=pk, holder="fast", now=timezone.now() + dt.timedelta(hours=1))

    with before_the_first_update(lease_expires_and_another_worker_takes_it) as race:
        assert lease_record_failure(BACKING_OFF, pk=pk, holder="slow", error="late") is Failure.LOST
    assert race == [True]
    now_held = row(pk)
    assert (now_held.state, now_held.claimed_by, now_held.attempts, now_held.last_error) == (
        State.PROCESSING, "fast", 1, EXPIRED[:10])
