"""Inbound deliveries: stored first, then processed by a task, retried with
backoff until done or dead, replayable from admin.

A delivery is claimed with a guarded update (``claimed_by`` is the task id),
so two tasks never process it at once and a redelivered task takes back its
own claim. Processing and marking done are one transaction: a crash in
between leaves nothing half-applied.
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

from ..models import Delivery
from ..platforms.base import Accepted, parse_json
from .wakeups import wake

logger = logging.getLogger(__name__)
State = Delivery.State


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
    transaction.on_commit(lambda: _wake(delivery.pk), robust=True)
    return Stored(delivery=delivery, created=True)


def _wake(delivery_pk: int) -> None:
    from ..tasks import process_delivery

    if not wake(process_delivery, delivery_pk):
        Delivery.objects.filter(pk=delivery_pk, state=State.PENDING).update(enqueued_at=None)


class _ClaimLost(Exception):
    pass


def _retry_delay(attempts: int) -> dt.timedelta:
    base, cap = settings.DELIVERY_RETRY_SECONDS, settings.DELIVERY_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _due(now: dt.datetime, claimer: str) -> Q:
    return Q(state=State.PENDING) | Q(state=State.FAILED, next_attempt_at__lte=now) | Q(
        state=State.PROCESSING, claimed_by=claimer
    )


def delivery_process(*, delivery_pk: int, claimer: str, now: dt.datetime | None = None) -> str:
    """Apply one delivery. Returns done, failed, dead or skipped (not due, or someone else has it)."""
    now = now or timezone.now()
    if not Delivery.objects.filter(_due(now, claimer), pk=delivery_pk).update(
        state=State.PROCESSING, claimed_by=claimer, claimed_at=now
    ):
        return "skipped"
    return _apply_claimed(delivery_pk=delivery_pk, claimer=claimer)


def deliveries_process_batch(*, hint_pk: int, claimer: str, limit: int | None = None) -> dict[int, str]:
    """What a task does: the hinted delivery, then the oldest other pending
    ones up to DELIVERY_BATCH_SIZE, each in its own transaction, oldest
    first (so a busy endpoint costs one task per batch, not per delivery)."""
    limit = limit or settings.DELIVERY_BATCH_SIZE
    now = timezone.now()
    Delivery.objects.filter(_due(now, claimer), pk=hint_pk).update(state=State.PROCESSING, claimed_by=claimer, claimed_at=now)
    waiting = Q(state=State.PENDING) | Q(state=State.FAILED, next_attempt_at__lte=now)
    extra = list(Delivery.objects.filter(waiting).order_by("received_at", "pk").values_list("pk", flat=True)[:limit - 1])
    if extra:
        Delivery.objects.filter(waiting, pk__in=extra).update(state=State.PROCESSING, claimed_by=claimer, claimed_at=now)
    mine = Delivery.objects.filter(state=State.PROCESSING, claimed_by=claimer).order_by("received_at", "pk")
    # One commit for the batch, one savepoint per delivery: a failing delivery
    # rolls back alone, and the comments' scoring wake-ups go out as one
    # message after the commit. A crash loses the whole batch's work, never
    # part of a delivery, and the redelivered task takes its claims back.
    with transaction.atomic():
        return {pk: _apply_claimed(delivery_pk=pk, claimer=claimer) for pk in mine.values_list("pk", flat=True)}


def _apply_claimed(*, delivery_pk: int, claimer: str) -> str:
    from ..platforms.registry import PLATFORMS

    try:
        with transaction.atomic():
            # Loaded inside the savepoint: a row that cannot be read back fails alone.
            delivery = Delivery.objects.select_related("site").get(pk=delivery_pk)
            # The same parser as the door; the body passed its size limit then, whatever the limit is now.
            body = delivery.body.encode("utf-8")
            payload = parse_json(body, max_bytes=len(body))
            PLATFORMS[delivery.source].apply(site=delivery.site, headers=delivery.headers, payload=payload)
            if not Delivery.objects.filter(pk=delivery_pk, state=State.PROCESSING, claimed_by=claimer).update(
                state=State.DONE, processed_at=timezone.now(), attempts=F("attempts") + 1, last_error="",
                claimed_by="", claimed_at=None, next_attempt_at=None,
            ):
                raise _ClaimLost()
    except _ClaimLost:
        return "skipped"
    except IngestRefused as refused:  # contradicts what is stored: no retry can apply it
        logger.info("delivery %s refused: %s", delivery_pk, refused.field)
        return delivery_record_failure(delivery_pk=delivery_pk, claimer=claimer, error=f"refused: {refused}", final=True)
    except Exception as error:  # stored with its error and retried; the task must not die on bad content
        logger.info("delivery %s failed: %s", delivery_pk, type(error).__name__)
        return delivery_record_failure(delivery_pk=delivery_pk, claimer=claimer, error=f"{type(error).__name__}: {error}")
    return "done"


def delivery_record_failure(*, delivery_pk: int, claimer: str, error: str, final: bool = False) -> str:
    """Count a failed try (guarded by the claim); after DELIVERY_MAX_ATTEMPTS, or at
    once when ``final`` (the input was refused, a retry cannot help), the delivery
    is dead. Reads only the attempts, so a row whose other values cannot be read
    back is still recorded."""
    mine = Delivery.objects.filter(pk=delivery_pk, state=State.PROCESSING, claimed_by=claimer)
    attempts = mine.values_list("attempts", flat=True).first()
    if attempts is None:
        return "skipped"
    attempts += 1
    dead = final or attempts >= settings.DELIVERY_MAX_ATTEMPTS
    mine.update(
        state=State.DEAD if dead else State.FAILED, attempts=attempts, last_error=error[:4000],
        next_attempt_at=None if dead else timezone.now() + _retry_delay(attempts), claimed_by="", claimed_at=None,
    )
    return "dead" if dead else "failed"


def delivery_replay(*, delivery_pk: int) -> bool:
    """Process a delivery again from its stored body (admin). Ingestion is
    idempotent, so replaying a delivery that was applied changes nothing."""
    changed = Delivery.objects.filter(pk=delivery_pk).exclude(state=State.PROCESSING).update(
        state=State.PENDING, attempts=0, next_attempt_at=None, enqueued_at=timezone.now(), last_error="",
    )
    if changed:
        transaction.on_commit(lambda: _wake(delivery_pk), robust=True)
    return bool(changed)


def deliveries_sweep(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Wake workers for what waits: pending deliveries whose wake-up may be
    lost, failures whose retry is due, and claims whose lease ran out.
    Returns how many deliveries the wake-ups sent cover."""
    now = now or timezone.now()
    lease_cutoff = now - dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    for row in Delivery.objects.filter(state=State.PROCESSING, claimed_at__lt=lease_cutoff).only("pk", "claimed_by"):
        delivery_record_failure(delivery_pk=row.pk, claimer=row.claimed_by, error="worker lease expired")
    stale_cutoff = now - dt.timedelta(seconds=settings.DELIVERY_STALE_SECONDS)
    waiting = list(
        Delivery.objects.filter(
            Q(state=State.PENDING, enqueued_at__isnull=True) | Q(state=State.PENDING, enqueued_at__lt=stale_cutoff)
            | Q(state=State.FAILED, next_attempt_at__lte=now)
        ).order_by("received_at").values_list("pk", flat=True)[:limit]
    )
    from ..tasks import process_delivery

    # A task tops its delivery up to a batch: one wake-up per batch is enough.
    size = settings.DELIVERY_BATCH_SIZE
    sent = 0
    for start in range(0, len(waiting), size):
        if not wake(process_delivery, waiting[start]):
            break
        sent = min(len(waiting), start + size)
    Delivery.objects.filter(pk__in=waiting[:sent], state=State.PENDING).update(enqueued_at=now)
    return sent
