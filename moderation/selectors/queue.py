"""The queue: which comments a tab lists, in which order, one keyset page at a time.

Every tab is read from the table whose index already has its order
(flags: priority then age; reviews: priority or decision time; reports), so
page 500 costs what page 1 costs: the next page starts *after* the last row
seen (a keyset cursor), never at an OFFSET. Only ids and sort keys come from
that query; ``moderation.selectors.items`` loads what the cards show in a
fixed number of queries, whatever the page size.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Iterable

from django.db import NotSupportedError
from django.db.models import BooleanField, Count, Exists, F, Func, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from comments.fields import MAX_BIGINT, IngestError, datetime_field, integer_field, parse_json
from comments.models import Comment

from .. import policy
from ..models import CommentReport, Flag, Review

TABS: dict[str, str] = {
    "needs_review": "Needs review",
    "held": "Held",
    "escalated": "Escalated",
    "reported": "Reported",
    "approved": "Approved",
    "rejected": "Rejected",
    "all": "All",
}
OPEN_TABS = ("needs_review", "held", "reported")  # items nobody decided yet
# Rules a flag can carry, for the reason filter.
REASONS: dict[str, str] = {
    **{f"label:{label}": label.replace("_", " ") for label in policy.DEFAULT_RULES},
    "banned_word": "banned word",
    "suspect_word": "suspect word",
}
LABELS: tuple[str, ...] = tuple(policy.DEFAULT_RULES)


class ReasonMatch(Func):
    """True when one of a flag's reasons matches: its rule, its label, its
    score within a range. Evaluated on the row's own JSON, no join, so a
    filtered page still walks the queue's index in order and stops early."""

    output_field = BooleanField()

    def __init__(self, reasons, *, rule: str = "", label: str = "", score_min: float | None = None,
                 score_max: float | None = None):
        super().__init__(reasons)
        self.match = {"rule": rule, "label": label, "min": score_min, "max": score_max}

    def _wanted(self) -> dict:
        return {key: value for key, value in self.match.items() if value not in ("", None)}

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        wanted = self._wanted()
        tests = {"rule": "@.rule == $rule", "label": "@.label == $label", "min": "@.score >= $min",
                 "max": "@.score <= $max"}
        path = "$[*] ? (" + " && ".join(tests[key] for key in wanted) + ")"
        return f"jsonb_path_exists({column}, %s::jsonpath, %s::jsonb)", [*params, path, json.dumps(wanted)]

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        wanted = self._wanted()
        tests = {"rule": "json_extract(r.value, '$.rule') = %s", "label": "json_extract(r.value, '$.label') = %s",
                 "min": "json_extract(r.value, '$.score') >= %s", "max": "json_extract(r.value, '$.score') <= %s"}
        where = " AND ".join(tests[key] for key in wanted)
        return f"EXISTS (SELECT 1 FROM json_each({column}) AS r WHERE {where})", [*params, *wanted.values()]

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("the queue's reason filters need PostgreSQL or SQLite")


@dataclass(frozen=True)
class QueueFilters:
    site_ids: tuple[int, ...]  # already narrowed to the sites the user may see
    article_id: int | None = None
    reason: str = ""
    label: str = ""
    score_min: float | None = None
    score_max: float | None = None
    author_id: int | None = None
    posted_from: dt.date | None = None
    posted_to: dt.date | None = None
    text: str = ""


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the sort key of its last row."""

    priority: int
    at: dt.datetime
    comment_id: int

    def encode(self) -> str:
        raw = json.dumps([self.priority, self.at.isoformat(), self.comment_id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor | None":
        """None for anything that is not a cursor this module wrote."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            priority, at, comment_id = parse_json(raw, field="after", max_bytes=200)
            return cls(priority=integer_field(priority, "after", minimum=-MAX_BIGINT),
                       at=datetime_field(at, "after", required=True), comment_id=integer_field(comment_id, "after", minimum=1))
        except (IngestError, ValueError, TypeError):
            return None


