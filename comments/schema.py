"""The ingestion schema: validate raw dicts (JSON Lines, webhooks, API) into typed inputs.

Validation happens before anything is written, so bad input never touches
stored data; every error names the field it is about.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime

MAX_ID_LENGTH = 255
MAX_BODY_CHARS = 100_000
MAX_ARTICLE_BODY_CHARS = 1_000_000
MAX_TITLE_CHARS = 500
MAX_NAME_CHARS = 200
MAX_URL_CHARS = 2000

EVENT_TYPES = ("article.upserted", "comment.created", "comment.edited", "comment.deleted")


class IngestError(ValueError):
    """Bad input. ``field`` is the dotted path of the offending field."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class IngestRefused(IngestError):
    """Input that contradicts what is stored, so no retry can make it apply
    (a reply whose parent is stored in another article): refused once."""


@dataclass(frozen=True)
class AuthorInput:
    external_id: str
    display_name: str = ""


@dataclass(frozen=True)
class ArticleInput:
    external_id: str
    url: str = ""
    title: str = ""
    author_name: str = ""
    published_at: dt.datetime | None = None
    body: str | None = None  # None: keep what is stored


@dataclass(frozen=True)
class CommentInput:
    external_id: str
    article: ArticleInput
    body: str
    author: AuthorInput | None = None
    parent_external_id: str = ""
    created_at: dt.datetime | None = None
    edited_at: dt.datetime | None = None
    # True for a "comment.created" event: the first version of the text, which
    # must not undo an edit when a platform replays its history.
    original: bool = False


@dataclass(frozen=True)
class Event:
    type: str
    article: ArticleInput | None = None
    comment: CommentInput | None = None
    # comment.deleted needs only the id (and the article, to keep a tombstone).
    comment_external_id: str = ""


def _text(
    value: Any, field: str, *, max_chars: int, required: bool = False, strip: bool = True, allow_int: bool = False
) -> str:
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
    if required and not text:
        raise IngestError(field, "must not be empty")
    if len(text) > max_chars:
        raise IngestError(field, f"is longer than {max_chars} characters")
    return text


def _identifier(value: Any, field: str, *, required: bool = True) -> str:
    # Platforms send numeric ids; they are stored as text.
    return _text(value, field, max_chars=MAX_ID_LENGTH, required=required, allow_int=True)


def _datetime(value: Any, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise IngestError(field, "must be an ISO 8601 string")
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise IngestError(field, f"is not an ISO 8601 date-time: {value[:40]!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


def _object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise IngestError(field, "must be an object")
    return value


def parse_article(data: Any, field: str = "article") -> ArticleInput:
    data = _object(data, field)
    url = _text(data.get("url"), f"{field}.url", max_chars=MAX_URL_CHARS)
    if url and not url.lower().startswith(("http://", "https://")):
        raise IngestError(f"{field}.url", "must be an http(s) URL")
    body = data.get("body")
    return ArticleInput(
        external_id=_identifier(data.get("id"), f"{field}.id"),
        url=url,
        title=_text(data.get("title"), f"{field}.title", max_chars=MAX_TITLE_CHARS),
        author_name=_text(data.get("author"), f"{field}.author", max_chars=MAX_NAME_CHARS),
        published_at=_datetime(data.get("published_at"), f"{field}.published_at"),
        body=None if body is None else _text(body, f"{field}.body", max_chars=MAX_ARTICLE_BODY_CHARS),
    )


def parse_author(data: Any, field: str = "author") -> AuthorInput | None:
    if data is None:
        return None
    data = _object(data, field)
    return AuthorInput(
        external_id=_identifier(data.get("id"), f"{field}.id"),
        display_name=_text(data.get("name"), f"{field}.name", max_chars=MAX_NAME_CHARS),
    )


def parse_comment(data: Any, field: str = "data", *, original: bool = False) -> CommentInput:
    data = _object(data, field)
    external_id = _identifier(data.get("id"), f"{field}.id")
    parent_external_id = _identifier(data.get("parent_id"), f"{field}.parent_id", required=False)
    if parent_external_id == external_id:
        raise IngestError(f"{field}.parent_id", "a comment cannot reply to itself")
    if "body" not in data:
        raise IngestError(f"{field}.body", "is required")
    return CommentInput(
        external_id=external_id,
        article=parse_article(data.get("article"), f"{field}.article"),
        body=_text(data.get("body"), f"{field}.body", max_chars=MAX_BODY_CHARS, strip=False).strip("\r\n"),
        author=parse_author(data.get("author"), f"{field}.author"),
        parent_external_id=parent_external_id,
        created_at=_datetime(data.get("created_at"), f"{field}.created_at"),
        edited_at=_datetime(data.get("edited_at"), f"{field}.edited_at"),
        original=original,
    )


def parse_event(raw: Any) -> Event:
    """Validate one event: ``{"type": "comment.created", "data": {...}}``."""
    raw = _object(raw, "event")
    event_type = raw.get("type")
    if event_type not in EVENT_TYPES:
        raise IngestError("type", f"must be one of {', '.join(EVENT_TYPES)}")
    data = raw.get("data")
    if event_type == "article.upserted":
        return Event(type=event_type, article=parse_article(data, "data"))
    if event_type == "comment.deleted":
        data = _object(data, "data")
        article = parse_article(data["article"], "data.article") if data.get("article") is not None else None
        return Event(type=event_type, article=article, comment_external_id=_identifier(data.get("id"), "data.id"))
    return Event(type=event_type, comment=parse_comment(data, "data", original=event_type == "comment.created"))


# The field parsers, for adapters that map other platforms' formats onto these inputs.
text_field = _text
identifier_field = _identifier
datetime_field = _datetime
