"""WordPress: core sends no webhooks, so a webhook plugin posts comment
objects as the REST API returns them, signed the Standard Webhooks way
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``). The body is
one comment object, or ``{"comment": {...}}``. ``poll_wordpress`` reads the
same objects from the REST API for sites without a plugin."""
from __future__ import annotations

from comments.services import event_apply

from ..base import Accepted, comment_named_parent, require_header, require_object
from ..standard_webhooks import StandardWebhooksPlatform
from .comments import wordpress_event


def _comment(payload) -> dict:
    payload = require_object(payload, "body")
    return require_object(payload["comment"], "comment") if "comment" in payload else payload


class WordPressPlatform(StandardWebhooksPlatform):
    name = "wordpress"

    def accept(self, *, headers, payload) -> Accepted:
        event = wordpress_event(_comment(payload))
        return Accepted(delivery_id=require_header(headers, "webhook-id"), event_type=f"wordpress.{event.type}",
                        parent=comment_named_parent(event.comment, field="parent"))

    def apply(self, *, site, headers, payload) -> None:
        event_apply(site=site, event=wordpress_event(_comment(payload)))
