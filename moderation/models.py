"""What moderation knows about a comment: its scoring state, scores, flag and policy."""
from __future__ import annotations

from django.db import models

from comments.models import Comment, Site


class CommentScoring(models.Model):
    """The database's word on whether a comment still needs scoring.

    Redis only carries wake-up calls; this row says what is pending, being
    scored (claimed by a task until its lease runs out), done or failed.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SCORING = "scoring", "Being scored"
        DONE = "done", "Scored"
        FAILED = "failed", "Failed"

    comment = models.OneToOneField(Comment, primary_key=True, on_delete=models.CASCADE, related_name="scoring")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    pending_since = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    scored_hash = models.CharField(max_length=64, blank=True, default="", help_text="content hash of the text scored")
    scored_at = models.DateTimeField(null=True, blank=True)
    toxicity_score = models.ForeignKey("Score", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    framing_score = models.ForeignKey("Score", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "comment scoring state"
        indexes = [models.Index(fields=["state", "pending_since"])]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.state}"


class Score(models.Model):
    """One scorer's verdict on one version of a comment's text. Never updated:
    old rows stay for comparison when models change."""

    class Kind(models.TextChoices):
        TOXICITY = "toxicity", "Toxicity"
        FRAMING = "framing", "Conspiracy framing"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="scores")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    scorer = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    labels = models.JSONField(default=dict)
    spans = models.JSONField(default=list, blank=True)
    sentences = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Wall time of the model call for the whole batch, shared by its rows.
    batch_ms = models.FloatField(default=0)
    batch_size = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Exactly once: the same text is never scored twice by the same model version.
            models.UniqueConstraint(fields=["comment", "scorer", "version", "content_hash"], name="score_once"),
        ]
        indexes = [models.Index(fields=["scorer", "version"])]

    def __str__(self) -> str:
        return f"{self.scorer} {self.version} on {self.comment_id}"


class ActiveScorer(models.Model):
    """Which model a worker is scoring with, so the UI can say it plainly."""

    kind = models.CharField(max_length=10, choices=Score.Kind.choices, unique=True)
    scorer = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    fallback_reason = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kind}: {self.scorer} {self.version}"


class FlagPolicy(models.Model):
    """A site's rules: thresholds and actions per label, word lists, priorities."""

    class Action(models.TextChoices):
        REVIEW = "review", "Flag for review (stays visible)"
        HOLD = "hold", "Hold until a moderator approves"

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="flag_policy")
    # {"toxicity": {"threshold": 0.8, "action": "review"}, ...}; labels not named use the defaults.
    rules = models.JSONField(default=dict, blank=True)
    banned_words = models.JSONField(default=list, blank=True, help_text="matched as whole words; always hold")
    suspect_words = models.JSONField(default=list, blank=True, help_text="matched as whole words; flag for review")
    # Extra phrases per framing role for this community: {"agent": ["the lizard council"], ...}
    framing_terms = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "flag policies"

    def __str__(self) -> str:
        return f"Flag policy of {self.site}"


class Flag(models.Model):
    """Why a comment needs a moderator, derived from its stored scores and the policy."""

    class State(models.TextChoices):
        NEEDS_REVIEW = "needs_review", "Needs review"
        HELD = "held", "Held"
        CLEARED = "cleared", "Cleared (no rule fires any more)"

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="flag")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="flags")
    state = models.CharField(max_length=15, choices=State.choices)
    # [{"rule": "label:toxicity", "label": "toxicity", "score": 0.93, "threshold": 0.8, "action": "review"}, ...]
    reasons = models.JSONField(default=list)
    priority = models.PositiveIntegerField(default=0, help_text="higher first")
    # True when the policy (not a moderator) put the comment on hold.
    held_by_policy = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["site", "state", "-priority", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_state_display()} ({self.priority}): {self.comment_id}"
