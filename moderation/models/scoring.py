"""Scoring state and stored scores."""
from __future__ import annotations

from django.db import models

from comments.models import Comment


class CommentScoring(models.Model):
    """The database's word on whether a comment still needs scoring.

    Redis only carries wake-up calls; this row says what is pending, being
    scored (leased by a task until its lease runs out), done or failed.
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


class TextEmbedding(models.Model):
    """A text's sentence embedding, kept so rescoring or a retrained head never embeds it again.

    Keyed by the text's SHA-256 and the embedding's version (model, package and
    sentence split); ``vectors`` holds float16 rows, one per sentence."""

    text_hash = models.CharField(max_length=64)
    model_version = models.CharField(max_length=100)
    vectors = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["text_hash", "model_version"], name="embedding_once")]

    def __str__(self) -> str:
        return f"{self.model_version} {self.text_hash[:12]}"
