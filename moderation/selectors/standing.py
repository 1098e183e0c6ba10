"""Where a comment stands with moderation, and the decisions log: what the
read API (webhooks/api) shows to platforms and scripts."""
from __future__ import annotations

from comments.models import Article, Comment
from comments.readable import comment_dates, date_columns

from ..models import CommentReport, CommentScoring, Decision, Flag, Review


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def comment_for_standing(*, site_id: int, external_id: str) -> Comment | None:
    """The comment ``comment_standing`` describes, or None. Its dates (and its
    article's) are not loaded: the answer shows none of them, and a date stored
    outside what Python can hold must not make the read API a 500."""
    article_dates = tuple(f"article__{name}" for name in date_columns(Article))
    return (Comment.objects.select_related("article").defer(*comment_dates(), *article_dates)
            .filter(site_id=site_id, external_id=external_id).first())


def comment_standing(*, comment: Comment) -> dict:
    """Status, current scores (each with its model and version), flag and the
    moderators' decision of one comment, as plain JSON-ready data."""
    scoring = (
        CommentScoring.objects.select_related("toxicity_score", "framing_score").filter(pk=comment.pk).first()
    )
    scores = []
    if scoring is not None:
        for score in (scoring.toxicity_score, scoring.framing_score):
            if score is not None:
                scores.append({"kind": score.kind, "scorer": score.scorer, "version": score.version,
                               "labels": score.labels, "scored_at": _iso(score.created_at)})
    flag = Flag.objects.filter(comment=comment).first()
    review = Review.objects.select_related("decided_by").filter(pk=comment.pk).first()
    last = (Decision.objects.select_related("comment", "moderator").defer(*comment_dates("comment__"))
            .filter(comment=comment, undone_at__isnull=True, action__in=("approve", "reject"))
            .order_by("-created_at", "-pk").first())
    return {
        "id": comment.external_id,
        "article_id": comment.article.external_id,
        "parent_id": _parent_external_id(comment),
        "status": comment.status,
        "scoring": {"state": scoring.state if scoring else "none", "scored_at": _iso(scoring.scored_at if scoring else None)},
        "scores": scores,
        "flag": None if flag is None else {"state": flag.state, "priority": flag.priority, "reasons": flag.reasons},
        "review": {
            "state": review.state if review else Review.State.OPEN,
            "decided_at": _iso(review.decided_at if review else None),
            "decision": None if last is None else decision_as_dict(last),
        },
        "open_reports": CommentReport.objects.filter(comment=comment, resolved_by__isnull=True).count(),
    }


def _parent_external_id(comment: Comment) -> str | None:
    """The platform's id of the parent: the stored parent's, or the one a reply that came first waits for."""
    if comment.parent_id is not None:
        # Only the id: the parent's dates stay unloaded, as comment_for_standing's do.
        return Comment.objects.filter(pk=comment.parent_id).values_list("external_id", flat=True).first()
    return comment.awaiting_parent_external_id or None


def decision_as_dict(decision: Decision) -> dict:
    return {
        "id": decision.pk,
        "comment_id": decision.comment.external_id,
        "action": decision.action,
        "reason": decision.reason_label,
        "note": decision.note,
        "moderator": decision.moderator.get_username(),
        "decided_at": decision.created_at.isoformat(),
        "undone_at": _iso(decision.undone_at),
    }


def decisions_after(*, site_id: int, after_id: int, limit: int) -> list[Decision]:
    """The site's decisions with ids above ``after_id``, oldest first (ids only grow: a stable cursor)."""
    return list(
        Decision.objects.select_related("comment", "moderator").defer(*comment_dates("comment__"))  # see comment_for_standing
        .filter(site_id=site_id, pk__gt=after_id).order_by("pk")[:limit]
    )
