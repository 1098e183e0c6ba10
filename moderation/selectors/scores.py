"""Stored scores, as other rooms read them."""
from __future__ import annotations

from typing import Iterable

from comments.models import Comment

from ..models import Score


def text_scores(*, comment: Comment, kinds: Iterable[str]) -> dict[str, Score]:
    """Per kind, the newest stored score of the comment's current text (kinds not scored yet are absent)."""
    found: dict[str, Score] = {}
    for score in Score.objects.filter(comment=comment, content_hash=comment.content_hash, kind__in=list(kinds)).order_by("-pk"):
        found.setdefault(score.kind, score)
    return found
