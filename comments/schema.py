"""The ingestion schema: validate raw dicts (JSON Lines, webhooks, API) into typed inputs.

Validation happens before anything is written, so bad input never touches
stored data; every error names the field it is about. The field parsers
themselves, and their bounds, are in ``comments.fields``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .fields import MAX_ID_LENGTH, IngestError, datetime_field, identifier_field, text_field

MAX_BODY_CHARS = 100_000
MAX_ARTICLE_BODY_CHARS = 1_000_000
MAX_TITLE_CHARS = 500
MAX_NAME_CHARS = 200
MAX_URL_CHARS = 2000

EVENT_TYPES = ("article.upserted", "comment.created", "comment.edited", "comment.deleted")


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


def _object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise IngestError(field, "must be an object")
    return value


def parse_article(data: Any, field: str = "article") -> ArticleInput:
    data = _object(data, field)
    url = text_field(data.get("url"), f"{field}.url", max_chars=MAX_URL_CHARS)
    if url and not url.lower().startswith(("http://", "https://")):
        raise IngestError(f"{field}.url", "must be an http(s) URL")
    body = data.get("body")
    return ArticleInput(
        external_id=identifier_field(data.get("id"), f"{field}.id"),
        url=url,
        title=text_field(data.get("title"), f"{field}.title", max_chars=MAX_TITLE_CHARS),
        author_name=text_field(data.get("author"), f"{field}.author", max_chars=MAX_NAME_CHARS),
        published_at=datetime_field(data.get("published_at"), f"{field}.published_at"),
        body=None if body is None else text_field(body, f"{field}.body", max_chars=MAX_ARTICLE_BODY_CHARS),
    )


def parse_author(data: Any, field: str = "author") -> AuthorInput | None:
    if data is None:
        return None
    data = _object(data, field)
    return AuthorInput(
        external_id=identifier_field(data.get("id"), f"{field}.id"),
        display_name=text_field(data.get("name"), f"{field}.name", max_chars=MAX_NAME_CHARS),
    )


def parse_comment(data: Any, field: str = "data", *, original: bool = False) -> CommentInput:
    data = _object(data, field)
    external_id = identifier_field(data.get("id"), f"{field}.id")
    parent_external_id = identifier_field(data.get("parent_id"), f"{field}.parent_id", required=False)
    if parent_external_id == external_id:
        raise IngestError(f"{field}.parent_id", "a comment cannot reply to itself")
    return CommentInput(
        external_id=external_id,
        article=parse_article(data.get("article"), f"{field}.article"),
        # Required: a comment is its text. A deletion is comment.deleted, not an empty body.
        body=text_field(data.get("body"), f"{field}.body", max_chars=MAX_BODY_CHARS, required=True, strip=False).strip("\r\n"),
        author=parse_author(data.get("author"), f"{field}.author"),
        parent_external_id=parent_external_id,
        created_at=datetime_field(data.get("created_at"), f"{field}.created_at"),
        edited_at=datetime_field(data.get("edited_at"), f"{field}.edited_at"),
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
        return Event(type=event_type, article=article, comment_external_id=identifier_field(data.get("id"), "data.id"))
    return Event(type=event_type, comment=parse_comment(data, "data", original=event_type == "comment.created"))

