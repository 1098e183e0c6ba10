"""The moderator's side of the queue: review state, decisions, claims,
sanctions, score feedback, user reports and the audit log."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from comments.models import Author, Comment, Site

from .scoring import Score


class RejectionReason(models.Model):
    """A site's list of reasons for rejecting; the label is what the comment
    platform (and so the commenter) is shown later."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rejection_reasons")
    code = models.SlugField(max_length=64)
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="rejection_reason_unique_code")]

    def __str__(self) -> str:
        return self.label


class Review(models.Model):
    """Where a comment stands with the moderators. No row means undecided.

    ``version`` goes up with every change; a decision names the version its
    moderator saw and is refused when it moved (someone else decided first)."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ESCALATED = "escalated", "Escalated"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    comment = models.OneToOneField(Comment, primary_key=True, on_delete=models.CASCADE, related_name="review")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="reviews")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    version = models.PositiveIntegerField(default=0)
    # The flag's priority when the item was escalated: orders the escalated tab.
    priority = models.PositiveIntegerField(default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["site", "state", "-priority", "decided_at"], name="review_queue_order"),
            models.Index(fields=["site", "state", "-decided_at"], name="review_history_order"),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.state} v{self.version}"


class Decision(models.Model):
    """One moderator action, kept for ever; ``undone_at`` is set when its
    moderator took it back. A bulk action shares one ``batch``."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        ESCALATE = "escalate", "Escalated"
        SUSPEND = "suspend", "Suspended the author"
        BAN = "ban", "Banned the author"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="decisions")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.ForeignKey(RejectionReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The reason's label when decided: what the platform is told, even if the list changes later.
    reason_label = models.CharField(max_length=200, blank=True, default="")
    note = models.TextField(blank=True, default="")
    batch = models.UUIDField(default=uuid.uuid4, db_index=True)
    # Review state, comment status and decider before the decision, so undo can put them back.
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    review_version = models.PositiveIntegerField(default=0, help_text="the review's version this decision produced")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["moderator", "-created_at"]),
            models.Index(fields=["comment", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.moderator} {self.action} {self.comment_id}"


class Claim(models.Model):
    """A moderator looking at an item right now; others see who, until it expires."""

    comment = models.OneToOneField(Comment, primary_key=True, on_delete=models.CASCADE, related_name="claim")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.comment_id} held by {self.user} until {self.expires_at:%H:%M:%S}"


class AuthorSanction(models.Model):
    """A suspension (until ``ends_at``) or a ban (no end) of an author on their site."""

    class Kind(models.TextChoices):
        SUSPEND = "suspend", "Suspended"
        BAN = "ban", "Banned"

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="sanctions")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=500, blank=True, default="")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="sanctions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["author", "-starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.author}"


class ScoreFeedback(models.Model):
    """A moderator saying a label's score was wrong: a calibration label for later.

    ``expected`` is what the label should have been (1.0: it applies, 0.0: it does not)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="score_feedback")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    score = models.ForeignKey(Score, null=True, on_delete=models.SET_NULL, related_name="feedback")
    scorer = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    label = models.CharField(max_length=64)
    model_score = models.FloatField()
    expected = models.FloatField()
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "score", "label", "moderator"], name="feedback_once_per_moderator"),
        ]

    def __str__(self) -> str:
        return f"{self.label} on {self.comment_id}: {self.model_score:.2f} should be {self.expected:.0f}"


class CommentReport(models.Model):
    """A reader reported the comment on the platform; open until a moderator decides."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    reporter = models.CharField(max_length=255, blank=True, default="", help_text="the platform's id of the reader")
    reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["site", "resolved_by", "created_at"])]

    def __str__(self) -> str:
        return f"report on {self.comment_id}"


class AuditEvent(models.Model):
    """Append-only: who did what, when, with the state before and after.
    Saving an existing row is refused, so no code path can rewrite history."""

    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=50, db_index=True)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    target = models.CharField(max_length=200, blank=True, default="")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["site", "-created_at"]), models.Index(fields=["comment", "-created_at"])]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("audit events are never changed")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"
