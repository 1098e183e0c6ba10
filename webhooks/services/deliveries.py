"""Inbound deliveries: stored first, then processed by a task, retried with
backoff until done or dead, replayable from admin.

A task takes a lease on a delivery (``work.lease``, the ``LEASE`` below;
``claimed_by`` is the task id), so two tasks never process it at once and a
redelivered task takes back its own. Processing and marking done are one
transaction: a crash in between leaves nothing half-applied.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from comments.models import Site
from comments.schema import IngestRefused
from work import wakeups
from work.lease import (
    Failure, Lease, LeaseLost, lease_take, lease_take_one, lease_finish, lease_record_failure,
    lease_release_expired,
)

from ..models import Delivery
from ..platforms.base import Accepted, parse_json
from ..platforms.registry import PLATFORMS

logger = logging.getLogger(__name__)
State = Delivery.State
PROCESS_TASK = "webhooks.tasks.process_delivery"  # by name: services never import tasks

LEASE = Lease(
    model=Delivery, ready=State.PENDING, held=State.PROCESSING, retry=State.FAILED, done=State.DONE,
    dead=State.DEAD, max_attempts=lambda: settings.DELIVERY_MAX_ATTEMPTS,
    lease_seconds=lambda: settings.DELIVERY_LEASE_SECONDS, order_by=("received_at", "pk"),
    backoff_seconds=lambda: (settings.DELIVERY_RETRY_SECONDS, settings.DELIVERY_RETRY_MAX_SECONDS),
    error_limit=4000,
)


@dataclass(frozen=True)
class Stored:
    delivery: Delivery
    created: bool


def delivery_store(*, site: Site, source: str, accepted: Accepted, body: str, headers: dict) -> Stored:
    """Insert under the unique (site, source, delivery id); a repeat changes nothing."""
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                site=site, source=source, delivery_id=accepted.delivery_id, event_type=accepted.event_type[:100],
                body=body, headers=headers, enqueued_at=timezone.now(),
            )
    except IntegrityError:
        return Stored(delivery=Delivery.objects.get(site=site, source=source, delivery_id=accepted.delivery_id),
                      created=False)
    _wake_after_commit(delivery.pk)
    return Stored(delivery=delivery, created=True)


def _wake_after_commit(delivery_pk: int) -> None:
    def refused() -> None:  # written down, so the sweep knows the wake-up is still to be sent
        Delivery.objects.filter(pk=delivery_pk, state=State.PENDING).update(enqueued_at=None)

    wakeups.wake_after_commit(PROCESS_TASK, delivery_pk, refused=refused)


def delivery_process(*, delivery_pk: int, holder: str, now: dt.datetime | None = None) -> str:
    """Apply one delivery. Returns done, failed, dead or skipped (not due, or someone else has it)."""
    if not lease_take_one(LEASE, pk=delivery_pk, holder=holder, now=now):
        return "skipped"
    return _apply_leased(delivery_pk=delivery_pk, holder=holder)


def deliveries_process_batch(*, hint_pk: int, holder: str, limit: int | None = None) -> dict[int, str]:
    """What a task does: the hinted delivery, then the oldest other due
    ones up to DELIVERY_BATCH_SIZE, each in its own transaction, oldest
    first (so a busy endpoint costs one task per batch, not per delivery)."""
    limit = limit or settings.DELIVERY_BATCH_SIZE
    mine = lease_take(LEASE, holder=holder, hint_ids=[hint_pk], limit=limit)
    # One commit for the batch, one savepoint per delivery: a failing delivery
    # rolls back alone, and the comments' scoring wake-ups go out as one
    # message after the commit. A crash loses the whole batch's work, never
    # part of a delivery, and the redelivered task takes its leases back.
    with transaction.atomic():
        return {pk: _apply_leased(delivery_pk=pk, holder=holder) for pk in mine}


def _apply_leased(*, delivery_pk: int, holder: str) -> str:
    try:
        with transaction.atomic():
            # Loaded inside the savepoint: a row that cannot be read back fails alone.
            delivery = Delivery.objects.select_related("site").get(pk=delivery_pk)
            # The same parser as the door; the body passed its size limit then, whatever the limit is now.
            body = delivery.body.encode("utf-8")
            payload = parse_json(body, max_bytes=len(body))
            PLATFORMS[delivery.source].apply(site=delivery.site, headers=delivery.headers, payload=payload)
            if not lease_finish(LEASE, pk=delivery_pk, holder=holder, processed_at=timezone.now(),
                                attempts=F("attempts") + 1, next_attempt_at=None):
                raise LeaseLost()  # someone else holds it now: what was applied here rolls back
    except LeaseLost:
        return "skipped"
    except IngestRefused as refused:  # contradicts what is stored: no retry can apply it
        logger.info("delivery %s refused: %s", delivery_pk, refused.field)
        return delivery_record_failure(delivery_pk=delivery_pk, holder=holder, error=f"refused: {refused}", final=True)
    except Exception as error:  # stored with its error and retried; the task must not die on bad content
        logger.info("delivery %s failed: %s", delivery_pk, type(error).__name__)
        return delivery_record_failure(delivery_pk=delivery_pk, holder=holder, error=f"{type(error).__name__}: {error}")
    return "done"


def delivery_record_failure(*, delivery_pk: int, holder: str, error: str, final: bool = False) -> str:
    """Count a failed try (guarded by the lease); after DELIVERY_MAX_ATTEMPTS, or at
    once when ``final`` (the input was refused, a retry cannot help), the delivery
    is dead. Reads only the attempts, so a row whose other values cannot be read
    back is still recorded."""
    failure = lease_record_failure(LEASE, pk=delivery_pk, holder=holder, error=error, final=final)
    return {Failure.RETRY: "failed", Failure.DEAD: "dead", Failure.LOST: "skipped"}[failure]


def delivery_replay(*, delivery_pk: int) -> bool:
    """Process a delivery again from its stored body (admin). Ingestion is
    idempotent, so replaying a delivery that was applied changes nothing."""
    changed = Delivery.objects.filter(pk=delivery_pk).exclude(state=State.PROCESSING).update(
        state=State.PENDING, attempts=0, next_attempt_at=None, enqueued_at=timezone.now(), last_error="",
    )
    if changed:
        _wake_after_commit(delivery_pk)
    return bool(changed)


def deliveries_sweep(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Wake workers for what waits: pending deliveries whose wake-up may be
    lost, failures whose retry is due, and leases that ran out.
    Returns how many deliveries the wake-ups sent cover."""
    now = now or timezone.now()
    lease_release_expired(LEASE, now=now)
    stale_cutoff = now - dt.timedelta(seconds=settings.DELIVERY_STALE_SECONDS)
    waiting = list(
        Delivery.objects.filter(
            Q(state=State.PENDING, enqueued_at__isnull=True) | Q(state=State.PENDING, enqueued_at__lt=stale_cutoff)
            | Q(state=State.FAILED, next_attempt_at__lte=now)
        ).order_by("received_at").values_list("pk", flat=True)[:limit]
    )
    # A task tops its delivery up to a batch: one wake-up per batch is enough.
    size = settings.DELIVERY_BATCH_SIZE
    sent = 0
    for start in range(0, len(waiting), size):
        if not wakeups.wake(PROCESS_TASK, waiting[start]):
            break
        sent = min(len(waiting), start + size)
    Delivery.objects.filter(pk__in=waiting[:sent], state=State.PENDING).update(enqueued_at=now)
    return sent
