"""Opaque cursors for the decisions list: the last decision id seen."""
from __future__ import annotations

import base64
import binascii

from comments.fields import IngestError, integer_field


class CursorInvalid(ValueError):
    pass


def cursor_encode(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"d:{after_id}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    if not cursor:
        return 0
    if len(cursor) > 40:
        raise CursorInvalid(cursor)
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorInvalid(cursor) from None
    prefix, _, number = text.partition(":")
    if prefix != "d":
        raise CursorInvalid(cursor)
    try:
        return integer_field(number, "cursor", allow_text=True)
    except IngestError:
        raise CursorInvalid(cursor) from None
