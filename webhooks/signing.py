"""Webhook signatures: the Standard Webhooks scheme and the plain hex HMAC
that Discourse and Coral use. Every comparison is constant-time.

Standard Webhooks (https://www.standardwebhooks.com/): the secret is
``whsec_<base64 key>``; the signature is ``v1,<base64 HMAC-SHA256(key,
"{id}.{timestamp}.{body}")>``; ``webhook-signature`` may carry several,
space-separated, so a sender can sign with old and new secrets during rotation.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from typing import Iterable

from comments.fields import IngestError, integer_field

SECRET_PREFIX = "whsec_"


class SignatureInvalid(Exception):
    """The request is not signed by any of the site's current secrets."""


def standard_secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def standard_key(secret: str) -> bytes:
    encoded = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError("a Standard Webhooks secret is whsec_ followed by base64") from None


def standard_sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def standard_headers(*, secrets_: Iterable[str], msg_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The three headers a Standard Webhooks sender sets, signed by every given secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signatures = " ".join(standard_sign(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_)
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signatures}


def standard_verify(
    *, secrets_: Iterable[str], msg_id: str, timestamp: str, signature_header: str, body: bytes,
    tolerance: int, now: float | None = None,
) -> None:
    if not msg_id or not timestamp or not signature_header:
        raise SignatureInvalid("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        sent_at = integer_field(timestamp, "webhook-timestamp", allow_text=True)
    except IngestError:
        raise SignatureInvalid("webhook-timestamp must be whole seconds") from None
    now = time.time() if now is None else now
    if abs(now - sent_at) > tolerance:
        raise SignatureInvalid(f"webhook-timestamp is outside the {tolerance} s window")
    offered = [part.split(",", 1)[1] for part in signature_header.split() if part.startswith("v1,")]
    expected = [standard_sign(secret=s, msg_id=msg_id, timestamp=sent_at, body=body).split(",", 1)[1] for s in secrets_]
    if not _any_equal(offered, expected):
        raise SignatureInvalid("no valid signature")


def hex_hmac(*, secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sha256_header_verify(*, secrets_: Iterable[str], header: str, body: bytes) -> None:
    """``sha256=<hex>`` (Discourse), or several comma-separated (Coral during rotation)."""
    offered = [part.strip()[len("sha256="):] for part in (header or "").split(",") if part.strip().startswith("sha256=")]
    expected = [hex_hmac(secret=s, body=body) for s in secrets_]
    if not _any_equal(offered, expected):
        raise SignatureInvalid("no valid signature")


def _any_equal(offered: list[str], expected: list[str]) -> bool:
    found = False
    # No early exit: the time taken does not say which secret matched.
    for candidate in offered:
        for wanted in expected:
            found |= hmac.compare_digest(candidate.encode(), wanted.encode())
    return found
