"""The generic endpoint: Standard Webhooks signatures and our own event schema
(the JSON Lines import's), plus ``comment.reported`` for readers' reports."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comments.models import Comment, Site
from comments.fields import IngestError, identifier_field, text_field
from comments.schema import EVENT_TYPES, parse_event
from comments.services import event_apply
from moderation.services.reports import report_submit

from ..base import Accepted, comment_named_parent, require_header, require_object
from ..standard_webhooks import StandardWebhooksPlatform

REPORTED = "comment.reported"


@dataclass(frozen=True)
class Report:
    comment_external_id: str
    reason: str
    reporter: str


def parse_report(raw: dict) -> Report:
    data = require_object(raw.get("data"), "data")
    return Report(
        comment_external_id=identifier_field(data.get("id"), "data.id"),
        reason=text_field(data.get("reason"), "data.reason", max_chars=500),
        reporter=text_field(data.get("reporter"), "data.reporter", max_chars=255, allow_int=True),
    )


def report_apply(*, site: Site, report: Report) -> None:
    comment = Comment.objects.filter(site=site, external_id=report.comment_external_id).first()
    if comment is None:
        # Retried later: the comment may still be on its way.
        raise IngestError("data.id", f"unknown comment {report.comment_external_id!r}")
    report_submit(comment=comment, reporter=report.reporter, reason=report.reason)


def parse_generic(raw: Any):
    raw = require_object(raw, "event")
    if raw.get("type") == REPORTED:
        return parse_report(raw)
    if raw.get("type") not in EVENT_TYPES:
        raise IngestError("type", f"must be one of {', '.join((*EVENT_TYPES, REPORTED))}")
    return parse_event(raw)


class GenericPlatform(StandardWebhooksPlatform):
    name = "generic"

    def accept(self, *, headers, payload) -> Accepted:
        parsed = parse_generic(payload)
        return Accepted(
            delivery_id=require_header(headers, "webhook-id"), event_type=payload["type"],
            parent=comment_named_parent(getattr(parsed, "comment", None), field="data.parent_id"),
        )

    def apply(self, *, site, headers, payload) -> None:
        parsed = parse_generic(payload)
        if isinstance(parsed, Report):
            report_apply(site=site, report=parsed)
        else:
            event_apply(site=site, event=parsed)
