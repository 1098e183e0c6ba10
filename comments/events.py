"""Events of comments/: listeners run inside the ingestion transaction when a comment's text changes.

``comments`` knows nothing of scoring; ``moderation`` listens here (from its
AppConfig.ready), so that marking a comment "needs scoring" commits or rolls
back together with the comment itself.
"""
from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .models import Comment


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
