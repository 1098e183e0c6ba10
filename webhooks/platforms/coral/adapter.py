"""Coral Talk webhooks (Admin → Configure → Webhooks). Signed
``X-Coral-Signature: sha256=<hex HMAC-SHA256(signing secret, body)>``, with
several comma-separated signatures while Coral rolls its secret. Body:
``{"id", "type", "data", "createdAt", "tenantID", "tenantDomain"}``; the
comment events carry ids only (``data.commentID``, ``data.storyID``,
``data.ancestorIDs`` for replies), so processing fetches the text through
Coral's GraphQL API with the site's access token (PlatformConnection)."""
from __future__ import annotations

from typing import Any

from comments.fields import IngestError, datetime_field, identifier_field, text_field
from comments.schema import MAX_BODY_CHARS, ArticleInput, AuthorInput, CommentInput
from comments.services import article_upsert, comment_upsert

from ...models import PlatformConnection
from ...signing import sha256_header_verify
from ..base import Accepted, NamedParent, require_object
from ..text import html_to_text
from .api import coral_comment_fetch

COMMENT_EVENTS = ("COMMENT_CREATED", "COMMENT_REPLY_CREATED")
STORY_EVENTS = ("STORY_CREATED",)


def parse_coral(payload: Any) -> tuple[str, dict]:
    payload = require_object(payload, "body")
    event_type = payload.get("type")
    if not isinstance(event_type, str):
        raise IngestError("type", "is required")
    identifier_field(payload.get("id"), "id")
    data = require_object(payload.get("data"), "data")
    if event_type in STORY_EVENTS:
        identifier_field(data.get("storyID"), "data.storyID")
        url = text_field(data.get("storyURL"), "data.storyURL", max_chars=2000)
        if url and not url.lower().startswith(("http://", "https://")):
            raise IngestError("data.storyURL", "must be an http(s) URL")
    elif event_type in COMMENT_EVENTS:
        identifier_field(data.get("commentID"), "data.commentID")
        identifier_field(data.get("storyID"), "data.storyID")
        ancestors = data.get("ancestorIDs", [])
        if not isinstance(ancestors, list) or len(ancestors) > 1000 or not all(isinstance(a, str) for a in ancestors):
            raise IngestError("data.ancestorIDs", "must be a list of ids")
        for index, ancestor in enumerate(ancestors):
            identifier_field(ancestor, f"data.ancestorIDs.{index}")
    return event_type, data


def _comment_input(fetched: dict, data: dict) -> CommentInput:
    story = fetched.get("story") if isinstance(fetched.get("story"), dict) else {}
    metadata = story.get("metadata") if isinstance(story.get("metadata"), dict) else {}
    author = fetched.get("author") if isinstance(fetched.get("author"), dict) else None
    parent = fetched.get("parent") if isinstance(fetched.get("parent"), dict) else None
    ancestors = data.get("ancestorIDs") or []
    url = text_field(story.get("url"), "story.url", max_chars=2000)
    return CommentInput(
        external_id=identifier_field(data["commentID"], "data.commentID"),
        article=ArticleInput(
            external_id=identifier_field(data["storyID"], "data.storyID"),
            url=url if url.lower().startswith(("http://", "https://")) else "",
            title=text_field(metadata.get("title"), "story.metadata.title", max_chars=500),
        ),
        body=text_field(html_to_text(text_field(fetched.get("body"), "comment.body", max_chars=MAX_BODY_CHARS * 2,
                                                required=True, strip=False)),
                        "comment.body", max_chars=MAX_BODY_CHARS, required=True),
        author=AuthorInput(external_id=identifier_field(author.get("id"), "comment.author.id"),
                           display_name=text_field(author.get("username"), "comment.author.username", max_chars=200))
        if author and author.get("id") else None,
        parent_external_id=identifier_field(parent.get("id"), "comment.parent.id") if parent and parent.get("id")
        else (ancestors[0] if ancestors else ""),
        created_at=datetime_field(fetched.get("createdAt"), "comment.createdAt"),
        original=True,
    )


class CoralPlatform:
    name = "coral"
    stored_headers = ("content-type", "user-agent")

    def verify(self, *, headers, body, secrets) -> None:
        sha256_header_verify(secrets_=secrets, header=headers.get("x-coral-signature", ""), body=body)

    def accept(self, *, headers, payload) -> Accepted | None:
        event_type, data = parse_coral(payload)
        if event_type not in (*COMMENT_EVENTS, *STORY_EVENTS):
            return None
        ancestors = (data.get("ancestorIDs") or []) if event_type in COMMENT_EVENTS else []
        # The fetched comment's parent is only known in the worker; the event's ancestors are known now.
        parent = NamedParent(
            field="data.ancestorIDs", article_external_id=identifier_field(data["storyID"], "data.storyID"),
            parent_external_id=ancestors[0],
        ) if ancestors else None
        return Accepted(delivery_id=str(payload["id"]), event_type=event_type, parent=parent)

    def apply(self, *, site, headers, payload) -> None:
        event_type, data = parse_coral(payload)
        if event_type in STORY_EVENTS:
            article_upsert(site=site, data=ArticleInput(external_id=str(data["storyID"]), url=data.get("storyURL") or ""))
            return
        connection = PlatformConnection.objects.filter(site=site).first()
        fetched = coral_comment_fetch(connection=connection, comment_id=str(data["commentID"]))
        comment_upsert(site=site, data=_comment_input(fetched, data))
