"""Platforms that sign the Standard Webhooks way (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``): the generic endpoint and WordPress."""
from __future__ import annotations

from typing import Mapping

from django.conf import settings

from ..signing import standard_verify


def standard_webhooks_verify(*, headers: Mapping[str, str], body: bytes, secrets: list[str]) -> None:
    standard_verify(
        secrets_=secrets, msg_id=headers.get("webhook-id", ""), timestamp=headers.get("webhook-timestamp", ""),
        signature_header=headers.get("webhook-signature", ""), body=body,
        tolerance=settings.WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS,
    )


class StandardWebhooksPlatform:
    """The headers kept and the signature check such a platform shares; each adds ``name`` and ``accept``."""

    stored_headers = ("webhook-id", "webhook-timestamp", "content-type", "user-agent")

    def verify(self, *, headers, body, secrets) -> None:
        standard_webhooks_verify(headers=headers, body=body, secrets=secrets)
