"""Inbound deliveries, signing secrets, platform connections, API tokens and the outbox."""
from __future__ import annotations

from django.db import models

from comments.models import Comment, Site


class SigningSecret(models.Model):
    """A shared secret for one purpose of a site. Rotating keeps the old one
    valid until ``expires_at``, so senders can switch over without failures.
    The value is needed to compute HMACs, so it is stored; it is never shown
    again after creation and never logged (``__str__`` names only its hint)."""

    class Purpose(models.TextChoices):
        GENERIC = "generic", "Inbound: generic (Standard Webhooks)"
        DISCOURSE = "discourse", "Inbound: Discourse"
        WORDPRESS = "wordpress", "Inbound: WordPress (Standard Webhooks)"
        CORAL = "coral", "Inbound: Coral Talk"
        OUTBOUND = "outbound", "Outbound events (Standard Webhooks)"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="signing_secrets")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    value = models.CharField(max_length=200)
    hint = models.CharField(max_length=20, help_text="the first characters, to tell secrets apart")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="set when a newer secret replaced this one")

    class Meta:
        indexes = [models.Index(fields=["site", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} secret {self.hint}… of {self.site}"

    def __repr__(self) -> str:
        return f"<SigningSecret {self.pk} {self.purpose} {self.hint}…>"


class PlatformConnection(models.Model):
    """How we reach a site's platform: Coral's GraphQL API (for the text that
    its webhooks do not carry) or a WordPress site to poll."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="platform_connection")
    base_url = models.URLField(max_length=500, help_text="e.g. https://coral.news.example or https://blog.example")
    access_token = models.CharField(
        max_length=2000, blank=True, default="",
        help_text="Coral: an access token with read access (sent as a Bearer token). "
        "WordPress: optional 'user:application-password' for unapproved comments.",
    )
    # WordPress polling watermark: the newest date_gmt ingested so far.
    poll_after = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.site} → {self.base_url}"


class Delivery(models.Model):
    """One verified inbound webhook request, stored before it is acknowledged.
    The database says what still needs processing; Celery only carries wake-up calls."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (will be retried)"
        DEAD = "dead", "Dead (gave up; replay from admin)"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="deliveries")
    source = models.CharField(max_length=20)
    delivery_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100, blank=True, default="")
    body = models.TextField()
    headers = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=255, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["site", "source", "delivery_id"], name="delivery_unique_id"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.source} {self.delivery_id} ({self.state})"


class ApiToken(models.Model):
    """A bearer token for the read API, scoped to one site. Only its SHA-256 is stored."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…) for {self.site}"


class OutboundEndpoint(models.Model):
    """Where a site wants its comment.moderated events."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="outbound_endpoint")
    url = models.URLField(max_length=2000)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.site} → {self.url}"


class OutboundEvent(models.Model):
    """The outbox: written in the moderation transaction, sent until the
    receiver answers 2xx or the attempts run out (dead letter)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead letter"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="outbound_events")
    comment = models.ForeignKey(Comment, null=True, on_delete=models.SET_NULL, related_name="+")
    message_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    url = models.URLField(max_length=2000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_by = models.CharField(max_length=255, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id} ({self.state})"


class OutboundAttempt(models.Model):
    """The delivery log: one row per try."""

    event = models.ForeignKey(OutboundEvent, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    duration_ms = models.FloatField(default=0)

    class Meta:
        ordering = ["attempted_at"]


class DiscoursePost(models.Model):
    """Discourse names a reply's parent by its post number within the topic;
    this maps (topic, post number) to the post's id, the comment's external id."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    topic_id = models.BigIntegerField()
    post_number = models.PositiveIntegerField()
    post_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "topic_id", "post_number"], name="discourse_post_number_unique"),
        ]
