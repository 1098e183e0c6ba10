"""Sites, articles, authors and threaded comments.

Threads use a materialized path: each comment's ``path`` is its parent's path
plus a fixed-width segment that sorts siblings by creation time, so one
``ORDER BY path`` query returns a whole thread in display order with depth.
"""
from __future__ import annotations

from django.db import models


class Site(models.Model):
    class Platform(models.TextChoices):
        GENERIC = "generic", "Generic webhooks"
        DISCOURSE = "discourse", "Discourse"
        WORDPRESS = "wordpress", "WordPress"
        CORAL = "coral", "Coral Talk"
        IMPORT = "import", "Imported files"

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=20, choices=Platform.choices, default=Platform.GENERIC)
    url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="articles")
    external_id = models.CharField(max_length=255)
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "external_id"], name="article_unique_external_id"),
        ]
        indexes = [models.Index(fields=["site", "-published_at"])]

    def __str__(self) -> str:
        return self.title or self.external_id


class Author(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="authors")
    external_id = models.CharField(max_length=255)
    display_name = models.CharField(max_length=200, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "external_id"], name="author_unique_external_id"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.external_id


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HELD = "held", "Held"
        REMOVED = "removed", "Removed"

    class ParentRefused(models.TextChoices):
        # Why a comment that names a parent is kept at the top level instead.
        CYCLE = "cycle", "Its parent is one of its own replies"
        OTHER_ARTICLE = "other_article", "Its parent is in another article"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="comments")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    # Set while the parent has not arrived yet; cleared when it does and the reply is linked.
    awaiting_parent_external_id = models.CharField(max_length=255, blank=True, default="")
    # Set when the parent arrived but linking to it would break the tree: the
    # comment stays top-level and keeps the parent the platform named, so nothing is lost.
    parent_refused = models.CharField(max_length=20, choices=ParentRefused.choices, blank=True, default="")
    refused_parent_external_id = models.CharField(max_length=255, blank=True, default="")
    external_id = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    edit_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(help_text="When the platform says the comment was posted.")
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    ingested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    path = models.CharField(max_length=2000, default="")
    depth = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "external_id"], name="comment_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["article", "path"]),
            models.Index(fields=["site", "awaiting_parent_external_id"]),
            models.Index(fields=["site", "created_at"]),
            models.Index(fields=["author", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.body[:60]}"
