"""A site with a few days of comments: calm and flagged, approved and rejected."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from moderation.models import RejectionReason, Review
from moderation.services.decisions import decision_make
from tests.factories import scored_comment
from tests.moderation.conftest import moderator, owner, site  # noqa: F401  (the shared named users)


def days_ago(days: int, hour: int = 10) -> dt.datetime:
    today = timezone.now().astimezone(dt.timezone.utc).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=days)


def decide(user, comment, action: str, *, at: dt.datetime | None = None):
    reason = RejectionReason.objects.filter(site_id=comment.site_id).first() if action == "reject" else None
    version = Review.objects.filter(pk=comment.pk).values_list("version", flat=True).first() or 0
    return decision_make(user=user, comment=comment, action=action, expected_version=version, reason=reason, now=at)


@pytest.fixture
def busy_site(site, moderator):
    """Comments over three days on two articles by three authors, some flagged,
    some decided (a decision on a comment from an earlier day)."""
    made = []
    made.append(scored_comment(site, "c1", article="a1", author="ann", created_at=days_ago(2)))
    made.append(scored_comment(site, "c2", article="a1", author="bob", parent="c1", created_at=days_ago(2, 11),
                               toxicity={"toxicity": 0.91, "insult": 0.85}))
    made.append(scored_comment(site, "c3", article="a2", author="cat", created_at=days_ago(1),
                               framing=0.8))
    made.append(scored_comment(site, "c4", article="a2", author="ann", created_at=days_ago(1, 12),
                               toxicity={"threat": 0.7}))
    made.append(scored_comment(site, "c5", article="a1", author="dan", created_at=days_ago(0, 1)))
    made.append(scored_comment(site, "c6", article="a2", author="bob", created_at=days_ago(0, 2),
                               toxicity={"toxicity": 0.95}))
    decide(moderator, made[1], "reject")
    decide(moderator, made[2], "approve")
    decide(moderator, made[4], "reject")  # never flagged
    return site
