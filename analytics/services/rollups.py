"""Filling the analytics rollups up to the watermark, or rebuilding them.

An update finds what changed since the watermark (less a safety lag, so a
transaction that stamped its rows before the last run but committed after it
is still seen), turns that into keys (site and day, article, author), and
recomputes those keys *whole* from the source tables in one transaction.
Recomputing a key twice gives the same rows, so the overlap the lag causes
never counts anything twice, and a comment that arrives while an update runs
is picked up by the next one.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, FloatField, Max, Min, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from comments.models import Article, Comment, Site
from comments.readable import readable
from moderation.models import CommentScoring, Decision, Flag, FlagPolicy, Review

from ..models import ArticleDay, AuthorStat, LabelDay, ModeratorDay, SiteDay, Watermark
from ..periods import (
    APPROVED_FIELDS, FRAMING_LABEL, LABELS, LATENCY_FIELDS, REJECTED_FIELDS, SCORE_BINS, latency_bin, score_bin,
)
from ..thresholds import site_thresholds
from .heat import heat_refresh_articles
from .rollup_failures import rollup_failure_clear, rollup_failure_record, rollup_sites_given_up, rollup_sites_retrying

log = logging.getLogger(__name__)
UTC = dt.timezone.utc
WATERMARK = "rollups"
FLAGGED = (Flag.State.NEEDS_REVIEW, Flag.State.HELD)
DECIDED = (Review.State.APPROVED, Review.State.REJECTED)
# A comment stored with a date Python cannot hold (comments/readable.py) is
# left out of every count, so it cannot stop its site's rollup; so is one on
# the last day of year 9999, whose next day (the end of its range) does not exist.
COUNTED = readable("created_at", until=dt.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=dt.timezone.utc))
COUNTED_ACTIONS = (Decision.Action.APPROVE, Decision.Action.REJECT, Decision.Action.ESCALATE)


@dataclass
class RollupResult:
    rebuilt: bool = False
    site_days: int = 0
    articles: int = 0
    authors: int = 0
    seconds: float = 0.0
    position: dt.datetime | None = None
    failed: dict[int, str] = field(default_factory=dict)  # site id -> error (recorded in RollupFailure)


@dataclass
class _Changes:
    days: dict[int, set[dt.date]] = field(default_factory=lambda: defaultdict(set))
    articles: set[int] = field(default_factory=set)
    authors: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    whole_sites: set[int] = field(default_factory=set)


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(UTC).date()


def _bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """[start, end] days as [start 00:00, the day after end 00:00) UTC."""
    low = dt.datetime.combine(start, dt.time.min, UTC) if start else None
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, UTC) if end else None
    return low, high


def _in(qs: QuerySet, name: str, low, high) -> QuerySet:
    if low is not None:
        qs = qs.filter(**{f"{name}__gte": low})
    if high is not None:
        qs = qs.filter(**{f"{name}__lt": high})
    return qs


def _with_labels(qs: QuerySet, prefix: str = "") -> QuerySet:
    """Each label's current score as a float column ``l_<label>`` (NULL when not scored for it)."""
    # KT() cannot follow relations itself: name the two JSON columns first.
    qs = qs.annotate(
        tox_labels=F(f"{prefix}scoring__toxicity_score__labels"), frame_labels=F(f"{prefix}scoring__framing_score__labels")
    )
    annotations = {}
    for label in LABELS:
        column = "frame_labels" if label == FRAMING_LABEL else "tox_labels"
        annotations[f"l_{label}"] = Cast(KT(f"{column}__{label}"), FloatField())
    return qs.annotate(**annotations)


# Comment day ---------------------------------------------------------------

