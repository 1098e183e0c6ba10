"""What a queue card shows: the comment, its evidence, scores, flag, review,
claim and its author's record. Loaded for a whole page in a fixed number of
queries, so the count does not grow with the page size."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from comments.models import Author, Comment
from comments.selectors import comment_ancestors, comment_subtree

from .. import policy
from ..models import AuditEvent, AuthorSanction, Claim, CommentReport, CommentScoring, Flag, FlagPolicy, RejectionReason, Review, Score
from .policy import site_policies

# Score columns a card never shows; they can be large.
_HEAVY = ("sentences", "details")
THREAD_LIMIT = 500


@dataclass(frozen=True)
class ScoreBar:
    label: str
    value: float
    threshold: float | None
    over: bool

    @property
    def percent(self) -> int:
        return round(self.value * 100)

    @property
    def text(self) -> str:
        return f"{self.value:.2f}"

    @property
    def threshold_percent(self) -> int | None:
        return None if self.threshold is None else round(self.threshold * 100)

    @property
    def likely(self) -> bool:
        """Whether the model says the label applies (what 'wrong?' disputes)."""
        return self.value >= 0.5


@dataclass(frozen=True)
class ScoreCard:
    score_id: int
    kind: str
    scorer: str
    version: str
    bars: list[ScoreBar]


@dataclass(frozen=True)
class AuthorRecord:
    author: Author
    comments: int
    approved: int
    rejected: int
    sanction: AuthorSanction | None


@dataclass
class QueueItem:
    comment: Comment
    flag: Flag | None
    review: Review | None
    claim: Claim | None  # an unexpired claim, whoever holds it
    spans: list[dict]
    spans_stale: bool  # the text changed after scoring: model evidence no longer lines up
    scores: list[ScoreCard]
    author_record: AuthorRecord | None
    open_reports: int
    reasons: list[dict] = field(default_factory=list)
    reject_reasons: list[RejectionReason] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.comment.pk

    @property
    def state(self) -> str:
        return self.review.state if self.review else Review.State.OPEN

    @property
    def version(self) -> int:
        return self.review.version if self.review else 0

    @property
    def flagged_at(self) -> dt.datetime | None:
        return self.flag.created_at if self.flag else None

    def claimed_by_other(self, user) -> bool:
        return self.claim is not None and self.claim.user_id != user.pk


def _one_to_one(comment: Comment, name: str):
    """A reverse one-to-one loaded by select_related, or None where there is no row."""
    return getattr(comment, name, None) if hasattr(comment, name) else None


def _score_card(score: Score | None, rules: dict[str, dict]) -> ScoreCard | None:
    if score is None:
        return None
    bars = []
    for label, value in sorted(score.labels.items(), key=lambda kv: -kv[1]):
        rule = rules.get(label, {})
        threshold = float(rule["threshold"]) if rule.get("action") in (policy.REVIEW, policy.HOLD) else None
        bars.append(ScoreBar(label=label, value=float(value), threshold=threshold,
                             over=threshold is not None and value >= threshold))
    return ScoreCard(score_id=score.pk, kind=score.kind, scorer=score.scorer, version=score.version, bars=bars)


def _spans(comment: Comment, scoring, site_policy: FlagPolicy) -> tuple[list[dict], bool]:
    spans: list[dict] = []
    stale = False
    if scoring is not None:
        stale = bool(scoring.scored_hash) and scoring.scored_hash != comment.content_hash
        if not stale:
            for score in (scoring.framing_score, scoring.toxicity_score):
                if score is not None:
                    spans.extend(span for span in score.spans if 0 <= span.get("start", -1) < span.get("end", -1))
    spans.extend(policy.find_words(comment.body, site_policy.banned_words, "banned_word"))
    spans.extend(policy.find_words(comment.body, site_policy.suspect_words, "suspect_word"))
    return spans, stale


def author_records(
    *, author_ids: set[int], now: dt.datetime | None = None, authors: dict[int, Author] | None = None,
) -> dict[int, AuthorRecord]:
    """Comments, approvals, rejections and the current sanction of each author:
    two queries (three when the authors are not given)."""
    if not author_ids:
        return {}
    now = now or timezone.now()
    counts = {
        row["author_id"]: row
        for row in Comment.objects.filter(author_id__in=author_ids)
        .values("author_id")
        .annotate(
            total=Count("pk"),
            approved=Count("pk", filter=Q(review__state=Review.State.APPROVED)),
            rejected=Count("pk", filter=Q(review__state=Review.State.REJECTED)),
        )
        .order_by()
    }
    sanctions: dict[int, AuthorSanction] = {}
    for sanction in active_sanctions(author_ids=author_ids, now=now).order_by("author_id", "-starts_at"):
        sanctions.setdefault(sanction.author_id, sanction)
    authors = authors if authors is not None else Author.objects.in_bulk(author_ids)
    return {
        pk: AuthorRecord(
            author=authors[pk],
            comments=counts.get(pk, {}).get("total", 0),
            approved=counts.get(pk, {}).get("approved", 0),
            rejected=counts.get(pk, {}).get("rejected", 0),
            sanction=sanctions.get(pk),
        )
        for pk in author_ids
        if pk in authors
    }


def active_sanctions(*, author_ids, now: dt.datetime | None = None):
    now = now or timezone.now()
    return AuthorSanction.objects.filter(author_id__in=author_ids, lifted_at__isnull=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def queue_items(*, comment_ids: list[int], now: dt.datetime | None = None) -> list[QueueItem]:
    """Cards for these comments, in the order given."""
    if not comment_ids:
        return []
    now = now or timezone.now()
    # Several small queries rather than one wide join: planning a nine-table
    # join cost PostgreSQL more than running all of these.
    comments = {
        c.pk: c for c in Comment.objects.filter(pk__in=comment_ids).select_related("article", "author", "site", "flag")
    }
    reviews = {r.pk: r for r in Review.objects.filter(pk__in=comment_ids).select_related("decided_by")}
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=comment_ids, expires_at__gt=now).select_related("user")}
    scorings = {
        s.pk: s
        for s in CommentScoring.objects.filter(pk__in=comment_ids)
        .select_related("toxicity_score", "framing_score")
        .defer(*(f"{kind}__{name}" for kind in ("toxicity_score", "framing_score") for name in _HEAVY))
    }
    site_ids = {c.site_id for c in comments.values()}
    policies = site_policies(site_ids=site_ids)
    reports = dict(
        CommentReport.objects.filter(comment_id__in=comment_ids, resolved_by__isnull=True)
        .values_list("comment_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reject_reasons: dict[int, list[RejectionReason]] = {}
    for reason in RejectionReason.objects.filter(site_id__in=site_ids, active=True):
        reject_reasons.setdefault(reason.site_id, []).append(reason)
    authors = {c.author_id: c.author for c in comments.values() if c.author_id}
    records = author_records(author_ids=set(authors), now=now, authors=authors)
    items = []
    for pk in comment_ids:
        comment = comments.get(pk)
        if comment is None:
            continue
        site_policy = policies[comment.site_id]
        rules = policy.effective_rules(site_policy.rules)
        scoring = scorings.get(pk)
        spans, stale = _spans(comment, scoring, site_policy)
        cards = [
            card for card in (
                _score_card(scoring.toxicity_score if scoring else None, rules),
                _score_card(scoring.framing_score if scoring else None, rules),
            ) if card is not None
        ]
        flag = _one_to_one(comment, "flag")
        items.append(QueueItem(
            comment=comment,
            flag=flag,
            review=reviews.get(pk),
            claim=claims.get(pk),
            spans=spans,
            spans_stale=stale,
            scores=cards,
            author_record=records.get(comment.author_id),
            open_reports=reports.get(pk, 0),
            reasons=flag.reasons if flag else [],
            reject_reasons=reject_reasons.get(comment.site_id, []),
        ))
    return items


@dataclass(frozen=True)
class LiveState:
    """What the poll refreshes on cards already on screen: who holds them, who decided them."""

    pk: int
    claim: Claim | None
    review: Review | None


def queue_live(*, comment_ids: list[int], site_ids: list[int], now: dt.datetime | None = None) -> list[LiveState]:
    """Claims and reviews of the cards on screen: two queries."""
    now = now or timezone.now()
    ids = list(Comment.objects.filter(pk__in=comment_ids, site_id__in=site_ids).values_list("pk", flat=True))
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=ids, expires_at__gt=now).select_related("user")}
    reviews = {r.pk: r for r in Review.objects.filter(pk__in=ids).select_related("decided_by")}
    return [LiveState(pk=pk, claim=claims.get(pk), review=reviews.get(pk)) for pk in ids]


@dataclass(frozen=True)
class ItemContext:
    """What opening an item adds: the parent chain, the direct replies, the history."""

    ancestors: list[Comment]
    replies: list[Comment]
    reply_count: int
    history: list[AuditEvent]


def item_context(*, comment: Comment) -> ItemContext:
    replies = list(comment.replies.select_related("author").order_by("path")[:50])
    return ItemContext(
        ancestors=list(comment_ancestors(comment=comment)),
        replies=replies,
        reply_count=comment.replies.count() if len(replies) == 50 else len(replies),
        history=list(comment_history(comment=comment)),
    )


def comment_history(*, comment: Comment):
    return AuditEvent.objects.filter(comment=comment).order_by("-created_at", "-pk")[:50]


def whole_thread(*, comment: Comment) -> list[Comment]:
    """The whole discussion the comment is in: its root's subtree, in display order."""
    ancestors = list(comment_ancestors(comment=comment)[:1])
    root = ancestors[0] if ancestors else comment
    return list(comment_subtree(comment=root)[:THREAD_LIMIT])


def author_recent_comments(*, author: Author, limit: int = 20) -> list[Comment]:
    return list(
        Comment.objects.filter(author=author)
        .select_related("article", "flag", "review")
        .order_by("-created_at")[:limit]
    )
