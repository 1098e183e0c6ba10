"""Events of moderation/: listeners run inside a moderation transaction when a comment is moderated.

Moderation knows nothing of webhooks; the webhooks app listens here (from its
AppConfig.ready), so the outbound event it records commits or rolls back
together with the decision or the hold itself.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from comments.models import Comment


@dataclass(frozen=True)
class Moderated:
    comment: Comment
    action: str  # approved | rejected | held | undone
    status: str  # the comment's status afterwards: visible | held | removed
    at: dt.datetime
    reason: str = ""
    moderator: str = ""  # empty: the flag policy acted
    decision_id: int | None = None


ModeratedListener = Callable[[Moderated], None]
_listeners: list[ModeratedListener] = []


def listen_moderated(listener: ModeratedListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def emit_moderated(event: Moderated) -> None:
    for listener in _listeners:
        listener(event)
