"""Periods, buckets and the histograms the rollups keep: plain Python (dates from outside through comments.fields)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from comments.fields import IngestError, date_field

# The labels the dashboard follows, in the order it shows them.
LABELS = ("toxicity", "severe_toxicity", "insult", "threat", "identity_attack", "obscene", "sexual_explicit", "conspiracy_framing")
FRAMING_LABEL = "conspiracy_framing"
SCORE_BINS = 20  # label scores in bins of 0.05

# Upper edges (seconds) of the flag-to-decision time bins; the last bin is open.
LATENCY_BINS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 345600, 604800)

# Histograms are stored as plain integer columns so a period's sum is one SQL
# aggregate, not hundreds of JSON documents decoded in Python.
LATENCY_FIELDS = tuple(f"latency_{i:02d}" for i in range(len(LATENCY_BINS) + 1))
REJECTED_FIELDS = tuple(f"rejected_{i:02d}" for i in range(SCORE_BINS))
APPROVED_FIELDS = tuple(f"approved_{i:02d}" for i in range(SCORE_BINS))

PERIODS = {"24h": ("24 hours", 1), "7d": ("7 days", 7), "30d": ("30 days", 30), "365d": ("365 days", 365)}
BUCKETS = {"day": "Day", "week": "Week", "month": "Month"}


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date  # inclusive
    end: dt.date  # inclusive
    bucket: str
    # True when nothing asked for a period and the last 7 days had no comments:
    # the page then opens on the week ending at the latest day that had some.
    latest_with_data: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.key in PERIODS:
            return PERIODS[self.key][0]
        return f"{self.start:%b %-d, %Y} – {self.end:%b %-d, %Y}"

    def query(self) -> str:
        if self.key == "custom":
            return f"period=custom&from={self.start.isoformat()}&to={self.end.isoformat()}&bucket={self.bucket}"
        return f"period={self.key}&bucket={self.bucket}"


def _date(text: str | None, field: str) -> dt.date | None:
    """A real calendar date within INPUT_DATE_MIN..INPUT_DATE_MAX, or None (the
    page then shows its default period rather than compute with year 1 or 9999)."""
    try:
        return date_field(text, field)
    except IngestError:
        return None


def period_from(params, *, today: dt.date, latest_day: dt.date | None = None) -> Period:
    """The period a request asks for; anything unreadable falls back to the last 7 days.

    With no period asked for, the last 7 days, unless ``latest_day`` (the latest
    day with comments) is older than that: then the 7 days ending on it, so a
    quiet site (or the demo data) does not open on a page of zeros.

    Rollups are per UTC day, so "24 hours" covers the two days the last 24 hours touch."""
    bucket = params.get("bucket") if params.get("bucket") in BUCKETS else None
    if not params.get("period") and latest_day is not None and latest_day < today - dt.timedelta(days=6):
        return Period("custom", latest_day - dt.timedelta(days=6), latest_day, bucket or "day", latest_with_data=True)
    key = params.get("period") or "7d"
    if key == "custom":
        start, end = _date(params.get("from"), "from"), _date(params.get("to"), "to")
        if start and end:
            start, end = min(start, end), max(start, end)
            start = max(start, end - dt.timedelta(days=3660))
            return Period("custom", start, end, bucket or default_bucket((end - start).days + 1))
        key = "7d"
    if key not in PERIODS:
        key = "7d"
    days = PERIODS[key][1]
    start = today - dt.timedelta(days=days if key == "24h" else days - 1)
    return Period(key, start, today, bucket or default_bucket(days))


def default_bucket(days: int) -> str:
    return "day" if days <= 62 else ("week" if days <= 200 else "month")


def bucket_start(day: dt.date, bucket: str) -> dt.date:
    if bucket == "week":
        return day - dt.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def bucket_starts(period: Period) -> list[dt.date]:
    """Every bucket in the period, empty ones included, oldest first."""
    out: list[dt.date] = []
    day = period.start
    while day <= period.end:
        start = bucket_start(day, period.bucket)
        if not out or out[-1] != start:
            out.append(start)
        day += dt.timedelta(days=1)
    return out


def score_bin(value: float) -> int:
    return min(SCORE_BINS - 1, max(0, int(value * SCORE_BINS)))


def latency_bin(seconds: float) -> int:
    for index, edge in enumerate(LATENCY_BINS):
        if seconds <= edge:
            return index
    return len(LATENCY_BINS)


def latency_percentile(hist: list[int], q: float) -> float | None:
    """Seconds at quantile ``q`` from binned counts, interpolated inside the bin."""
    total = sum(hist)
    if not total:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(hist):
        if count and seen + count >= rank:
            low = 0 if index == 0 else LATENCY_BINS[index - 1]
            high = LATENCY_BINS[index] if index < len(LATENCY_BINS) else LATENCY_BINS[-1] * 2
            return low + (high - low) * max(0.0, rank - seen) / count
        seen += count
    return float(LATENCY_BINS[-1])


def precision_at(rejected: list[int], approved: list[int], threshold: float) -> tuple[int, int, float | None]:
    """Rejected and approved decided comments scored at or above ``threshold``, and the precision."""
    first = score_bin(threshold)
    tp = sum(rejected[first:])
    fp = sum(approved[first:])
    return tp, fp, (tp / (tp + fp) if tp + fp else None)


def suggested_threshold(rejected: list[int], approved: list[int], *, min_rejected: int = 10) -> float | None:
    """The threshold (a multiple of 0.05) with the best F1 of 'score at or above it' against
    the moderators' rejections; None until there are enough rejections to say."""
    total_rejected = sum(rejected)
    if total_rejected < min_rejected:
        return None
    scores: dict[int, float] = {}
    for index in range(1, SCORE_BINS):
        tp, fp = sum(rejected[index:]), sum(approved[index:])
        if tp:
            precision, recall = tp / (tp + fp), tp / total_rejected
            scores[index] = 2 * precision * recall / (precision + recall)
    if not scores:
        return None
    best_f1 = max(scores.values())
    # Thresholds that tie split the decisions the same way: take the middle of them.
    tied = [index for index, f1 in scores.items() if f1 >= best_f1 - 1e-9]
    return tied[len(tied) // 2] / SCORE_BINS