def _comment_day_rows(site_id: int, low, high, thresholds: dict[str, float]):
    comments = _in(Comment.objects.filter(COUNTED, site_id=site_id), "created_at", low, high)
    comments = _with_labels(comments).annotate(day=TruncDate("created_at", tzinfo=UTC))
    per_day = comments.values("day").annotate(
        comments=Count("pk"),
        scored=Count("pk", filter=Q(scoring__toxicity_score__isnull=False)),
        flagged=Count("pk", filter=Q(flag__state__in=FLAGGED)),
        held=Count("pk", filter=Q(status=Comment.Status.HELD)),
        removed=Count("pk", filter=Q(status=Comment.Status.REMOVED)),
        approved=Count("pk", filter=Q(review__state=Review.State.APPROVED)),
        rejected=Count("pk", filter=Q(review__state=Review.State.REJECTED)),
        authors_active=Count("author_id", distinct=True),
        **{f"scored_{label}": Count("pk", filter=Q(**{f"l_{label}__isnull": False})) for label in LABELS},
        **{f"above_{label}": Count("pk", filter=Q(**{f"l_{label}__gte": thresholds[label]})) for label in LABELS},
    )
    framing = FRAMING_LABEL
    per_article = comments.values("day", "article_id").annotate(
        comments=Count("pk"),
        flagged=Count("pk", filter=Q(flag__state__in=FLAGGED)),
        framing=Count("pk", filter=Q(**{f"l_{framing}__gte": thresholds[framing]})),
        scored=Count("pk", filter=Q(**{f"l_{framing}__isnull": False})),
    )
    return list(per_day), list(per_article)


# Event day -----------------------------------------------------------------

def _decision_rows(site_id: int, low, high):
    reviews = _in(Review.objects.filter(site_id=site_id, state__in=DECIDED), "decided_at", low, high)
    reviews = _with_labels(reviews, prefix="comment__")
    return reviews.values("decided_at", "state", "comment__flag__state", "comment__flag__created_at", *[f"l_{l}" for l in LABELS])


def _event_day_rows(site_id: int, low, high):
    site_days: dict[dt.date, dict] = defaultdict(lambda: {
        "flags_opened": 0, "flags_decided": 0, "decided_flagged_rejected": 0, "decided_flagged_approved": 0,
        "decided_unflagged_rejected": 0,
    })
    # (day, label) -> [rejected per bin …, approved per bin …]
    score_bins: dict[tuple[dt.date, str], list[int]] = defaultdict(lambda: [0] * (2 * SCORE_BINS))
    opened = _in(Flag.objects.filter(site_id=site_id, state__in=FLAGGED), "created_at", low, high)
    for row in opened.annotate(day=TruncDate("created_at", tzinfo=UTC)).values("day").annotate(n=Count("pk")):
        site_days[row["day"]]["flags_opened"] = row["n"]
    for row in _decision_rows(site_id, low, high).iterator(chunk_size=5000):
        day = _day(row["decided_at"])
        entry = site_days[day]
        rejected = row["state"] == Review.State.REJECTED
        flagged = row["comment__flag__state"] in FLAGGED
        if flagged:
            entry["flags_decided"] += 1
            entry["decided_flagged_rejected" if rejected else "decided_flagged_approved"] += 1
            seconds = max(0.0, (row["decided_at"] - row["comment__flag__created_at"]).total_seconds())
            name = LATENCY_FIELDS[latency_bin(seconds)]
            entry[name] = entry.get(name, 0) + 1
        elif rejected:
            entry["decided_unflagged_rejected"] += 1
        for label in LABELS:
            value = row[f"l_{label}"]
            if value is not None:
                score_bins[(day, label)][score_bin(value) + (0 if rejected else SCORE_BINS)] += 1
    moderators = _in(
        Decision.objects.filter(site_id=site_id, undone_at__isnull=True, action__in=COUNTED_ACTIONS), "created_at", low, high
    ).annotate(day=TruncDate("created_at", tzinfo=UTC)).values("day", "moderator_id").annotate(
        approved=Count("pk", filter=Q(action=Decision.Action.APPROVE)),
        rejected=Count("pk", filter=Q(action=Decision.Action.REJECT)),
        escalated=Count("pk", filter=Q(action=Decision.Action.ESCALATE)),
    )
    return site_days, score_bins, list(moderators)


# Writing -------------------------------------------------------------------

