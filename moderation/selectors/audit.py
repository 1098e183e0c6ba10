"""Reads of the audit log, newest first, one keyset page at a time."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    site_ids: tuple[int, ...]
    actor: str = ""
    action: str = ""
    comment_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def audit_events(*, filters: AuditFilters, before_id: int | None = None, size: int = 50) -> tuple[list[AuditEvent], int | None]:
    """A page of events and the id to continue from (None on the last page)."""
    rows = AuditEvent.objects.filter(site_id__in=filters.site_ids).select_related("site", "comment")
    if filters.actor:
        rows = rows.filter(actor_name__iexact=filters.actor)
    if filters.action:
        rows = rows.filter(action__startswith=filters.action)
    if filters.comment_id:
        rows = rows.filter(comment_id=filters.comment_id)
    if filters.since:
        rows = rows.filter(created_at__date__gte=filters.since)
    if filters.until:
        rows = rows.filter(created_at__date__lte=filters.until)
    if before_id:
        rows = rows.filter(pk__lt=before_id)
    events = list(rows.order_by("-pk")[: size + 1])
    return events[:size], (events[size - 1].pk if len(events) > size else None)
