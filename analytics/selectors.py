"""What the analytics pages show, read from the rollups only (and, for one
article's page, that article's thread by its index)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import DateField, F, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from comments.models import Article, Author, Site
from comments.selectors import thread_for_article
from moderation.models import CommentScoring
from moderation.selectors.access import Role, role_allows, user_roles

from .models import ArticleDay, AuthorStat, LabelDay, ModeratorDay, SiteDay, ThreadHeat, Watermark
from .periods import (
    APPROVED_FIELDS, LABELS, LATENCY_FIELDS, REJECTED_FIELDS, SCORE_BINS, Period, bucket_start, bucket_starts,
    latency_percentile, precision_at, suggested_threshold,
)
from .tables import Table
from .thresholds import site_thresholds

LABEL_NAMES = {
    "toxicity": "Toxicity", "severe_toxicity": "Severe toxicity", "insult": "Insult", "threat": "Threat",
    "identity_attack": "Identity attack", "obscene": "Obscene", "sexual_explicit": "Sexual", "conspiracy_framing": "Conspiracy framing",
}
STATUS_FIELDS = ("comments", "flagged", "held", "approved", "rejected", "removed")
TOP = 10
HOT = 0.2  # threads below this heat are not listed


@dataclass(frozen=True)
class Scope:
    """Which sites a dashboard covers, and which parts of it the user may see."""

    overview_site_ids: list[int]  # sites the user owns: everything
    moderation_site_ids: list[int]  # sites the user moderates or owns: the moderation part
    site: Site | None = None

    @property
    def sees_overview(self) -> bool:
        return bool(self.overview_site_ids)

    @property
    def sees_moderation(self) -> bool:
        return bool(self.moderation_site_ids)


def analytics_scope(*, user, site: Site | None = None) -> Scope | None:
    """None when the user may see nothing here (no role on the site, or on any site)."""
    roles = user_roles(user=user)
    if site is not None:
        roles = {site.pk: roles[site.pk]} if site.pk in roles else {}
    if not roles:
        return None
    return Scope(
        overview_site_ids=sorted(pk for pk, role in roles.items() if role_allows(role, Role.OWNER)),
        moderation_site_ids=sorted(roles),
        site=site,
    )


@dataclass
class Dashboard:
    period: Period
    buckets: list[dt.date]
    tables: dict[str, Table] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    moderation_totals: dict[str, float | int | None] = field(default_factory=dict)
    heating: list[ThreadHeat] = field(default_factory=list)
    updated_at: dt.datetime | None = None


def _bucket_label(day: dt.date, bucket: str) -> str:
    if bucket == "month":
        return day.strftime("%b %Y")
    if bucket == "week":
        return f"wk {day:%b %-d}"
    return day.strftime("%b %-d")


def _series(rows, period: Period, names: tuple[str, ...]) -> dict[dt.date, dict[str, int]]:
    out = {start: {name: 0 for name in names} for start in bucket_starts(period)}
    for row in rows:
        bucket = out[bucket_start(row["day"], period.bucket)]
        for name in names:
            bucket[name] += row[name] or 0
    return out


def _site_days(site_ids: list[int], period: Period):
    return SiteDay.objects.filter(site_id__in=site_ids, day__gte=period.start, day__lte=period.end)


def latest_comment_day(*, site_ids: list[int], today: dt.date) -> dt.date | None:
    """The latest UTC day up to ``today`` on which any of the sites received comments."""
    return (SiteDay.objects.filter(site_id__in=site_ids, day__lte=today, comments__gt=0)
            .order_by("-day").values_list("day", flat=True).first())


def _overview(dash: Dashboard, site_ids: list[int]) -> None:
    period = dash.period
    rows = list(_site_days(site_ids, period).values("day", *STATUS_FIELDS, "scored", "authors_active", "authors_new"))
    series = _series(rows, period, (*STATUS_FIELDS, "scored", "authors_active", "authors_new"))
    labels = [_bucket_label(b, period.bucket) for b in dash.buckets]
    dash.totals = {name: sum(r[name] for r in series.values()) for name in (*STATUS_FIELDS, "scored", "authors_new")}
    dash.tables["activity"] = Table(
        "activity", "Comments received and what became of them",
        ["bucket", "received", "flagged", "held", "approved", "rejected", "removed"],
        [[label, *[series[b][n] for n in STATUS_FIELDS]] for label, b in zip(labels, dash.buckets)],
    )
    dash.tables["authors"] = Table(
        "authors", "Authors: new and returning (author-days)",
        ["bucket", "new", "returning"],
        [[label, series[b]["authors_new"], max(0, series[b]["authors_active"] - series[b]["authors_new"])]
         for label, b in zip(labels, dash.buckets)],
    )
    shares: dict[dt.date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    # Summed per bucket in the database: a year is 12 rows a label, not 365.
    label_days = LabelDay.objects.filter(site_id__in=site_ids, day__gte=period.start, day__lte=period.end, scored__gt=0)
    for row in label_days.annotate(bucket=_bucket_expression(period.bucket)).values("bucket", "label").annotate(
        above_sum=Sum("above"), scored_sum=Sum("scored")
    ).order_by():
        cell = shares[bucket_start(row["bucket"], period.bucket)][row["label"]]
        cell[0] += row["above_sum"]
        cell[1] += row["scored_sum"]
    dash.tables["labels"] = Table(
        "labels", "Share of comments above each label's threshold (%)",
        ["bucket", *[LABEL_NAMES[label] for label in LABELS]],
        [[label, *[_percent(*shares[b][name]) for name in LABELS]] for label, b in zip(labels, dash.buckets)],
    )
    _top_articles(dash, site_ids)
    _top_authors(dash, site_ids)


def _bucket_expression(bucket: str):
    if bucket == "week":
        return TruncWeek("day", output_field=DateField())
    if bucket == "month":
        return TruncMonth("day", output_field=DateField())
    return F("day")


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _top_articles(dash: Dashboard, site_ids: list[int]) -> None:
    period = dash.period
    grouped = (
        ArticleDay.objects.filter(site_id__in=site_ids, day__gte=period.start, day__lte=period.end)
        .values("article_id").annotate(n=Sum("comments"), f=Sum("flagged"), fr=Sum("framing"), sc=Sum("scored"))
    )
    most = list(grouped.order_by("-n", "article_id")[:TOP])
    flagged = list(grouped.filter(f__gt=0).order_by("-f", "article_id")[:TOP])
    # A share needs a few comments to mean anything.
    framing = list(grouped.filter(fr__gt=0, sc__gte=3).annotate(share=1.0 * F("fr") / F("sc")).order_by("-share", "-fr")[:TOP])
    articles = {pk: (title, slug) for pk, title, slug in Article.objects.filter(
        pk__in={r["article_id"] for r in most + flagged + framing}).values_list("pk", "title", "site__slug")}

    def row(r, *values):
        title, slug = articles.get(r["article_id"], ("", ""))
        return [title or f"article {r['article_id']}", *values, r["article_id"], slug]

    columns = ["article", "comments", "flagged", "framing share %", "article id", "site"]
    dash.tables["articles_most"] = Table("articles_most", "Most comments", columns, [row(r, r["n"], r["f"], _percent(r["fr"], r["sc"])) for r in most])
    dash.tables["articles_flagged"] = Table("articles_flagged", "Most flagged", columns, [row(r, r["n"], r["f"], _percent(r["fr"], r["sc"])) for r in flagged])
    dash.tables["articles_framing"] = Table("articles_framing", "Highest share of conspiracy framing", columns, [row(r, r["n"], r["f"], _percent(r["fr"], r["sc"])) for r in framing])


def _top_authors(dash: Dashboard, site_ids: list[int]) -> None:
    start = dt.datetime.combine(dash.period.start, dt.time.min, dt.timezone.utc)
    active = AuthorStat.objects.filter(site_id__in=site_ids, last_at__gte=start, rejected__gt=0)
    top = list(active.order_by("-rejected", "-last_at")[:TOP].values("author_id", "comments", "flagged", "rejected", "first_at"))
    names = {pk: name or ext for pk, name, ext in Author.objects.filter(pk__in=[r["author_id"] for r in top]).values_list("pk", "display_name", "external_id")}
    dash.tables["authors_rejected"] = Table(
        "authors_rejected", "Most rejections (whole record of authors active in the period)",
        ["author", "comments", "flagged", "rejected", "first seen"],
        [[names.get(r["author_id"], ""), r["comments"], r["flagged"], r["rejected"], r["first_at"].date().isoformat()] for r in top],
    )
    dash.totals["repeat_offenders"] = active.filter(rejected__gte=2).count()


def _moderation(dash: Dashboard, site_ids: list[int]) -> None:
    period = dash.period
    labels = [_bucket_label(b, period.bucket) for b in dash.buckets]
    names = ("flags_opened", "flags_decided", "decided_flagged_rejected", "decided_flagged_approved", "decided_unflagged_rejected")
    rows = list(_site_days(site_ids, period).values("day", *names))
    series = _series(rows, period, names)
    before = SiteDay.objects.filter(site_id__in=site_ids, day__lt=period.start).aggregate(o=Sum("flags_opened"), d=Sum("flags_decided"))
    backlog = (before["o"] or 0) - (before["d"] or 0)
    backlog_rows = []
    for label, b in zip(labels, dash.buckets):
        backlog += series[b]["flags_opened"] - series[b]["flags_decided"]
        backlog_rows.append([label, series[b]["flags_opened"], series[b]["flags_decided"], max(0, backlog)])
    dash.tables["backlog"] = Table("backlog", "Backlog: flags opened, decided, and open at the end of each bucket",
                                   ["bucket", "flagged", "decided", "open"], backlog_rows)
    latency = _site_days(site_ids, period).aggregate(**{f"{name}_sum": Sum(name) for name in LATENCY_FIELDS})
    hist = [latency[f"{name}_sum"] or 0 for name in LATENCY_FIELDS]
    total = {name: sum(s[name] for s in series.values()) for name in names}
    tp, fp = total["decided_flagged_rejected"], total["decided_flagged_approved"]
    dash.moderation_totals = {
        **total,
        "median_seconds": latency_percentile(hist, 0.5),
        "p90_seconds": latency_percentile(hist, 0.9),
        "precision": _percent(tp, tp + fp),
        "backlog": max(0, backlog),
    }
    per_mod = (
        ModeratorDay.objects.filter(site_id__in=site_ids, day__gte=period.start, day__lte=period.end)
        .values("moderator_id").annotate(a=Sum("approved"), r=Sum("rejected"), e=Sum("escalated"))
        .order_by("moderator_id")
    )
    per_mod = list(per_mod)
    users = dict(get_user_model().objects.filter(pk__in=[r["moderator_id"] for r in per_mod]).values_list("pk", "username"))
    dash.tables["moderators"] = Table(
        "moderators", "Decisions per moderator", ["moderator", "approved", "rejected", "escalated", "total"],
        sorted(([users.get(r["moderator_id"], "?"), r["a"], r["r"], r["e"], r["a"] + r["r"] + r["e"]] for r in per_mod), key=lambda row: -row[-1]),
    )
    _agreement(dash, site_ids)
    _heating(dash, site_ids)


def _agreement(dash: Dashboard, site_ids: list[int]) -> None:
    period = dash.period
    fields = REJECTED_FIELDS + APPROVED_FIELDS
    hists = {
        row["label"]: ([row[f"{f}_sum"] or 0 for f in REJECTED_FIELDS], [row[f"{f}_sum"] or 0 for f in APPROVED_FIELDS])
        for row in LabelDay.objects.filter(site_id__in=site_ids, day__gte=period.start, day__lte=period.end)
        .values("label").annotate(**{f"{name}_sum": Sum(name) for name in fields}).order_by()
        .values("label", *[f"{name}_sum" for name in fields])
    }
    # One threshold per label: the site's own, or for several sites the first one's (said in the page).
    thresholds = site_thresholds(site_id=site_ids[0]) if site_ids else {}
    rows = []
    for label in LABELS:
        rejected, approved = hists.get(label, ([0] * SCORE_BINS, [0] * SCORE_BINS))
        threshold = thresholds.get(label, 1.0)
        tp, fp, precision = precision_at(rejected, approved, threshold)
        missed = sum(rejected) - tp
        suggestion = suggested_threshold(rejected, approved)
        rows.append([LABEL_NAMES[label], threshold, tp + fp, tp, fp, None if precision is None else round(100 * precision, 1),
                     missed, suggestion])
    dash.tables["agreement"] = Table(
        "agreement", "Flags against decisions, per label",
        ["label", "threshold", "decided above it", "rejected (agreed)", "approved (overturned)", "precision %",
         "rejected below it", "suggested threshold"],
        rows,
    )


def _heating(dash: Dashboard, site_ids: list[int]) -> None:
    dash.heating = heating_threads(site_ids=site_ids, limit=TOP)


def heating_threads(*, site_ids: list[int], limit: int = 5, min_heat: float = HOT) -> list[ThreadHeat]:
    """The hottest threads still active, hottest first."""
    since = timezone.now() - dt.timedelta(days=settings.ANALYTICS_HEAT_WINDOW_DAYS)
    return list(
        ThreadHeat.objects.filter(site_id__in=site_ids, heat__gte=min_heat, last_activity_at__gte=since)
        .select_related("article", "site", "root__author").order_by("-heat", "-last_activity_at")[:limit]
    )


def dashboard(*, scope: Scope, period: Period) -> Dashboard:
    dash = Dashboard(period=period, buckets=bucket_starts(period))
    if scope.sees_overview:
        _overview(dash, scope.overview_site_ids)
    if scope.sees_moderation:
        _moderation(dash, scope.moderation_site_ids)
    dash.updated_at = Watermark.objects.filter(name="rollups").values_list("position", flat=True).first()
    return dash


def article_heat(*, article: Article) -> dict[int, ThreadHeat]:
    return {heat.root_id: heat for heat in ThreadHeat.objects.filter(article=article)}


__all__ = ["Dashboard", "Scope", "analytics_scope", "article_heat", "dashboard", "heating_threads"]


# One article ------------------------------------------------------------------

THREAD_LIMIT = 1000


@dataclass
class TreeComment:
    comment: object
    depth: int
    toxicity: float | None
    framing: float | None
    above: list[str]
    spans: list[dict]
    framed: bool


@dataclass
class ArticleDetail:
    article: Article
    comments: list[TreeComment]
    total: int
    depth: int
    breadth: int
    top_level: int
    authors: int
    peak_hour: dt.datetime | None
    peak_count: int
    per_hour: Table
    framing: list[TreeComment]
    heat: dict[int, ThreadHeat]
    tree_nodes: list[dict]


def article_detail(*, article: Article) -> ArticleDetail:
    """The article's thread with each comment's current scores (one indexed
    thread query and one for the scores), and its shape."""
    thresholds = site_thresholds(site_id=article.site_id)
    total = article.comments.count()
    comments = list(thread_for_article(article=article)[:THREAD_LIMIT])
    scorings = {
        s.comment_id: s for s in CommentScoring.objects.filter(comment_id__in=[c.pk for c in comments])
        .select_related("toxicity_score", "framing_score")
    }
    tree: list[TreeComment] = []
    per_level: dict[int, int] = defaultdict(int)
    per_hour: dict[dt.datetime, int] = defaultdict(int)
    for comment in comments:
        scoring = scorings.get(comment.pk)
        labels: dict[str, float] = {}
        spans: list[dict] = []
        current = scoring is not None and (not scoring.scored_hash or scoring.scored_hash == comment.content_hash)
        for score in (scoring.toxicity_score, scoring.framing_score) if scoring else ():
            if score is not None:
                labels.update(score.labels)
                if current and score.kind == "framing":
                    spans.extend(s for s in score.spans if 0 <= s.get("start", -1) < s.get("end", -1))
        framing = labels.get("conspiracy_framing")
        tree.append(TreeComment(
            comment=comment, depth=comment.depth, toxicity=labels.get("toxicity"), framing=framing,
            above=[LABEL_NAMES[l] for l in LABELS if labels.get(l) is not None and labels[l] >= thresholds[l]],
            spans=spans, framed=framing is not None and framing >= thresholds["conspiracy_framing"],
        ))
        per_level[comment.depth] += 1
        per_hour[comment.created_at.astimezone(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)] += 1
    peak_hour, peak_count = max(per_hour.items(), key=lambda kv: (kv[1], kv[0]), default=(None, 0))
    hours = sorted(per_hour)
    hour_rows = []
    if hours:
        moment = hours[0]
        # Every hour from the first comment to the last, quiet ones included (at most two weeks shown).
        while moment <= hours[-1] and len(hour_rows) < 24 * 14:
            hour_rows.append([moment.strftime("%b %-d %H:00"), per_hour.get(moment, 0)])
            moment += dt.timedelta(hours=1)
    return ArticleDetail(
        article=article, comments=tree, total=total,
        depth=max(per_level, default=-1) + 1, breadth=max(per_level.values(), default=0),
        top_level=per_level.get(0, 0), authors=len({c.author_id for c in comments if c.author_id}),
        peak_hour=peak_hour, peak_count=peak_count,
        per_hour=Table("per_hour", "Comments per hour", ["hour", "comments"], hour_rows),
        framing=[t for t in tree if t.framed], heat=article_heat(article=article),
        tree_nodes=[{"id": t.comment.pk, "parent_id": t.comment.parent_id, "depth": t.depth, "toxicity": t.toxicity,
                     "framed": t.framed, "author": str(t.comment.author or "anonymous"),
                     "label": f"{t.comment.author or 'anonymous'}: {t.comment.body[:80]}"} for t in tree],
    )
