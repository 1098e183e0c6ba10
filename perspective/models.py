"""API keys for the Perspective-compatible API, Coral signing secrets, and
where suggested scores came from."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from comments.models import Site


class ApiKey(models.Model):
    """A site's key for ``?key=``. Only a SHA-256 of the key is stored; the key
    itself is shown once, when it is issued."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="what uses it, e.g. 'Coral production'")
    prefix = models.CharField(max_length=12, help_text="the key's first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True)
    # Suggested scores are labels written by the key's holder: this inactive
    # account stands for the key wherever a moderator is recorded.
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.site}"


class CoralSigningSecret(models.Model):
    """A signing secret of a Coral external moderation phase (Coral generates it;
    the site owner pastes it here). Several may be active while Coral rotates."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="coral_secrets")
    secret = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["site", "secret"], name="coral_secret_once_per_site")]

    def __str__(self) -> str:
        return f"Coral signing secret {self.secret[:6]}… of {self.site}"


class SuggestedScore(models.Model):
    """One attribute of a suggestscore call: the label it became and the
    caller's own identifiers (Perspective's communityId and clientToken)."""

    feedback = models.ForeignKey("moderation.ScoreFeedback", on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="suggestions")
    attribute = models.CharField(max_length=40)
    value = models.FloatField()
    community_id = models.CharField(max_length=255, blank=True, default="")
    client_token = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.attribute}={self.value} via {self.api_key.prefix}…"
