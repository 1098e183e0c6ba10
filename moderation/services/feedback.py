"""'The score was wrong': corrections kept as labels for calibrating the models later,
from moderators in the queue and from API keys (Perspective's suggestscore)."""
from __future__ import annotations

from typing import Mapping

from django.db import transaction

from comments.models import Comment

from ..models import Score, ScoreFeedback
from ..selectors.access import user_role
from .audit import audit_record
from .errors import ModerationRefused


def score_feedback_record(*, user, comment: Comment, score: Score, label: str, expected: float) -> ScoreFeedback:
    """Record that ``label`` should have scored ``expected`` (1.0 applies, 0.0 does not).
    A moderator's second word on the same score and label replaces their first."""
    if user_role(user=user, site_id=comment.site_id) is None:
        raise ModerationRefused("You are not a moderator of this site.")
    if score.comment_id != comment.pk or label not in score.labels:
        raise ModerationRefused("That score does not belong to this comment.")
    if expected not in (0.0, 1.0):
        raise ModerationRefused("Say whether the label applies or not.")
    return _feedback_store(moderator=user, comment=comment, score=score, scorer=score.scorer, version=score.version,
                           model_score=float(score.labels[label]), label=label, expected=expected, origin={})


def score_feedback_suggested(
    *, account, comment: Comment, label: str, expected: float, score: Score | None, scorer: str, version: str,
    model_score: float, origin: Mapping[str, object],
) -> ScoreFeedback:
    """A label suggested through the API, written as the key's ``account`` (which stands for the
    key wherever a moderator is recorded). The caller has authenticated the key for the comment's
    site and bounded ``expected`` to 0..1. ``score`` is None when the model's answer came from the
    realtime scorer and was never stored; ``origin`` (which key, the caller's own identifiers) is
    kept on the audit row. A second suggestion for the same label replaces the first."""
    if not 0.0 <= expected <= 1.0:
        raise ModerationRefused("A suggested score must be between 0 and 1.")
    return _feedback_store(moderator=account, comment=comment, score=score, scorer=scorer, version=version,
                           model_score=model_score, label=label, expected=expected, origin=origin)


def _feedback_store(
    *, moderator, comment: Comment, score: Score | None, scorer: str, version: str, model_score: float,
    label: str, expected: float, origin: Mapping[str, object],
) -> ScoreFeedback:
    with transaction.atomic():
        feedback, _ = ScoreFeedback.objects.update_or_create(
            comment=comment, score=score, label=label, moderator=moderator,
            defaults={"site_id": comment.site_id, "scorer": scorer, "version": version,
                      "model_score": model_score, "expected": expected},
        )
        audit_record(
            actor=moderator, action="feedback.score", comment=comment,
            before={"label": label, "model": f"{scorer} {version}", "score": model_score},
            after={"label": label, "expected": expected, **origin},
        )
    return feedback
