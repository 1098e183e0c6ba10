"""Outbound ``comment.moderated`` events: an outbox row written in the
moderation transaction, sent by a task, signed the Standard Webhooks way,
retried with exponential backoff over hours, then dead-lettered. A send
holds a lease on its event (``work.lease``, the ``LEASE`` below)."""
from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from moderation.events import Moderated
from work import wakeups
from work.backoff import backoff_delay
from work.lease import Failure, Lease, lease_take_one, lease_finish, lease_record_failure, lease_release_expired

from ..models import OutboundAttempt, OutboundEndpoint, OutboundEvent, SigningSecret
from ..signing import standard_headers
from .secrets import secrets_current

State = OutboundEvent.State
EVENT_TYPE = "comment.moderated"
SEND_TASK = "webhooks.tasks.send_outbound"  # by name: services never import tasks


def _backoff_seconds() -> tuple[float, float]:
    return settings.OUTBOUND_RETRY_SECONDS, settings.OUTBOUND_RETRY_MAX_SECONDS


# A send whose worker died (its lease older than three HTTP timeouts plus 30 s)
# counts as a try: an event that kills its worker every time becomes a dead
# letter instead of being taken back forever. Pending events wait for their
# ``next_attempt_at`` (the decision's time for a first send).
LEASE = Lease(
    model=OutboundEvent, ready=State.PENDING, held=State.SENDING, retry=State.PENDING, done=State.DELIVERED,
    dead=State.DEAD, max_attempts=lambda: settings.OUTBOUND_MAX_ATTEMPTS,
    lease_seconds=lambda: settings.OUTBOUND_TIMEOUT_SECONDS * 3 + 30, order_by=("next_attempt_at",),
    backoff_seconds=_backoff_seconds, ready_waits=True, error_limit=2000,
)


def moderated_payload(moderated: Moderated, *, message_id: str) -> dict:
    comment = moderated.comment
    return {
        "type": EVENT_TYPE,
        "timestamp": moderated.at.isoformat(),
        "data": {
            "id": comment.external_id,
            "article_id": comment.article.external_id,
            "action": moderated.action,
            "status": moderated.status,
            "reason": moderated.reason,
            "moderator": moderated.moderator or None,
            "decision_id": moderated.decision_id,
            "event_id": message_id,
        },
    }


def outbound_record(moderated: Moderated) -> None:
    """Listener (inside the moderation transaction): queue an event when the site wants them."""
    endpoint = OutboundEndpoint.objects.filter(site_id=moderated.comment.site_id, active=True).first()
    if endpoint is None:
        return
    message_id = f"msg_{uuid.uuid4().hex}"
    event = OutboundEvent.objects.create(
        site_id=moderated.comment.site_id, comment=moderated.comment, message_id=message_id, event_type=EVENT_TYPE,
        payload=moderated_payload(moderated, message_id=message_id), url=endpoint.url, next_attempt_at=moderated.at,
    )
    wakeups.wake_after_commit(SEND_TASK, event.pk)


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, … minutes, capped at OUTBOUND_RETRY_MAX_SECONDS: the defaults
    spread 12 attempts over about 17 hours (the lease's back-off, named here
    for the docs and their test)."""
    base, cap = _backoff_seconds()
    return backoff_delay(attempts=attempts, base_seconds=base, cap_seconds=cap)


def outbound_send(*, event_pk: int, holder: str, now: dt.datetime | None = None) -> str:
    """One try: delivered, retry, dead or skipped (not due, or someone else is sending it).
    Whatever goes wrong after the lease is taken (the receiver, the network, a missing
    secret, a row that cannot be read back) is this event's failed try."""
    if not lease_take_one(LEASE, pk=event_pk, holder=holder, now=now):
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
    if not error:
        # Guarded by the lease: an event the sweep took back is not marked here.
        lease_finish(LEASE, pk=event_pk, holder=holder, delivered_at=timezone.now(), attempts=F("attempts") + 1)
        return "delivered"  # the receiver has it, even if the sweep took the lease back meanwhile
    failure = lease_record_failure(LEASE, pk=event_pk, holder=holder, error=error)
    return {Failure.RETRY: "retry", Failure.DEAD: "dead", Failure.LOST: "skipped"}[failure]


def outbound_retry(*, event_pk: int) -> bool:
    """Send a dead-lettered event again (admin), with a fresh set of attempts."""
    changed = OutboundEvent.objects.filter(pk=event_pk, state=State.DEAD).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if changed:
        wakeups.wake_after_commit(SEND_TASK, event_pk)
    return bool(changed)


def outbound_sweep(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Wake workers for events whose retry is due, and take back sends whose worker died."""
    now = now or timezone.now()
    lease_release_expired(LEASE, now=now)
    due = list(
        OutboundEvent.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        if not wakeups.wake(SEND_TASK, pk):
            break
        sent += 1
    return sent
