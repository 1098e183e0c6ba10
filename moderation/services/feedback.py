"""'The score was wrong': moderators' corrections, kept as labels for calibrating the models later."""
from __future__ import annotations

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
    with transaction.atomic():
        feedback, _ = ScoreFeedback.objects.update_or_create(
            comment=comment, score=score, label=label, moderator=user,
            defaults={"site_id": comment.site_id, "scorer": score.scorer, "version": score.version,
                      "model_score": float(score.labels[label]), "expected": expected},
        )
        audit_record(
            actor=user, action="feedback.score", comment=comment,
            before={"label": label, "model": f"{score.scorer} {score.version}", "score": float(score.labels[label])},
            after={"label": label, "expected": expected},
        )
    return feedback
