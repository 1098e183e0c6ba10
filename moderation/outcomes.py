"""Callbacks run inside a moderation transaction when a comment's outcome changes.

Moderation knows nothing of webhooks; the webhooks app registers a hook here
(in its AppConfig.ready), so the outbound event it records commits or rolls
back together with the decision or the hold itself.
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


ModeratedHook = Callable[[Moderated], None]
_hooks: list[ModeratedHook] = []


def register_moderated_hook(hook: ModeratedHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def run_moderated_hooks(outcome: Moderated) -> None:
    for hook in _hooks:
        hook(outcome)
