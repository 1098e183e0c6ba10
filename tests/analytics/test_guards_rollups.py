"""The guards of the rollups: an undo is seen even when it changes no
comment's status, and a score exactly at its threshold counts as above it."""
import pytest

from analytics.models import LabelDay, ModeratorDay, SiteDay
from analytics.services.rollups import rollups_rebuild, rollups_update
from moderation.services.decisions import decision_undo_last
from tests.factories import scored_comment

from .conftest import days_ago, decide

pytestmark = pytest.mark.django_db


def site_days(site):
    return list(SiteDay.objects.filter(site=site).order_by("day").values(
        "day", "comments", "approved", "rejected", "flags_decided", "decided_flagged_approved"))


def moderator_days(site):
    return list(ModeratorDay.objects.filter(site=site).order_by("day").values(
        "day", "moderator_id", "approved", "rejected", "escalated"))


@pytest.mark.parametrize("action", ["approve", "escalate"])
def test_an_undo_that_changes_no_status_is_seen_by_the_next_update(site, moderator, action, settings):
    # A flagged comment that is not held: approving or escalating it leaves it visible, and so does the undo.
    # No lag: the decision itself is older than the watermark, only the undo says something changed.
    settings.ANALYTICS_LAG_SECONDS = 0
    item = scored_comment(site, "c1", created_at=days_ago(1), toxicity={"toxicity": 0.9})
    rollups_update()
    decide(moderator, item, action)
    rollups_update()
    counted = {"approve": "approved", "escalate": "escalated"}[action]
    assert sum(row[counted] for row in moderator_days(site)) == 1
    decision_undo_last(user=moderator)
    rollups_update()
    assert sum(row["approved"] + row["escalated"] for row in moderator_days(site)) == 0
    assert sum(row["approved"] for row in site_days(site)) == 0
    updated = (site_days(site), moderator_days(site))
    rollups_rebuild()
    assert (site_days(site), moderator_days(site)) == updated


def test_a_score_exactly_at_the_threshold_counts_as_above_it(site):
    scored_comment(site, "at", created_at=days_ago(1), toxicity={"toxicity": 0.80})
    scored_comment(site, "under", created_at=days_ago(1), toxicity={"toxicity": 0.7999})
    rollups_rebuild()
    toxicity = LabelDay.objects.get(site=site, day=days_ago(1).date(), label="toxicity")
    assert (toxicity.scored, toxicity.above) == (2, 1)
