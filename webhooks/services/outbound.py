"""Outbound ``comment.moderated`` events: an outbox row written in the
moderation transaction, sent by a task, signed the Standard Webhooks way,
retried with exponential backoff over hours, then dead-lettered."""
from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from moderation.outcomes import Moderated

from ..models import OutboundAttempt, OutboundEndpoint, OutboundEvent, SigningSecret
from ..signing import standard_headers
from .secrets import secrets_current
from .wakeups import wake

State = OutboundEvent.State
EVENT_TYPE = "comment.moderated"


def moderated_payload(outcome: Moderated, *, message_id: str) -> dict:
    comment = outcome.comment
    return {
        "type": EVENT_TYPE,
        "timestamp": outcome.at.isoformat(),
        "data": {
            "id": comment.external_id,
            "article_id": comment.article.external_id,
            "action": outcome.action,
            "status": outcome.status,
            "reason": outcome.reason,
            "moderator": outcome.moderator or None,
            "decision_id": outcome.decision_id,
            "event_id": message_id,
        },
    }


def outbound_record(outcome: Moderated) -> None:
    """Hook (inside the moderation transaction): queue an event when the site wants them."""
    endpoint = OutboundEndpoint.objects.filter(site_id=outcome.comment.site_id, active=True).first()
    if endpoint is None:
        return
    message_id = f"msg_{uuid.uuid4().hex}"
    event = OutboundEvent.objects.create(
        site_id=outcome.comment.site_id, comment=outcome.comment, message_id=message_id, event_type=EVENT_TYPE,
        payload=moderated_payload(outcome, message_id=message_id), url=endpoint.url, next_attempt_at=outcome.at,
    )
    transaction.on_commit(lambda: _wake(event.pk), robust=True)


def _wake(event_pk: int) -> None:
    from ..tasks import send_outbound

    wake(send_outbound, event_pk)


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, … minutes, capped at OUTBOUND_RETRY_MAX_SECONDS: the defaults
    spread 12 attempts over about 17 hours."""
    base, cap = settings.OUTBOUND_RETRY_SECONDS, settings.OUTBOUND_RETRY_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def outbound_send(*, event_pk: int, claimer: str, now: dt.datetime | None = None) -> str:
    """One try: delivered, retry, dead or skipped (not due, or someone else is sending it).
    Whatever goes wrong after the claim (the receiver, the network, a missing
    secret, a row that cannot be read back) is this event's failed try."""
    now = now or timezone.now()
    due = Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, claimed_by=claimer)
    if not OutboundEvent.objects.filter(due, pk=event_pk).update(state=State.SENDING, claimed_by=claimer, claimed_at=now):
        return "skipped"
    status_code, error = None, ""
    started = time.perf_counter()
    try:
        event = OutboundEvent.objects.select_related("site").get(pk=event_pk)
        body = json.dumps(event.payload, separators=(",", ":")).encode()
        secrets = secrets_current(site=event.site, purpose=SigningSecret.Purpose.OUTBOUND)
        if not secrets:
            raise RuntimeError("the site has no outbound signing secret")
        headers = {"content-type": "application/json", "user-agent": "Threadwarden-Webhooks/1",
                   **standard_headers(secrets_=secrets, msg_id=event.message_id, body=body)}
        response = requests.post(event.url, data=body, headers=headers, timeout=settings.OUTBOUND_TIMEOUT_SECONDS,
                                 allow_redirects=False)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:500]}"
    except Exception as failure:  # network errors, timeouts, a missing secret, an unreadable row: all retried
        error = f"{type(failure).__name__}: {failure}"[:2000]
    OutboundAttempt.objects.create(event_id=event_pk, status_code=status_code, error=error,
                                   duration_ms=(time.perf_counter() - started) * 1000)
    mine = OutboundEvent.objects.filter(pk=event_pk, state=State.SENDING, claimed_by=claimer)
    if not error:
        mine.update(state=State.DELIVERED, delivered_at=timezone.now(), attempts=F("attempts") + 1, last_error="",
                    claimed_by="", claimed_at=None)
        return "delivered"
    return _record_failure(mine, error=error)


def _record_failure(mine, *, error: str) -> str:
    """Count a failed try on the claimed event; after OUTBOUND_MAX_ATTEMPTS it is a
    dead letter. Reads only the attempts, so it works on any row."""
    attempts = mine.values_list("attempts", flat=True).first()
    if attempts is None:
        return "skipped"
    attempts += 1
    dead = attempts >= settings.OUTBOUND_MAX_ATTEMPTS
    mine.update(state=State.DEAD if dead else State.PENDING, attempts=attempts, last_error=error,
                next_attempt_at=timezone.now() + retry_delay(attempts), claimed_by="", claimed_at=None)
    return "dead" if dead else "retry"


def outbound_retry(*, event_pk: int) -> bool:
    """Send a dead-lettered event again (admin), with a fresh set of attempts."""
    changed = OutboundEvent.objects.filter(pk=event_pk, state=State.DEAD).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if changed:
        transaction.on_commit(lambda: _wake(event_pk), robust=True)
    return bool(changed)


def outbound_sweep(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Wake workers for events whose retry is due, and take back sends whose worker died."""
    now = now or timezone.now()
    lease_cutoff = now - dt.timedelta(seconds=settings.OUTBOUND_TIMEOUT_SECONDS * 3 + 30)
    # A send whose worker died counts as a try: an event that kills its worker
    # every time becomes a dead letter instead of being taken back forever.
    expired = OutboundEvent.objects.filter(state=State.SENDING, claimed_at__lt=lease_cutoff)
    for pk, claimer in expired.values_list("pk", "claimed_by"):
        _record_failure(OutboundEvent.objects.filter(pk=pk, state=State.SENDING, claimed_by=claimer),
                        error="worker lease expired")
    due = list(
        OutboundEvent.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    from ..tasks import send_outbound

    sent = 0
    for pk in due:
        if not wake(send_outbound, pk):
            break
        sent += 1
    return sent
