"""Flag policies and flags."""
from __future__ import annotations

from django.db import models

from comments.models import Comment, Site


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
        indexes = [
            # The comment id completes the queue's order (priority, age, id), so
            # PostgreSQL walks this index for a tab instead of the all-tab one.
            models.Index(fields=["site", "state", "-priority", "created_at", "comment"], name="flag_tab_order"),
            # The "all" tab: every flag of a site in queue order, whatever its state.
            models.Index(fields=["site", "-priority", "created_at", "comment"], name="flag_all_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} ({self.priority}): {self.comment_id}"