def _recompute_range(site_id: int, start: dt.date | None, end: dt.date | None, thresholds: dict[str, float]) -> int:
    """Replace every day row of the site in [start, end] (None: unbounded) with fresh counts."""
    low, high = _bounds(start, end)
    per_day, per_article = _comment_day_rows(site_id, low, high, thresholds)
    event_days, score_bins, moderators = _event_day_rows(site_id, low, high)
    new_authors = _in(AuthorStat.objects.filter(site_id=site_id), "first_at", low, high).annotate(
        day=TruncDate("first_at", tzinfo=UTC)).values("day").annotate(n=Count("pk"))

    site_rows: dict[dt.date, SiteDay] = {}
    label_rows: dict[tuple[dt.date, str], LabelDay] = {}

    def site_row(day):
        return site_rows.setdefault(day, SiteDay(site_id=site_id, day=day))

    def label_row(day, label):
        return label_rows.setdefault((day, label), LabelDay(site_id=site_id, day=day, label=label))

    for row in per_day:
        target = site_row(row["day"])
        for name in ("comments", "scored", "flagged", "held", "removed", "approved", "rejected", "authors_active"):
            setattr(target, name, row[name])
        for label in LABELS:
            entry = label_row(row["day"], label)
            entry.scored, entry.above = row[f"scored_{label}"], row[f"above_{label}"]
    for row in new_authors:
        site_row(row["day"]).authors_new = row["n"]
    for day, values in event_days.items():
        target = site_row(day)
        for name, value in values.items():
            setattr(target, name, value)
    for (day, label), bins in score_bins.items():
        entry = label_row(day, label)
        for name, value in zip(REJECTED_FIELDS + APPROVED_FIELDS, bins):
            setattr(entry, name, value)

    for model in (SiteDay, LabelDay, ArticleDay, ModeratorDay):
        _in(model.objects.filter(site_id=site_id), "day", start, end + dt.timedelta(days=1) if end else None).delete()
    SiteDay.objects.bulk_create(site_rows.values(), batch_size=2000)
    LabelDay.objects.bulk_create(label_rows.values(), batch_size=2000)
    ArticleDay.objects.bulk_create((ArticleDay(site_id=site_id, **row) for row in per_article), batch_size=2000)
    ModeratorDay.objects.bulk_create((ModeratorDay(site_id=site_id, **row) for row in moderators), batch_size=2000)
    return len(site_rows)


def _recompute_authors(site_id: int, author_ids: set[int] | None) -> int:
    """Replace the authors' records (every author of the site when ``author_ids`` is None)."""
    comments = Comment.objects.filter(COUNTED, site_id=site_id, author__isnull=False)
    stats = AuthorStat.objects.filter(site_id=site_id)
    if author_ids is not None:
        comments, stats = comments.filter(author_id__in=author_ids), stats.filter(author_id__in=author_ids)
    rows = comments.values("author_id").annotate(
        comments=Count("pk"),
        flagged=Count("pk", filter=Q(flag__state__in=FLAGGED)),
        rejected=Count("pk", filter=Q(review__state=Review.State.REJECTED)),
        first_at=Min("created_at"),
        last_at=Max("created_at"),
    )
    stats.delete()
    created = AuthorStat.objects.bulk_create((AuthorStat(site_id=site_id, **row) for row in rows.iterator(chunk_size=5000)), batch_size=2000)
    return len(created)


