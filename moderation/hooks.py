"""The hook moderation registers with comments/ (see comments.hooks)."""
from __future__ import annotations

from comments.hooks import Change
from comments.models import Comment

from .services.scoring import scoring_mark_pending


def comment_changed(comment: Comment, change: Change) -> None:
    scoring_mark_pending(comment=comment, change=change)
