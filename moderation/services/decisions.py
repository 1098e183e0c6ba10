"""Decisions on queue items: approve, reject, escalate; undo; bulk.

A decision is made once. Each names the review version its moderator saw;
the guarded update ``filter(version=seen).update(version=seen + 1, ...)``
changes nothing when someone else decided first, and that moderator is told
who did what instead of having the other decision overwritten.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_set_status

from ..models import AuthorSanction, Claim, CommentReport, Decision, RejectionReason, Review
from ..selectors.access import Role, role_allows, user_role
from ..events import Moderated, emit_moderated
from .audit import audit_record
from .claims import claim_holder
from .errors import CommentChangedMeanwhile, ItemBeingReviewed, ModerationRefused, StaleDecision

Action = Decision.Action
State = Review.State
Status = Comment.Status
TARGET_STATE = {Action.APPROVE: State.APPROVED, Action.REJECT: State.REJECTED, Action.ESCALATE: State.ESCALATED}


def _moderator_role(user, comment: Comment) -> str:
    role = user_role(user=user, site_id=comment.site_id)
    if role is None:
        raise ModerationRefused("You are not a moderator of this site.")
    return role


def describe_review(review: Review) -> str:
    """What the loser of a race is told."""
    who = review.decided_by.get_username() if review.decided_by else "another moderator"
    when = timezone.localtime(review.decided_at).strftime("%H:%M:%S") if review.decided_at else ""
    if review.state == State.OPEN:
        return f"{who} changed this item at {when} (a decision was undone); reload it and decide again."
    return f"Already {review.get_state_display().lower()} by {who} at {when}. Your decision was not applied."


def _status_after(action: str, comment: Comment, review: Review) -> str:
    status = comment.status
    if action == Action.REJECT:
        return Status.REMOVED
    if action == Action.APPROVE:
        # A platform deletion (removed_at set) is not undone by approving; a moderator's rejection is.
        if status == Status.HELD or (status == Status.REMOVED and comment.removed_at is None and review.state == State.REJECTED):
            return Status.VISIBLE
    return status


def _snapshot(review: Review, status: str) -> dict:
    return {
        "state": review.state,
        "status": status,
        "decided_by": review.decided_by_id,
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "priority": review.priority,
    }


def decision_make(
    *, user, comment: Comment, action: str, expected_version: int, reason: RejectionReason | None = None,
    note: str = "", batch: uuid.UUID | None = None, now: dt.datetime | None = None,
) -> Decision:
    """Approve, reject (with one of the site's reasons) or escalate one item."""
    if action not in TARGET_STATE:
        raise ModerationRefused(f"Unknown decision {action!r}.")
    now = now or timezone.now()
    with transaction.atomic():
        role = _moderator_role(user, comment)
        comment = Comment.objects.select_related("flag").get(pk=comment.pk)  # fresh status
        review, _ = Review.objects.get_or_create(comment=comment, defaults={"site_id": comment.site_id})
        holder = claim_holder(comment_id=comment.pk, now=now)
        if review.version != expected_version:
            raise StaleDecision(describe_review(Review.objects.select_related("decided_by").get(pk=comment.pk)))
        if holder is not None and holder.user_id != user.pk:
            until = timezone.localtime(holder.expires_at).strftime("%H:%M")
            raise ItemBeingReviewed(f"{holder.user.get_username()} is reviewing this comment (until {until}).")
        if review.state == State.ESCALATED and not role_allows(role, Role.SENIOR):
            raise ModerationRefused("This item is escalated: a senior moderator decides it.")
        target = TARGET_STATE[action]
        if review.state == target:
            raise ModerationRefused(f"This item is already {review.get_state_display().lower()}.")
        if action == Action.REJECT:
            if reason is None or reason.site_id != comment.site_id or not reason.active:
                raise ModerationRefused("Choose one of this site's rejection reasons.")
        status_before = comment.status
        status_after = _status_after(action, comment, review)
        before = _snapshot(review, status_before)
        flag = getattr(comment, "flag", None) if hasattr(comment, "flag") else None
        priority = flag.priority if flag is not None else review.priority
        changed = Review.objects.filter(pk=comment.pk, version=expected_version, state=review.state).update(
            state=target, version=F("version") + 1, decided_by=user, decided_at=now, priority=priority,
        )
        if not changed:
            raise StaleDecision(describe_review(Review.objects.select_related("decided_by").get(pk=comment.pk)))
        if status_after != status_before and not comment_set_status(
            comment_id=comment.pk, expected=status_before, new=status_after
        ):
            raise CommentChangedMeanwhile("The comment changed on the platform meanwhile; reload it and decide again.")
        after = {"state": target, "status": status_after, "decided_by": user.pk, "decided_at": now.isoformat(),
                 "priority": priority}
        decision = Decision.objects.create(
            comment=comment, site_id=comment.site_id, moderator=user, action=action, reason=reason,
            reason_label=reason.label if reason else "", note=note, batch=batch or uuid.uuid4(),
            before=before, after=after, review_version=expected_version + 1,
        )
        if action != Action.ESCALATE:
            CommentReport.objects.filter(comment=comment, resolved_by__isnull=True).update(resolved_by=decision)
        Claim.objects.filter(pk=comment.pk).delete()
        if action != Action.ESCALATE:
            emit_moderated(Moderated(
                comment=comment, action=target, status=status_after, at=now, reason=decision.reason_label,
                moderator=user.get_username(), decision_id=decision.pk,
            ))
        audit_record(
            actor=user, action=f"decision.{action}", comment=comment,
            before={"state": before["state"], "status": status_before},
            after={"state": target, "status": status_after, **({"reason": reason.label} if reason else {}),
                   **({"note": note} if note else {})},
        )
    return decision


SANCTION_DAYS = (1, 3, 7, 30)


def author_sanction(
    *, user, comment: Comment, kind: str, days: int | None = None, reason: str = "", batch: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Suspend the comment's author for some days, or ban them (seniors and owners only)."""
    now = now or timezone.now()
    if comment.author_id is None:
        raise ModerationRefused("This comment has no known author.")
    if kind not in (AuthorSanction.Kind.SUSPEND, AuthorSanction.Kind.BAN):
        raise ModerationRefused(f"Unknown sanction {kind!r}.")
    if kind == AuthorSanction.Kind.SUSPEND and days not in SANCTION_DAYS:
        raise ModerationRefused("Choose how long the suspension lasts.")
    with transaction.atomic():
        role = _moderator_role(user, comment)
        if kind == AuthorSanction.Kind.BAN and not role_allows(role, Role.SENIOR):
            raise ModerationRefused("Only senior moderators and owners can ban an author.")
        ends_at = now + dt.timedelta(days=days) if kind == AuthorSanction.Kind.SUSPEND else None
        after = {"author": comment.author_id, "kind": kind, "ends_at": ends_at.isoformat() if ends_at else None}
        decision = Decision.objects.create(
            comment=comment, site_id=comment.site_id, moderator=user, action=kind, note=reason,
            batch=batch or uuid.uuid4(), before={}, after=after,
        )
        AuthorSanction.objects.create(
            author_id=comment.author_id, site_id=comment.site_id, kind=kind, reason=reason, starts_at=now,
            ends_at=ends_at, decision=decision, created_by=user,
        )
        audit_record(actor=user, action=f"author.{kind}", comment=comment, target=f"author:{comment.author_id}",
                     before={}, after={**after, "reason": reason})
    return decision


@dataclass
class UndoResult:
    undone: list[Decision] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _undo_one(decision: Decision, *, user, now: dt.datetime) -> None:
    with transaction.atomic():
        if not Decision.objects.filter(pk=decision.pk, undone_at__isnull=True).update(undone_at=now):
            raise ModerationRefused("That decision was already undone.")
        if decision.action in TARGET_STATE:
            before, after = decision.before, decision.after
            restored = Review.objects.filter(
                pk=decision.comment_id, version=decision.review_version, state=after["state"]
            ).update(
                state=before["state"], version=F("version") + 1, decided_by_id=before["decided_by"],
                decided_at=before["decided_at"], priority=before["priority"],
            )
            if not restored:
                review = Review.objects.select_related("decided_by").get(pk=decision.comment_id)
                raise StaleDecision(f"Cannot undo: {describe_review(review)}")
            if before["status"] != after["status"] and not comment_set_status(
                comment_id=decision.comment_id, expected=after["status"], new=before["status"]
            ):
                raise CommentChangedMeanwhile("Cannot undo: the comment changed on the platform meanwhile.")
            CommentReport.objects.filter(resolved_by=decision).update(resolved_by=None)
            if decision.action != Action.ESCALATE:
                emit_moderated(Moderated(
                    comment=decision.comment, action="undone", status=before["status"], at=now,
                    moderator=user.get_username(), decision_id=decision.pk,
                ))
        else:
            AuthorSanction.objects.filter(decision=decision, lifted_at__isnull=True).update(lifted_at=now)
        audit_record(actor=user, action="decision.undo", comment=decision.comment,
                     before=decision.after, after=decision.before or {"sanction": "lifted"},
                     target=f"comment:{decision.comment.external_id}")


def decision_undo_last(*, user, now: dt.datetime | None = None) -> UndoResult:
    """Take back one's latest decision (all of it, when it was a bulk action)
    within QUEUE_UNDO_SECONDS, unless someone acted on the item since."""
    now = now or timezone.now()
    last = Decision.objects.filter(moderator=user, undone_at__isnull=True).order_by("-created_at", "-pk").first()
    if last is None:
        raise ModerationRefused("Nothing to undo.")
    window = settings.QUEUE_UNDO_SECONDS
    if last.created_at < now - dt.timedelta(seconds=window):
        raise ModerationRefused(f"Too late to undo: decisions can be undone for {window} seconds.")
    result = UndoResult()
    batch = Decision.objects.filter(moderator=user, batch=last.batch, undone_at__isnull=True).select_related("comment")
    for decision in batch.order_by("-created_at", "-pk"):
        try:
            _undo_one(decision, user=user, now=now)
            result.undone.append(decision)
        except ModerationRefused as refused:
            result.refused.append(refused.message)
    return result


@dataclass
class BulkResult:
    batch: uuid.UUID
    done: list[Decision] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def decisions_bulk(
    *, user, items: list[tuple[Comment, int]], action: str, reason: RejectionReason | None = None,
) -> BulkResult:
    """The same decision on many items, each on its own: one refused item
    (decided by someone else, claimed, escalated) leaves the others decided."""
    result = BulkResult(batch=uuid.uuid4())
    for comment, version in items:
        try:
            result.done.append(decision_make(
                user=user, comment=comment, action=action, expected_version=version, reason=reason, batch=result.batch,
            ))
        except ModerationRefused as refused:
            result.refused[comment.pk] = refused.message
    return result

