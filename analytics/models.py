"""Precomputed counts the analytics pages read: never the comment table.

A periodic task fills them up to a watermark (``services/rollups.py``). Every
row is recomputed whole from the source tables for the keys that changed, so
re-running an update never counts anything twice.

Days are UTC dates. Two kinds of day live side by side and say which:
- *comment day*: the day a comment was posted (comments, flags, shares, statuses);
- *event day*: the day something happened to it (a flag opened, a decision made).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models

from comments.models import Article, Author, Comment, Site

from .periods import APPROVED_FIELDS, LATENCY_FIELDS, REJECTED_FIELDS


class Watermark(models.Model):
    """How far the rollups are up to date: everything that changed before
    ``position`` (less the safety lag) is counted."""

    name = models.CharField(max_length=50, unique=True)
    position = models.DateTimeField(null=True, blank=True)
    last_run_ms = models.FloatField(default=0)
    last_keys = models.PositiveIntegerField(default=0, help_text="site-days recomputed by the last run")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"


class RollupFailure(models.Model):
    """A site whose rollup raised. The other sites' rollups went on; this one is
    recomputed whole, alone, on the next runs until it succeeds (the row goes)
    or ANALYTICS_MAX_ATTEMPTS tries have failed (``failed``: left alone until
    retried from admin or rebuilt with ``analytics_rollup --rebuild --site``)."""

    class State(models.TextChoices):
        RETRYING = "retrying", "Retrying (next runs recompute the site)"
        FAILED = "failed", "Failed (gave up; retry from admin or rebuild)"

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RETRYING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    failed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"rollup of {self.site} ({self.state})"


class SiteDay(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # Comment day: what became of the comments posted that day.
    comments = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    authors_active = models.PositiveIntegerField(default=0)
    authors_new = models.PositiveIntegerField(default=0, help_text="authors whose first comment on the site was that day")
    # Event day: the moderators' work.
    flags_opened = models.PositiveIntegerField(default=0)
    flags_decided = models.PositiveIntegerField(default=0, help_text="flagged comments approved or rejected that day")
    decided_flagged_rejected = models.PositiveIntegerField(default=0)
    decided_flagged_approved = models.PositiveIntegerField(default=0)
    decided_unflagged_rejected = models.PositiveIntegerField(default=0)
    # latency_00 … latency_15: flag-to-decision times per bin of periods.LATENCY_BINS (added below).

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="siteday_unique")]


class LabelDay(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    label = models.CharField(max_length=64)
    # Comment day: comments scored for the label, and those at or above the site's threshold.
    scored = models.PositiveIntegerField(default=0)
    above = models.PositiveIntegerField(default=0)
    # Event day, added below: rejected_00 … rejected_19 and approved_00 … approved_19, the
    # comments rejected / approved that day by their score on the label in bins of 0.05.
    # Summed over a period they give the label's precision at any threshold and
    # the threshold the decisions suggest.

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day", "label"], name="labelday_unique")]


class ArticleDay(models.Model):
    """Comment day, per article: what ranks the top articles."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    comments = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    framing = models.PositiveIntegerField(default=0, help_text="comments at or above the framing threshold")
    scored = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="articleday_unique")]
        indexes = [models.Index(fields=["site", "day"])]


class AuthorStat(models.Model):
    """An author's whole record on their site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="+")
    comments = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["site", "-rejected", "last_at"])]


class ModeratorDay(models.Model):
    """Event day: decisions per moderator (undone ones do not count)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    approved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day", "moderator"], name="moderatorday_unique")]


class ThreadHeat(models.Model):
    """How hot one thread (a top-level comment and its replies) is running; see analytics/heat_formula.py."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    root = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="+")
    heat = models.FloatField()
    reasons = models.JSONField(default=list)
    comments = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["site", "-heat"]), models.Index(fields=["article", "-heat"])]


# The histogram columns: one integer column per bin (see analytics/periods.py).
for _name in LATENCY_FIELDS:
    SiteDay.add_to_class(_name, models.PositiveIntegerField(default=0))
for _name in REJECTED_FIELDS + APPROVED_FIELDS:
    LabelDay.add_to_class(_name, models.PositiveIntegerField(default=0))
