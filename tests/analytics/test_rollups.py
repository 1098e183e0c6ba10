"""The rollups against a direct computation on the same data; the watermark."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from analytics.models import ArticleDay, AuthorStat, LabelDay, ModeratorDay, SiteDay, Watermark
from analytics.periods import APPROVED_FIELDS, LABELS, LATENCY_FIELDS, REJECTED_FIELDS
from analytics.services.rollups import rollups_rebuild, rollups_update, site_thresholds
from comments.models import Comment
from moderation.models import Review
from moderation.services.flags import flag_policy_update
from tests.factories import scored_comment

from .conftest import days_ago, decide

pytestmark = pytest.mark.django_db

SITE_FIELDS = ("comments", "scored", "flagged", "held", "removed", "approved", "rejected", "authors_active")


def direct_site_days(site) -> dict[dt.date, dict]:
    """The same numbers computed the slow way, comment by comment."""
    out: dict[dt.date, dict] = {}
    for comment in Comment.objects.filter(site=site).select_related("flag", "review", "scoring__toxicity_score"):
        day = comment.created_at.astimezone(dt.timezone.utc).date()
        row = out.setdefault(day, {name: 0 for name in SITE_FIELDS} | {"_authors": set()})
        flag = getattr(comment, "flag", None) if hasattr(comment, "flag") else None
        review = comment.review if hasattr(comment, "review") else None
        row["comments"] += 1
        row["scored"] += comment.scoring.toxicity_score_id is not None
        row["flagged"] += flag is not None and flag.state in ("needs_review", "held")
        row["held"] += comment.status == "held"
        row["removed"] += comment.status == "removed"
        row["approved"] += review is not None and review.state == "approved"
        row["rejected"] += review is not None and review.state == "rejected"
        row["_authors"].add(comment.author_id)
    for row in out.values():
        row["authors_active"] = len(row.pop("_authors"))
    return out


def direct_label_above(site) -> dict[tuple[dt.date, str], int]:
    thresholds = site_thresholds(site_id=site.pk)
    out: dict[tuple[dt.date, str], int] = {}
    for comment in Comment.objects.filter(site=site).select_related("scoring__toxicity_score", "scoring__framing_score"):
        labels = {**comment.scoring.toxicity_score.labels, **comment.scoring.framing_score.labels}
        day = comment.created_at.astimezone(dt.timezone.utc).date()
        for label in LABELS:
            if labels.get(label, -1) >= thresholds[label]:
                out[(day, label)] = out.get((day, label), 0) + 1
    return out


def stored_site_days(site) -> dict[dt.date, dict]:
    return {row["day"]: {name: row[name] for name in SITE_FIELDS}
            for row in SiteDay.objects.filter(site=site, comments__gt=0).values("day", *SITE_FIELDS)}


def stored_label_above(site) -> dict[tuple[dt.date, str], int]:
    return {(r.day, r.label): r.above for r in LabelDay.objects.filter(site=site, above__gt=0)}


def test_rebuild_matches_a_direct_count(busy_site):
    rollups_rebuild()
    assert stored_site_days(busy_site) == direct_site_days(busy_site)
    assert stored_label_above(busy_site) == direct_label_above(busy_site)
    assert sum(r.comments for r in ArticleDay.objects.filter(site=busy_site)) == 6
    assert ArticleDay.objects.get(site=busy_site, article__external_id="a2", day=days_ago(1).date()).framing == 1


def test_moderation_counts_land_on_the_decision_day(busy_site, moderator):
    rollups_rebuild()
    today = SiteDay.objects.get(site=busy_site, day=days_ago(0).date())
    # c2 (toxic, flagged) rejected, c3 (framing, flagged) approved, c5 (never flagged) rejected: all today.
    assert (today.flags_decided, today.decided_flagged_rejected, today.decided_flagged_approved,
            today.decided_unflagged_rejected) == (2, 1, 1, 1)
    assert sum(getattr(today, name) for name in LATENCY_FIELDS) == 2
    mod = ModeratorDay.objects.get(site=busy_site, moderator=moderator)
    assert (mod.approved, mod.rejected) == (1, 2)
    toxicity = LabelDay.objects.get(site=busy_site, day=days_ago(0).date(), label="toxicity")
    rejected = [getattr(toxicity, name) for name in REJECTED_FIELDS]
    approved = [getattr(toxicity, name) for name in APPROVED_FIELDS]
    bins = rejected + approved
    # c2 (0.91) and c5 (0.02) rejected, c3 (0.02) approved
    assert (rejected[18], rejected[0], approved[0], sum(bins)) == (1, 1, 1, 3)


def test_author_records_count_new_authors_on_their_first_day(busy_site):
    rollups_rebuild()
    ann = AuthorStat.objects.get(author__external_id="ann")
    assert (ann.comments, ann.flagged, ann.rejected) == (2, 1, 0)
    assert AuthorStat.objects.get(author__external_id="bob").rejected == 1
    new = {row.day: row.authors_new for row in SiteDay.objects.filter(site=busy_site)}
    assert new[days_ago(2).date()] == 2 and new[days_ago(1).date()] == 1 and new[days_ago(0).date()] == 1


def test_update_after_changes_equals_a_rebuild(busy_site, moderator):
    rollups_update()  # first run: a rebuild
    scored_comment(busy_site, "c7", article="a1", author="eve", created_at=days_ago(0, 3), toxicity={"insult": 0.9})
    decide(moderator, Comment.objects.get(external_id="c6"), "approve")
    outcome = rollups_update()
    assert not outcome.rebuilt
    assert stored_site_days(busy_site) == direct_site_days(busy_site)
    assert stored_label_above(busy_site) == direct_label_above(busy_site)
    snapshot = list(SiteDay.objects.filter(site=busy_site).order_by("day").values())
    rollups_update()  # nothing new: the same rows, nothing counted twice
    assert list(SiteDay.objects.filter(site=busy_site).order_by("day").values()) == [
        {**row, "id": row_id} for row, row_id in zip(snapshot, SiteDay.objects.filter(site=busy_site).order_by("day").values_list("id", flat=True))
    ]


def test_a_comment_committed_late_with_an_earlier_time_is_still_counted(busy_site, settings):
    settings.ANALYTICS_LAG_SECONDS = 300
    rollups_update()
    position = Watermark.objects.get().position
    # A transaction that began before the update ran and committed after it:
    # its rows carry times from before the watermark.
    late = scored_comment(busy_site, "late", article="a1", author="fay", created_at=days_ago(1, 15))
    before = position - dt.timedelta(seconds=60)
    Comment.objects.filter(pk=late.pk).update(updated_at=before)
    late.scoring.__class__.objects.filter(pk=late.pk).update(scored_at=before)
    rollups_update()
    assert stored_site_days(busy_site) == direct_site_days(busy_site)
    rollups_update()
    assert SiteDay.objects.get(site=busy_site, day=days_ago(1).date()).comments == 3


def test_a_change_older_than_the_lag_is_missed_until_a_rebuild(busy_site, settings):
    """What the lag is for: the update reads back exactly that far and no further."""
    settings.ANALYTICS_LAG_SECONDS = 0
    rollups_update()
    late = scored_comment(busy_site, "late", article="a1", author="fay", created_at=days_ago(1, 15))
    long_ago = Watermark.objects.get().position - dt.timedelta(seconds=60)
    Comment.objects.filter(pk=late.pk).update(updated_at=long_ago)
    late.scoring.__class__.objects.filter(pk=late.pk).update(scored_at=long_ago)
    rollups_update()
    assert SiteDay.objects.get(site=busy_site, day=days_ago(1).date()).comments == 2
    rollups_rebuild()
    assert SiteDay.objects.get(site=busy_site, day=days_ago(1).date()).comments == 3


def test_undo_moves_the_decision_out_of_its_day(busy_site, moderator):
    from moderation.services.decisions import decision_undo_last

    c6 = Comment.objects.get(external_id="c6")
    rollups_update()
    decide(moderator, c6, "reject")
    rollups_update()
    assert SiteDay.objects.get(site=busy_site, day=days_ago(0).date()).rejected == 2
    decision_undo_last(user=moderator)
    rollups_update()
    assert stored_site_days(busy_site) == direct_site_days(busy_site)
    assert Review.objects.get(pk=c6.pk).state == "open"


def test_a_new_threshold_recounts_the_site(busy_site):
    rollups_update()
    assert LabelDay.objects.get(site=busy_site, day=days_ago(2).date(), label="toxicity").above == 1
    flag_policy_update(site=busy_site, rules={"toxicity": {"threshold": 0.01, "action": "review"}})
    rollups_update()
    assert LabelDay.objects.get(site=busy_site, day=days_ago(2).date(), label="toxicity").above == 2
    assert stored_site_days(busy_site) == direct_site_days(busy_site)


def test_rebuilding_one_site_leaves_the_watermark_for_the_others(busy_site):
    from tests.factories import SiteFactory

    other = SiteFactory(slug="other")
    scored_comment(other, "o1", article="x", created_at=days_ago(0, 2))
    rollups_rebuild(site_ids=[busy_site.pk])
    assert not Watermark.objects.filter(position__isnull=False).exists()
    assert not SiteDay.objects.filter(site=other).exists()
    rollups_update()  # the first real run: everything
    assert SiteDay.objects.get(site=other, day=days_ago(0).date()).comments == 1