def _contiguous(days: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    ordered = sorted(days)
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in ordered:
        if ranges and day - ranges[-1][1] == dt.timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


# Finding what changed -------------------------------------------------------

def _changes_since(since: dt.datetime) -> _Changes:
    changes = _Changes()
    comment_ids: set[int] = set()
    comment_ids.update(Comment.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    comment_ids.update(CommentScoring.objects.filter(scored_at__gt=since).values_list("comment_id", flat=True))
    for comment_id, site_id, created in Flag.objects.filter(created_at__gt=since).values_list("comment_id", "site_id", "created_at"):
        comment_ids.add(comment_id)
        changes.days[site_id].add(_day(created))
    for comment_id, site_id, decided in Review.objects.filter(decided_at__gt=since).values_list("comment_id", "site_id", "decided_at"):
        comment_ids.add(comment_id)
        changes.days[site_id].add(_day(decided))
    decisions = Decision.objects.filter(Q(created_at__gt=since) | Q(undone_at__gt=since))
    for comment_id, site_id, created, before, after in decisions.values_list("comment_id", "site_id", "created_at", "before", "after"):
        comment_ids.add(comment_id)
        changes.days[site_id].add(_day(created))
        # An undo or a change of mind moves the review's decision day: both days change.
        for snapshot in (before, after):
            when = (snapshot or {}).get("decided_at") if isinstance(snapshot, dict) else None
            if when:
                changes.days[site_id].add(_day(dt.datetime.fromisoformat(when)))
    # A new threshold changes every share of the site.
    changes.whole_sites.update(FlagPolicy.objects.filter(updated_at__gt=since).values_list("site_id", flat=True))
    ids = sorted(comment_ids)
    for offset in range(0, len(ids), 5000):
        chunk = Comment.objects.filter(COUNTED, pk__in=ids[offset:offset + 5000]).values_list("site_id", "created_at", "article_id", "author_id")
        for site_id, created, article_id, author_id in chunk:
            changes.days[site_id].add(_day(created))
            changes.articles.add(article_id)
            if author_id is not None:
                changes.authors[site_id].add(author_id)
    return changes


# Entry points ----------------------------------------------------------------

def _watermark() -> Watermark:
    Watermark.objects.get_or_create(name=WATERMARK)
    return Watermark.objects.select_for_update().get(name=WATERMARK)


def _finish(mark: Watermark, result: RollupResult, started: float, now: dt.datetime) -> RollupResult:
    result.seconds = time.perf_counter() - started
    result.position = now
    Watermark.objects.filter(pk=mark.pk).update(
        position=now, last_run_ms=result.seconds * 1000, last_keys=result.site_days, updated_at=timezone.now()
    )
    return result


def _site_whole(site_id: int, result: RollupResult, now: dt.datetime) -> None:
    result.authors += _recompute_authors(site_id, None)
    result.site_days += _recompute_range(site_id, None, None, site_thresholds(site_id=site_id))
    result.articles += heat_refresh_articles(site_ids=[site_id], now=now)


def _site_changes(site_id: int, changes: _Changes, articles: set[int], result: RollupResult, now: dt.datetime) -> None:
    thresholds = site_thresholds(site_id=site_id)
    # Authors first: the day rows count new authors from their records.
    result.authors += _recompute_authors(site_id, changes.authors.get(site_id, set()))
    for start, end in _contiguous(changes.days.get(site_id, set())):
        result.site_days += _recompute_range(site_id, start, end, thresholds)
    result.articles += heat_refresh_articles(article_ids=articles, now=now)


def _isolated(site_id: int, result: RollupResult, work: Callable[[], None]) -> bool:
    """One site's recompute in its own savepoint: when it raises, only that
    site's rows roll back, the failure is recorded and the others go on."""
    try:
        with transaction.atomic():
            work()
    except Exception as error:  # any failure is this site's; the run must finish for the others
        log.exception("analytics rollup of site %s failed", site_id)
        message = f"{type(error).__name__}: {error}"
        rollup_failure_record(site_id=site_id, error=message)
        result.failed[site_id] = message
        return False
    return True


def rollups_rebuild(*, site_ids: list[int] | None = None) -> RollupResult:
    """Recompute everything from the source tables (all sites, or the ones named).
    A site that succeeds loses its failure record, if it had one."""
    started = time.perf_counter()
    with transaction.atomic():
        mark = _watermark()
        now = timezone.now()
        result = RollupResult(rebuilt=True)
        sites = site_ids if site_ids is not None else list(Site.objects.values_list("pk", flat=True))
        for site_id in sites:
            if _isolated(site_id, result, lambda: _site_whole(site_id, result, now)):
                rollup_failure_clear(site_id=site_id)
        if site_ids is not None:
            # Only some sites were rebuilt: the watermark stays, so the others
            # still get what changed since it (or their first full rebuild).
            return result
        return _finish(mark, result, started, now)


def rollups_update(*, now: dt.datetime | None = None) -> RollupResult:
    """Bring the rollups up to date with what changed since the watermark; the first run rebuilds.
    Sites whose last rollup failed are recomputed whole, each alone; sites given up on are skipped."""
    started = time.perf_counter()
    with transaction.atomic():
        mark = _watermark()
        if mark.position is None:
            return rollups_rebuild()
        now = now or timezone.now()
        since = mark.position - dt.timedelta(seconds=settings.ANALYTICS_LAG_SECONDS)
        changes = _changes_since(since)
        retrying, given_up = rollup_sites_retrying(), rollup_sites_given_up()
        articles: dict[int, set[int]] = defaultdict(set)
        for article_id, site_id in Article.objects.filter(pk__in=changes.articles).values_list("pk", "site_id"):
            articles[site_id].add(article_id)
        result = RollupResult()
        whole = changes.whole_sites | retrying
        for site_id in sorted((whole | set(changes.days) | set(articles)) - given_up):
            if site_id in whole:
                if _isolated(site_id, result, lambda: _site_whole(site_id, result, now)) and site_id in retrying:
                    rollup_failure_clear(site_id=site_id)
            else:
                _isolated(site_id, result, lambda: _site_changes(site_id, changes, articles[site_id], result, now))
        return _finish(mark, result, started, now)
