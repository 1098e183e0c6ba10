"""Why a moderator's request was refused, in words the UI shows as they are."""
from __future__ import annotations


class ModerationRefused(Exception):
    """The request is not allowed (role, window, state); nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DecisionConflict(ModerationRefused):
    """Someone else changed the item first; nothing was overwritten."""
