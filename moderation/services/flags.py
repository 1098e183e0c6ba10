"""Flags: derived from a comment's current stored scores and its site's policy."""
from __future__ import annotations

from typing import Callable

from django.db import transaction

from comments.models import Comment, Site
from comments.services import comment_set_status

from .. import policy
from ..models import CommentScoring, Flag, FlagPolicy

FlagState = Flag.State


def flag_policy_for(*, site: Site) -> FlagPolicy:
    found, _ = FlagPolicy.objects.get_or_create(site=site)
    return found


def _current_labels(scoring: CommentScoring) -> dict[str, float]:
    labels: dict[str, float] = {}
    for score in (scoring.toxicity_score, scoring.framing_score):
        if score is not None:
            labels.update(score.labels)
    return labels


def flag_evaluate(*, comment_id: int, site_policy: FlagPolicy | None = None) -> Flag | None:
    """Apply the policy to the comment's stored scores: open, update or clear its flag,
    and hold the comment when a hold rule fires. Never runs a model."""
    scoring = (
        CommentScoring.objects.select_related("comment", "toxicity_score", "framing_score")
        .filter(pk=comment_id)
        .first()
    )
    if scoring is None:
        return None
    comment = scoring.comment
    site_policy = site_policy or flag_policy_for(site=comment.site)
    verdict = policy.evaluate(
        labels=_current_labels(scoring),
        text=comment.body,
        site_rules=site_policy.rules,
        banned_words=site_policy.banned_words,
        suspect_words=site_policy.suspect_words,
    )
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(comment=comment).first()
        if verdict.action is None:
            if flag is None:
                return None
            if flag.state != FlagState.CLEARED:
                _release_hold(flag)
                Flag.objects.filter(pk=flag.pk).update(state=FlagState.CLEARED, reasons=[], priority=0, held_by_policy=False)
            flag.refresh_from_db()
            return flag
        state = FlagState.HELD if verdict.action == policy.HOLD else FlagState.NEEDS_REVIEW
        fields = {
            "state": state,
            "reasons": [reason.as_dict() for reason in verdict.reasons],
            "priority": verdict.priority,
            "site": comment.site,
        }
        if flag is None:
            flag = Flag.objects.create(comment=comment, **fields)
        else:
            if state != FlagState.HELD:
                _release_hold(flag)
                fields["held_by_policy"] = False
            Flag.objects.filter(pk=flag.pk).update(**fields)
        if state == FlagState.HELD and comment_set_status(
            comment_id=comment.pk, expected=Comment.Status.VISIBLE, new=Comment.Status.HELD
        ):
            Flag.objects.filter(pk=flag.pk).update(held_by_policy=True)
        flag.refresh_from_db()
        return flag


def _release_hold(flag: Flag) -> None:
    """A hold the policy made (not a moderator) ends when the policy no longer asks for it."""
    if flag.held_by_policy:
        comment_set_status(comment_id=flag.comment_id, expected=Comment.Status.HELD, new=Comment.Status.VISIBLE)


def flags_reevaluate_site(*, site: Site, on_progress: Callable[[int], None] | None = None) -> int:
    """After a policy change: re-derive every flag of the site from stored scores."""
    site_policy = flag_policy_for(site=site)
    ids = CommentScoring.objects.filter(comment__site=site, state=CommentScoring.State.DONE).values_list("pk", flat=True)
    count = 0
    for comment_id in ids.iterator(chunk_size=1000):
        flag_evaluate(comment_id=comment_id, site_policy=site_policy)
        count += 1
        if on_progress and count % 100 == 0:
            on_progress(100)
    return count


def flag_policy_update(
    *, site: Site, rules: dict | None = None, banned_words: list[str] | None = None,
    suspect_words: list[str] | None = None, framing_terms: dict | None = None,
) -> FlagPolicy:
    """Change a site's policy and re-evaluate its flags from stored scores.
    Framing terms change the analyzer's version: rescore to apply them."""
    site_policy = flag_policy_for(site=site)
    changes = {
        name: value
        for name, value in (("rules", rules), ("banned_words", banned_words), ("suspect_words", suspect_words),
                            ("framing_terms", framing_terms))
        if value is not None
    }
    for name, value in changes.items():
        setattr(site_policy, name, value)
    site_policy.save()
    if changes.keys() - {"framing_terms"}:
        flags_reevaluate_site(site=site)
    return site_policy
