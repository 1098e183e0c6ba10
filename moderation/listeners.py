"""What moderation does when comments/ says a comment changed (see comments.events)."""
from __future__ import annotations

from comments.events import Change
from comments.models import Comment

from .services.reviews import review_reopen_after_edit
from .services.scoring import scoring_mark_pending


def comment_changed(comment: Comment, change: Change) -> None:
    if change == Change.EDITED:
        review_reopen_after_edit(comment=comment)
    scoring_mark_pending(comment=comment, change=change)
