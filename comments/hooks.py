"""Callbacks run inside the ingestion transaction when a comment's text changes.

``comments`` knows nothing of scoring; ``moderation`` registers a hook here
(in its AppConfig.ready) so that marking a comment "needs scoring" commits or
rolls back together with the comment itself.
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


CommentHook = Callable[["Comment", Change], None]
_hooks: list[CommentHook] = []


def register_comment_hook(hook: CommentHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def run_comment_hooks(comment: "Comment", change: Change) -> None:
    for hook in _hooks:
        hook(comment, change)
