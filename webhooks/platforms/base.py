"""What every platform adapter provides. One folder per platform, each with
the fixtures its tests send."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from django.conf import settings

from comments import fields
from comments.fields import IngestError
from comments.models import Site
from comments.schema import CommentInput


@dataclass(frozen=True)
class NamedParent:
    """The parent a reply names, checked at the door against what is stored:
    a reply's parent must be in the same article."""

    field: str  # the platform's own name for it, for the 400
    article_external_id: str
    parent_external_id: str


@dataclass(frozen=True)
class Accepted:
    """A verified, valid delivery, ready to store."""

    delivery_id: str
    event_type: str
    parent: NamedParent | None = None  # None: not a reply, or a parent only the worker can resolve


def comment_named_parent(comment: CommentInput | None, *, field: str) -> NamedParent | None:
    if comment is None or not comment.parent_external_id:
        return None
    return NamedParent(field=field, article_external_id=comment.article.external_id,
                       parent_external_id=comment.parent_external_id)


class Platform(Protocol):
    name: str  # the delivery's source and the purpose of the site's signing secret
    stored_headers: tuple[str, ...]  # lower-case names kept with the delivery

    def verify(self, *, headers: Mapping[str, str], body: bytes, secrets: list[str]) -> None:
        """Raise SignatureInvalid unless one of ``secrets`` signed the request."""

    def accept(self, *, headers: Mapping[str, str], payload: Any) -> Accepted | None:
        """Validate before storing (IngestError names the field); None: nothing to do (a ping)."""

    def apply(self, *, site: Site, headers: Mapping[str, str], payload: Any) -> None:
        """Ingest a stored delivery; runs inside the transaction that marks it done."""


def parse_json(body: bytes, *, max_bytes: int | None = None) -> Any:
    """A delivery's body: at most WEBHOOK_MAX_BODY_BYTES (or ``max_bytes``), nesting and integers bounded."""
    limit = settings.WEBHOOK_MAX_BODY_BYTES if max_bytes is None else max_bytes
    return fields.parse_json(body, field="body", max_bytes=limit)


def require_object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise IngestError(field, "must be an object")
    return value


def require_header(headers: Mapping[str, str], name: str) -> str:
    value = (headers.get(name) or "").strip()
    if not value:
        raise IngestError(f"header {name}", "is required")
    if len(value) > 255:
        raise IngestError(f"header {name}", "is longer than 255 characters")
    return value
