"""Which models are scoring now, so the queue can say so plainly."""
from __future__ import annotations

from ..models import ActiveScorer


def active_scorers() -> list[ActiveScorer]:
    return list(ActiveScorer.objects.order_by("kind"))
