"""WordPress comment objects, shaped as its REST API returns them
(GET /wp-json/wp/v2/comments): ``id``, ``post``, ``parent`` (0: top level),
``author`` (0: a guest), ``author_name``, ``date_gmt`` (no zone: UTC),
``content.rendered`` (HTML), ``link``, ``status`` (approved, hold, spam, trash)."""
from __future__ import annotations

from typing import Any

from comments.fields import datetime_field, integer_field, text_field
from comments.schema import MAX_BODY_CHARS, ArticleInput, AuthorInput, CommentInput, Event

from ..base import require_object
from ..text import html_to_text

REMOVED_STATUSES = ("spam", "trash")


def _int(value: Any, field: str, *, required: bool = True) -> int:
    return integer_field(value, field, required=required) or 0


def wordpress_event(raw: Any) -> Event:
    """One REST comment object as an ingestion event."""
    comment = require_object(raw, "comment")
    comment_id = _int(comment.get("id"), "id")
    post_id = _int(comment.get("post"), "post")
    parent_id = _int(comment.get("parent"), "parent", required=False)
    link = text_field(comment.get("link"), "link", max_chars=2000)
    article = ArticleInput(
        external_id=str(post_id),
        url=link.split("#", 1)[0] if link.lower().startswith(("http://", "https://")) else "",
    )
    status = text_field(comment.get("status"), "status", max_chars=20) or "approved"
    if status in REMOVED_STATUSES:
        return Event(type="comment.deleted", article=article, comment_external_id=str(comment_id))
    content = require_object(comment.get("content"), "content")
    rendered = text_field(content.get("rendered"), "content.rendered", max_chars=MAX_BODY_CHARS * 2, required=True, strip=False)
    # Markup with no text (``<p></p>``) is an empty comment, refused as the generic body is.
    body = text_field(html_to_text(rendered), "content.rendered", max_chars=MAX_BODY_CHARS, required=True)
    name = text_field(comment.get("author_name"), "author_name", max_chars=200)
    author_id = _int(comment.get("author"), "author", required=False)
    author = AuthorInput(external_id=str(author_id) if author_id else f"guest:{name}"[:255], display_name=name)
    return Event(type="comment.created", comment=CommentInput(
        external_id=str(comment_id),
        article=article,
        body=body,
        author=author if (author_id or name) else None,
        parent_external_id=str(parent_id) if parent_id else "",
        created_at=datetime_field(comment.get("date_gmt"), "date_gmt"),
    ))
