"""A worker's lease on the rows of a work table.

The table says what still needs doing; a worker takes rows with a guarded
UPDATE (``claimed_by`` = its task id, ``claimed_at`` = now), so two workers
never hold the same row, and a redelivered task (same id) takes back what it
held. A failed try is counted on the row; it waits (back-off) or is due again
at once, and after the table's maximum it is dead: no worker takes it again.
A lease that runs out (the worker died) counts as a failed try, so a row that
kills its worker every time ends dead instead of being taken back forever.

Every leased table has the columns ``state``, ``claimed_by``, ``claimed_at``,
``attempts`` and ``last_error``; one that backs off also ``next_attempt_at``;
one that does not, ``enqueued_at`` (cleared on a retry, so the sweep sends
the wake-up again). The three tables already share these names, so only
the states and limits are parameters (a ``Lease``).
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Callable, Iterable

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from .backoff import backoff_delay

EXPIRED = "worker lease expired"


@dataclass(frozen=True)
class Lease:
    """How one work table names its states, and its limits (read when used,
    so settings changed at run time apply)."""

    model: type[models.Model]
    ready: str  # waiting for its first try
    held: str  # leased by a worker
    retry: str  # failed, waiting for its next try (may be the same state as ``ready``)
    done: str
    dead: str  # given up: kept with its error, never taken again
    max_attempts: Callable[[], int]
    lease_seconds: Callable[[], float]
    order_by: tuple[str, ...]  # which waiting rows a top-up takes first
    # (base, cap) in seconds; None: a failed row is due again at once.
    backoff_seconds: Callable[[], tuple[float, float]] | None = None
    ready_waits: bool = False  # ready rows too wait for their ``next_attempt_at``
    error_limit: int = 4000  # characters of ``last_error`` kept

    @property
    def objects(self) -> QuerySet:
        return self.model._default_manager.all()


class Failure(enum.Enum):
    """What recording a failed try did."""

    RETRY = "retry"  # counted; due again (after the back-off, if any)
    DEAD = "dead"  # counted; the last try, or a failure no retry can mend
    LOST = "lost"  # nothing: the holder no longer holds the row (another worker, an edit, the sweep)


class LeaseLost(Exception):
    """Raised by a caller inside its transaction when ``lease_finish`` finds the
    row is no longer its own, so the work done under the lost lease rolls back."""


def lease_due(lease: Lease, *, now: dt.datetime) -> Q:
    """The rows a worker may take now."""
    if lease.backoff_seconds is None:
        return Q(state__in={lease.ready, lease.retry})
    retry = Q(state=lease.retry, next_attempt_at__lte=now)
    if lease.ready_waits:
        return retry if lease.retry == lease.ready else Q(state=lease.ready, next_attempt_at__lte=now) | retry
    return Q(state=lease.ready) | retry


def lease_held(lease: Lease, *, holder: str) -> QuerySet:
    """The rows ``holder`` holds."""
    return lease.objects.filter(state=lease.held, claimed_by=holder)


def lease_take(
    lease: Lease,
    *,
    holder: str,
    hint_ids: Iterable[int] = (),
    limit: int,
    top_up: bool = True,
    now: dt.datetime | None = None,
) -> list[int]:
    """Take the hinted rows that are due (or already ``holder``'s), then,
    unless ``top_up`` is off, the first other due rows up to ``limit`` held.
    Returns every row ``holder`` holds, in ``order_by`` order; a hinted row
    that is not in it was not due or is someone else's."""
    now = now or timezone.now()
    take = {"state": lease.held, "claimed_by": holder, "claimed_at": now}
    mine = Q(state=lease.held, claimed_by=holder)
    hint_ids = list(hint_ids)[:limit]
    if hint_ids:
        lease.objects.filter(Q(pk__in=hint_ids) & (lease_due(lease, now=now) | mine)).update(**take)
    held = lease_held(lease, holder=holder)
    if top_up:
        room = limit - held.count()
        if room > 0:
            due = lease_due(lease, now=now)
            extra = list(lease.objects.filter(due).order_by(*lease.order_by).values_list("pk", flat=True)[:room])
            if extra:
                lease.objects.filter(due, pk__in=extra).update(**take)  # guarded: another worker may have taken some
    return list(held.order_by(*lease.order_by).values_list("pk", flat=True))


def lease_take_one(lease: Lease, *, pk: int, holder: str, now: dt.datetime | None = None) -> bool:
    """Take one row if it is due or already ``holder``'s. False: not due, or someone else has it."""
    now = now or timezone.now()
    return bool(
        lease.objects.filter(lease_due(lease, now=now) | Q(state=lease.held, claimed_by=holder), pk=pk).update(
            state=lease.held, claimed_by=holder, claimed_at=now
        )
    )


def lease_renew(lease: Lease, *, holder: str, pks: Iterable[int], now: dt.datetime | None = None) -> int:
    """Start the lease on ``holder``'s rows among ``pks`` again (long work).
    Returns how many were renewed; fewer than asked: the others are no longer ``holder``'s."""
    return lease_held(lease, holder=holder).filter(pk__in=list(pks)).update(claimed_at=now or timezone.now())


def lease_finish(lease: Lease, *, pk: int, holder: str, also: Q | None = None, **values) -> bool:
    """Mark ``holder``'s row done (with ``values``), guarded by the lease and by
    ``also``. False: the lease was lost (or ``also`` no longer holds); nothing changed."""
    mine = lease_held(lease, holder=holder).filter(pk=pk)
    if also is not None:
        mine = mine.filter(also)
    return bool(mine.update(state=lease.done, claimed_by="", claimed_at=None, last_error="", **values))


def lease_record_failure(
    lease: Lease, *, pk: int, holder: str, error: str, final: bool = False, now: dt.datetime | None = None
) -> Failure:
    """Count a failed try on ``holder``'s row, keep its error, and let go of it:
    due again (after the back-off), or dead after ``max_attempts`` tries, or at
    once when ``final`` (the input was refused: no retry can help). Reads only
    ``attempts``, so a row whose other values cannot be read back is recorded too."""
    mine = lease_held(lease, holder=holder).filter(pk=pk)
    attempts = mine.values_list("attempts", flat=True).first()
    if attempts is None:
        return Failure.LOST
    attempts += 1
    dead = final or attempts >= lease.max_attempts()
    values = {"state": lease.dead if dead else lease.retry, "attempts": attempts,
              "last_error": error[: lease.error_limit], "claimed_by": "", "claimed_at": None}
    if lease.backoff_seconds is not None:
        base, cap = lease.backoff_seconds()
        next_try = (now or timezone.now()) + backoff_delay(attempts=attempts, base_seconds=base, cap_seconds=cap)
        # A dead row has no next try; where the column cannot be empty (outbound
        # events) it keeps the time its next try would have had.
        values["next_attempt_at"] = None if dead and _nullable(lease, "next_attempt_at") else next_try
    elif not dead:
        values["enqueued_at"] = None  # due at once: the sweep sends its wake-up again
    if not mine.update(**values):
        return Failure.LOST
    return Failure.DEAD if dead else Failure.RETRY


def lease_release_expired(lease: Lease, *, now: dt.datetime | None = None) -> int:
    """Take back the rows whose lease ran out (their worker died or hangs):
    each counts as a failed try. Returns how many were taken back."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=lease.lease_seconds())
    expired = list(lease.objects.filter(state=lease.held, claimed_at__lt=cutoff).values_list("pk", "claimed_by"))
    return sum(
        lease_record_failure(lease, pk=pk, holder=holder, error=EXPIRED) is not Failure.LOST
        for pk, holder in expired
    )


def lease_tries(lease: Lease, *, holder: str) -> tuple[list[int], list[int]]:
    """``holder``'s rows split into first tries and retries (rows that failed
    before, an expired lease included), by id. A retry is
    worked on alone, so a row cannot take a batch down twice. Reads only ids
    and attempts, which can always be read back."""
    tries = lease_held(lease, holder=holder).order_by("pk").values_list("pk", "attempts")
    first, again = [], []
    for pk, attempts in tries:
        (again if attempts else first).append(pk)
    return first, again


def _nullable(lease: Lease, field: str) -> bool:
    return lease.model._meta.get_field(field).null
