"""The field parsers every door uses: webhook payloads, the read API, the
Perspective body, query strings and form fields.

One set, with bounds, so that a value from outside is either a value every
later step can store, read back and compute with, or an ``IngestError``
naming the field. Out of bounds is refused here, never stored: a date the
database keeps but cannot give back, a number Python cannot turn into text,
a body nested deeper than the parser can recurse, an id with a NUL the
database refuses.

Bounds (README.md, "Input bounds"):
- dates and date-times: real calendar dates between ``INPUT_DATE_MIN`` and
  ``INPUT_DATE_MAX`` (settings; 1970-01-01 and 2100-01-01 UTC by default),
  whatever the offset;
- integers: ASCII digits only, at most ``MAX_INT_DIGITS`` of them, within
  the bounds the caller gives (a database bigint at most);
- ids: at most ``MAX_ID_LENGTH`` characters, no control characters;
- JSON: at most ``max_bytes`` and ``MAX_JSON_DEPTH`` levels, checked before
  parsing; integers longer than ``MAX_JSON_INT_DIGITS`` digits are kept as
  ``OversizedInteger`` so the field that holds one is the one refused.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

MAX_ID_LENGTH = 255
MAX_INT_DIGITS = 18  # every such number fits a PostgreSQL bigint
MAX_BIGINT = 2**63 - 1
MAX_JSON_DEPTH = 64  # webhook payloads and Perspective bodies need fewer than 10
MAX_JSON_INT_DIGITS = 4300  # Python's default int_max_str_digits
MAX_DATETIME_CHARS = 64

_DIGITS = re.compile(r"[0-9]+")
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


class IngestError(ValueError):
    """Bad input. ``field`` is the dotted path of the offending field."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class OversizedInteger:
    """A JSON integer too long to convert: kept as its digit count, refused by
    whichever field parser meets it (unknown fields holding one are ignored)."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"<integer of {self.digits} digits>"


def _refuse_oversized(value: Any, field: str) -> None:
    if isinstance(value, OversizedInteger):
        raise IngestError(field, f"is an integer of {value.digits} digits (at most {MAX_INT_DIGITS})")


# Text -------------------------------------------------------------------


def text_field(
    value: Any, field: str, *, max_chars: int, required: bool = False, strip: bool = True, allow_int: bool = False
) -> str:
    """A string (or, with ``allow_int``, a JSON integer) as clean text: valid
    unicode, no NUL, NFC, at most ``max_chars``. ``required``: present and
    not only whitespace."""
    _refuse_oversized(value, field)
    if value is None:
        if required:
            raise IngestError(field, "is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int) if allow_int else str):
        raise IngestError(field, f"must be a string, not {type(value).__name__}")
    text = str(value)
    try:
        # Lone surrogates survive json.loads but cannot be stored or shown.
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise IngestError(field, "contains invalid unicode (unpaired surrogate)") from None
    if "\x00" in text:
        raise IngestError(field, "contains a NUL character")
    text = unicodedata.normalize("NFC", text)
    if strip:
        text = text.strip()
    if required and not text.strip():
        raise IngestError(field, "must not be empty")
    if len(text) > max_chars:
        raise IngestError(field, f"is longer than {max_chars} characters")
    return text


def identifier_field(value: Any, field: str, *, required: bool = True, max_chars: int = MAX_ID_LENGTH) -> str:
    """An id as text (platforms send numeric ids too): bounded, no control characters."""
    text = text_field(value, field, max_chars=max_chars, required=required, allow_int=True)
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise IngestError(field, "contains a control character")
    return text


# Numbers ----------------------------------------------------------------


def integer_field(
    value: Any, field: str, *, minimum: int = 0, maximum: int = MAX_BIGINT, required: bool = True,
    allow_text: bool = False,
) -> int | None:
    """A JSON integer (or, with ``allow_text``, a string of ASCII digits, as in
    a query string or header) between ``minimum`` and ``maximum``.

    ``str.isdigit`` is not a test for this: ``"²".isdigit()`` is True and
    ``int("²")`` raises; ``int`` also takes ``"1_000"``, ``" 7 "`` and other
    scripts' digits."""
    _refuse_oversized(value, field)
    if value is None or (allow_text and value == ""):
        if required:
            raise IngestError(field, "is required")
        return None
    if allow_text and isinstance(value, str):
        text = value.strip()
        negative = text.startswith("-") and minimum < 0
        digits = text[1:] if negative else text
        if not _DIGITS.fullmatch(digits):
            raise IngestError(field, "must be a whole number (digits 0-9)")
        if len(digits.lstrip("0")) > MAX_INT_DIGITS:
            raise IngestError(field, f"has more than {MAX_INT_DIGITS} digits")
        value = -int(digits) if negative else int(digits)
    elif isinstance(value, bool) or not isinstance(value, int):
        raise IngestError(field, "must be an integer")
    if not minimum <= value <= maximum:
        raise IngestError(field, f"must be between {minimum} and {maximum}")
    return value