@dataclass
class QueuePage:
    tab: str
    comment_ids: list[int]
    next_cursor: Cursor | None
    keys: dict[int, Cursor] = field(default_factory=dict)


@dataclass(frozen=True)
class _Source:
    """One tab's rows: the queryset and the names of its sort-key columns."""

    rows: QuerySet
    priority: str  # column, or "" when the tab has no priority
    at: str
    comment_id: str
    newest_first: bool  # decided tabs show the latest decisions first
    comment_prefix: str  # path from the row to its comment ("comment__" or "")
    flag_prefix: str  # path from the row to the comment's flag


def _decided() -> Exists:
    return Exists(Review.objects.filter(comment_id=OuterRef("comment_id")).exclude(state=Review.State.OPEN))


def _source(tab: str, site_ids: Iterable[int]) -> _Source:
    sites = list(site_ids)
    if tab in ("needs_review", "held", "all"):
        rows = Flag.objects.filter(site_id__in=sites)
        if tab != "all":
            state = Flag.State.NEEDS_REVIEW if tab == "needs_review" else Flag.State.HELD
            rows = rows.filter(state=state).exclude(_decided())
        return _Source(rows, "priority", "created_at", "comment_id", False, "comment__", "")
    if tab == "escalated":
        rows = Review.objects.filter(site_id__in=sites, state=Review.State.ESCALATED)
        return _Source(rows, "priority", "decided_at", "comment_id", False, "comment__", "comment__flag__")
    if tab in ("approved", "rejected"):
        rows = Review.objects.filter(site_id__in=sites, state=tab)
        return _Source(rows, "", "decided_at", "comment_id", True, "comment__", "comment__flag__")
    if tab == "reported":
        open_reports = CommentReport.objects.filter(comment_id=OuterRef("pk"), resolved_by__isnull=True)
        rows = (
            Comment.objects.filter(site_id__in=sites)
            .filter(Exists(open_reports))
            .annotate(
                q_priority=Coalesce(F("flag__priority"), Value(0)),
                q_at=Subquery(open_reports.order_by().values("comment_id").annotate(first=Min("created_at")).values("first")[:1]),
            )
        )
        return _Source(rows, "q_priority", "q_at", "pk", False, "", "flag__")
    raise ValueError(f"unknown tab {tab!r}")


def _filtered(source: _Source, filters: QueueFilters) -> QuerySet:
    c, f = source.comment_prefix, source.flag_prefix
    q = Q()
    if filters.article_id:
        q &= Q(**{f"{c}article_id": filters.article_id})
    if filters.author_id:
        q &= Q(**{f"{c}author_id": filters.author_id})
    if filters.posted_from:
        q &= Q(**{f"{c}created_at__date__gte": filters.posted_from})
    if filters.posted_to:
        q &= Q(**{f"{c}created_at__date__lte": filters.posted_to})
    if filters.reason in REASONS or filters.score_min is not None or filters.score_max is not None:
        # One reason must match all that was asked: "flagged for toxicity, scored 0.9 or more".
        label = filters.label if filters.label in LABELS else ""
        q &= Q(ReasonMatch(F(f"{f}reasons"), rule=filters.reason if filters.reason in REASONS else "", label=label,
                           score_min=filters.score_min, score_max=filters.score_max))
    if filters.text:
        q &= Q(**{f"{c}body__icontains": filters.text}) | Q(**{f"{c}author__display_name__icontains": filters.text})
    return source.rows.filter(q) if q else source.rows


def _order(source: _Source) -> list[str]:
    if source.newest_first:
        return [f"-{source.at}", f"-{source.comment_id}"]
    return [f"-{source.priority}", source.at, source.comment_id]


