"""The audit log: one append-only row for every decision and setting change."""
from __future__ import annotations

from comments.models import Comment, Site

from ..models import AuditEvent


def audit_record(
    *, actor, action: str, site: Site | None = None, site_id: int | None = None, comment: Comment | None = None,
    target: str = "", before: dict | None = None, after: dict | None = None,
) -> AuditEvent:
    """Write one event. Call inside the transaction of the change it records,
    so the log and the change commit or roll back together."""
    return AuditEvent.objects.create(
        site_id=site.pk if site is not None else (site_id if site_id is not None else (comment.site_id if comment else None)),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        action=action,
        comment=comment,
        target=target or (f"comment:{comment.external_id}" if comment is not None else ""),
        before=before or {},
        after=after or {},
    )