# Dates ------------------------------------------------------------------


def date_bounds() -> tuple[dt.datetime, dt.datetime]:
    """The accepted range, both ends included (settings INPUT_DATE_MIN / INPUT_DATE_MAX)."""
    return settings.INPUT_DATE_MIN, settings.INPUT_DATE_MAX


def _in_range(value: dt.datetime, field: str) -> dt.datetime:
    low, high = date_bounds()
    # Aware datetimes compare as instants, so the offset counts: 9999-12-31
    # 23:59-05:00 is after the range even though it is not representable in UTC.
    if not low <= value <= high:
        raise IngestError(field, f"must be between {low.isoformat()} and {high.isoformat()}")
    return value


def datetime_field(value: Any, field: str, *, required: bool = False) -> dt.datetime | None:
    """An ISO 8601 date-time (any offset; none means UTC) or a plain date
    (midnight UTC), a real calendar date within the accepted range."""
    if value is None or value == "":
        if required:
            raise IngestError(field, "is required")
        return None
    if not isinstance(value, str):
        raise IngestError(field, "must be an ISO 8601 string")
    text = value.strip()
    if len(text) > MAX_DATETIME_CHARS or not text.isascii():
        raise IngestError(field, f"is not an ISO 8601 date-time: {value[:40]!r}")
    try:
        parsed = parse_datetime(text)
    except (ValueError, OverflowError):  # well formed, but not a calendar date (2026-02-30)
        parsed = None
    if parsed is None:
        raise IngestError(field, f"is not an ISO 8601 date-time: {value[:40]!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return _in_range(parsed, field)


def date_field(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    """A plain ``YYYY-MM-DD`` date, a real calendar date within the accepted range."""
    if value is None or value == "":
        if required:
            raise IngestError(field, "is required")
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = value.strip() if isinstance(value, str) else ""
        if not _PLAIN_DATE.fullmatch(text):
            raise IngestError(field, "must be a date as YYYY-MM-DD")
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise IngestError(field, f"is not a calendar date: {text!r}") from None
    low, high = date_bounds()
    if not low.date() <= value <= high.date():
        raise IngestError(field, f"must be between {low.date().isoformat()} and {high.date().isoformat()}")
    return value


# JSON -------------------------------------------------------------------


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in ``raw``, without parsing it
    (brackets inside strings do not count)."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > deepest:
            deepest = depth
    return deepest


def _bounded_int(text: str) -> int | OversizedInteger:
    digits = len(text.lstrip("-"))
    return OversizedInteger(digits) if digits > MAX_JSON_INT_DIGITS else int(text)


def parse_json(raw: bytes | str, *, field: str = "body", max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON document from outside, bounded in size and depth before it is parsed."""
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise IngestError(field, "is not valid UTF-8") from None
    if len(raw) > max_bytes:
        raise IngestError(field, f"is larger than {max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise IngestError(field, "is not valid UTF-8") from None
    if raw.count(b"[") + raw.count(b"{") > max_depth and json_depth(raw) > max_depth:
        raise IngestError(field, f"is nested deeper than {max_depth} levels")
    try:
        return json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as error:
        raise IngestError(field, f"invalid JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    except (ValueError, RecursionError):  # not expected after the checks above; still a 400, never a 500
        raise IngestError(field, "invalid JSON") from None