def _after(source: _Source, cursor: Cursor) -> Q:
    """Rows strictly after the cursor in the tab's order. The leading
    ``priority <= p`` (or ``at <= t``) repeats what the OR implies so the
    index range scan starts at the cursor instead of filtering from the top."""
    at, pk = source.at, source.comment_id
    if source.newest_first:
        return Q(**{f"{at}__lte": cursor.at}) & (
            Q(**{f"{at}__lt": cursor.at}) | Q(**{at: cursor.at, f"{pk}__lt": cursor.comment_id})
        )
    pr = source.priority
    return Q(**{f"{pr}__lte": cursor.priority}) & (
        Q(**{f"{pr}__lt": cursor.priority})
        | Q(**{pr: cursor.priority, f"{at}__gt": cursor.at})
        | Q(**{pr: cursor.priority, at: cursor.at, f"{pk}__gt": cursor.comment_id})
    )


def queue_page(*, tab: str, filters: QueueFilters, after: Cursor | None = None, size: int = 25) -> QueuePage:
    """One page of a tab: one query, whatever the page number."""
    source = _source(tab, filters.site_ids)
    rows = _filtered(source, filters)
    if after is not None:
        rows = rows.filter(_after(source, after))
    columns = [source.comment_id, source.at] + ([source.priority] if source.priority else [])
    found = list(rows.order_by(*_order(source)).values_list(*columns)[: size + 1])
    keys = {
        row[0]: Cursor(priority=row[2] if source.priority else 0, at=row[1], comment_id=row[0]) for row in found
    }
    page_ids = [row[0] for row in found[:size]]
    next_cursor = keys[page_ids[-1]] if len(found) > size else None
    return QueuePage(tab=tab, comment_ids=page_ids, next_cursor=next_cursor, keys=keys)


def queue_counts(*, filters: QueueFilters, cap: int = 1000) -> dict[str, int]:
    """How many items each tab holds under the same filters, counted up to
    ``cap`` (shown as "1000+"): each count stops after ``cap`` rows of the
    tab's ordered index, so a tab of 100,000 costs what a tab of 1,000 does.
    A reason or score filter is a JSON test no index answers; each tab would
    repeat it over every flag, so those counts come from one pass instead."""
    if _filters_reasons(filters):
        counts = _flag_tab_counts(filters, cap=cap)
        tabs = ("reported",)
    else:
        counts, tabs = {}, tuple(TABS)
    for tab in tabs:
        source = _source(tab, filters.site_ids)
        counts[tab] = _filtered(source, filters).order_by().values(source.comment_id)[:cap].count()
    return {tab: counts[tab] for tab in TABS}


def _filters_reasons(filters: QueueFilters) -> bool:
    return filters.reason in REASONS or filters.score_min is not None or filters.score_max is not None


def _flag_tab_counts(filters: QueueFilters, *, cap: int) -> dict[str, int]:
    """Every tab but "reported" in one scan of the matching flags, grouped by
    flag state and review state. Tabs read from reviews match the same rows:
    a reason filter needs a flag."""
    source = _source("all", filters.site_ids)
    review_state = Subquery(Review.objects.filter(comment_id=OuterRef("comment_id")).values("state")[:1])
    groups = (
        _filtered(source, filters).order_by().annotate(review_state=Coalesce(review_state, Value(Review.State.OPEN)))
        .values_list("state", "review_state").annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(("needs_review", "held", "escalated", "approved", "rejected", "all"), 0)
    for flag_state, state, n in groups:
        counts["all"] += n
        if state != Review.State.OPEN:
            counts[state] += n
        elif flag_state in (Flag.State.NEEDS_REVIEW, Flag.State.HELD):
            counts[flag_state] += n
    return {tab: min(count, cap) for tab, count in counts.items()}


def queue_new_since(*, tab: str, filters: QueueFilters, since: dt.datetime, limit: int = 20) -> list[int]:
    """Items of an open tab that arrived after ``since`` (for the live queue), highest priority first."""
    if tab not in ("needs_review", "held", "all", "reported"):
        return []
    source = _source(tab, filters.site_ids)
    rows = _filtered(source, filters).filter(**{f"{source.at}__gt": since})
    return list(rows.order_by(*_order(source)).values_list(source.comment_id, flat=True)[:limit])
