"""Events of comments/: listeners run inside the transaction when a comment's
text changes or a site is created.

``comments`` knows nothing of moderation; ``moderation`` listens here (from its
AppConfig.ready), so that marking a comment "needs scoring", or giving a new
site its default rejection reasons, commits or rolls back together with the
comment or the site itself.
"""
from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .models import Comment, Site


class Change(str, Enum):
    CREATED = "created"
    EDITED = "edited"
    REMOVED = "removed"


CommentListener = Callable[["Comment", Change], None]
_listeners: list[CommentListener] = []


def listen_comment_changed(listener: CommentListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def emit_comment_changed(comment: "Comment", change: Change) -> None:
    for listener in _listeners:
        listener(comment, change)


SiteListener = Callable[["Site"], None]
_site_listeners: list[SiteListener] = []


def listen_site_created(listener: SiteListener) -> None:
    if listener not in _site_listeners:
        _site_listeners.append(listener)


def emit_site_created(site: "Site") -> None:
    for listener in _site_listeners:
        listener(site)
