"""What happens to a decided review when the comment's text changes under it."""
from __future__ import annotations

from django.db.models import F

from comments.models import Comment

from ..models import Review
from .audit import audit_record


def review_reopen_after_edit(*, comment: Comment) -> bool:
    """An approval covered the text the moderator read. When the author edits
    it, the review opens again, so the flag policy judges the new text and a
    flagged edit returns to the queue. A rejection stands: the comment stays
    removed whatever it now says. The version bump refuses any decision
    still open on a moderator's screen for the old text."""
    reopened = Review.objects.filter(pk=comment.pk, state=Review.State.APPROVED).update(
        state=Review.State.OPEN, version=F("version") + 1,
    )
    if reopened:
        audit_record(
            actor=None, action="review.reopened", comment=comment,
            before={"state": Review.State.APPROVED}, after={"state": Review.State.OPEN, "why": "edited after approval"},
        )
    return bool(reopened)
