"""Why a moderator's request was refused, in words the UI shows as they are.

The type says what kind of refusal it is, so a view maps types to statuses
(``views/decisions.py``) and never reads the message to decide."""
from __future__ import annotations


class ModerationRefused(Exception):
    """The request is not allowed (role, window, state); nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DecisionConflict(ModerationRefused):
    """Someone else changed the item first; nothing was overwritten."""


class StaleDecision(DecisionConflict):
    """The decision was made on an older version of the item's review (another moderator decided first)."""


class CommentChangedMeanwhile(DecisionConflict):
    """The platform changed the comment's status while the moderator decided."""


class ItemBeingReviewed(ModerationRefused):
    """Another moderator holds the item (an unexpired claim); it is theirs to decide until it expires."""
