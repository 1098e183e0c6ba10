"""Flags: derived from a comment's current stored scores and its site's policy."""
from __future__ import annotations

from typing import Iterable

from django.db import transaction
from django.utils import timezone

from comments.models import Comment, Site
from comments.services import comment_set_status

from .. import policy
from ..models import CommentScoring, Flag, FlagPolicy, Review
from ..events import Moderated, emit_moderated
from ..selectors.policy import site_policies

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


def flags_evaluate(*, comment_ids: Iterable[int]) -> dict[int, Flag | None]:
    """Apply each site's policy to the comments' stored scores: open, update or
    clear their flags, and hold a comment when a hold rule fires. Never runs a model."""
    scorings = list(
        CommentScoring.objects.select_related("comment", "toxicity_score", "framing_score").filter(pk__in=list(comment_ids))
    )
    if not scorings:
        return {}
    site_ids = {scoring.comment.site_id for scoring in scorings}
    policies = site_policies(site_ids=site_ids)
    # A moderator's decision stands: the policy no longer holds or releases those comments.
    decided = set(
        Review.objects.filter(comment_id__in=[s.pk for s in scorings]).exclude(state=Review.State.OPEN)
        .values_list("comment_id", flat=True)
    )
    result: dict[int, Flag | None] = {}
    with transaction.atomic():
        flags = {f.comment_id: f for f in Flag.objects.select_for_update().filter(comment_id__in=[s.pk for s in scorings])}
        for scoring in scorings:
            comment = scoring.comment
            site_policy = policies[comment.site_id]
            verdict = policy.evaluate(
                labels=_current_labels(scoring),
                text=comment.body,
                site_rules=site_policy.rules,
                banned_words=site_policy.banned_words,
                suspect_words=site_policy.suspect_words,
            )
            result[comment.pk] = _apply(comment, verdict, flags.get(comment.pk), decided=comment.pk in decided)
    return result


def _apply(comment: Comment, verdict: policy.Verdict, flag: Flag | None, *, decided: bool) -> Flag | None:
    if verdict.action is None:
        if flag is None:
            return None
        if flag.state != FlagState.CLEARED:
            if not decided:
                _release_hold(flag)
            Flag.objects.filter(pk=flag.pk).update(state=FlagState.CLEARED, reasons=[], priority=0, held_by_policy=False)
            flag.refresh_from_db()
        return flag
    state = FlagState.HELD if verdict.action == policy.HOLD else FlagState.NEEDS_REVIEW
    fields = {"state": state, "reasons": [reason.as_dict() for reason in verdict.reasons], "priority": verdict.priority}
    if flag is None:
        flag = Flag.objects.create(comment=comment, site_id=comment.site_id, **fields)
    elif any(getattr(flag, name) != value for name, value in fields.items()):
        if state != FlagState.HELD and not decided:
            _release_hold(flag)
            fields["held_by_policy"] = False
        Flag.objects.filter(pk=flag.pk).update(**fields)
        flag.refresh_from_db()
    if state == FlagState.HELD and not decided and comment_set_status(
        comment_id=comment.pk, expected=Comment.Status.VISIBLE, new=Comment.Status.HELD
    ):
        Flag.objects.filter(pk=flag.pk).update(held_by_policy=True)
        flag.held_by_policy = True
        emit_moderated(Moderated(
            comment=comment, action="held", status=Comment.Status.HELD, at=timezone.now(),
            reason=", ".join(reason.get("label") or reason.get("rule", "") for reason in flag.reasons),
        ))
    return flag


def _release_hold(flag: Flag) -> None:
    """A hold the policy made (not a moderator) ends when the policy no longer asks for it."""
    if flag.held_by_policy:
        comment_set_status(comment_id=flag.comment_id, expected=Comment.Status.HELD, new=Comment.Status.VISIBLE)


def flags_reevaluate_site(*, site: Site) -> int:
    """After a policy change: re-derive every flag of the site from stored scores."""
    ids = list(
        CommentScoring.objects.filter(comment__site=site, state=CommentScoring.State.DONE).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 500):
        flags_evaluate(comment_ids=ids[start : start + 500])
    return len(ids)


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
