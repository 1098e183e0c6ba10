"""Reads of articles and threads."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Article, Comment, Site
from .threading import SEGMENT_WIDTH


def thread_for_article(*, article: Article) -> QuerySet[Comment]:
    """The whole thread in display order, each comment with its ``depth``: one query."""
    return Comment.objects.filter(article=article).select_related("author").order_by("path")


def comment_ancestors(*, comment: Comment) -> QuerySet[Comment]:
    """The parent chain from the thread's root down to the direct parent."""
    prefixes = [comment.path[: SEGMENT_WIDTH * level] for level in range(1, len(comment.path) // SEGMENT_WIDTH)]
    return Comment.objects.filter(article_id=comment.article_id, path__in=prefixes).select_related("author").order_by("path")


def comment_subtree(*, comment: Comment) -> QuerySet[Comment]:
    """The comment and all its replies at any depth, in display order."""
    return (
        Comment.objects.filter(article_id=comment.article_id, path__startswith=comment.path)
        .select_related("author")
        .order_by("path")
    )


def parent_in_other_article(*, site: Site, article_external_id: str, parent_external_id: str) -> bool:
    """Whether the parent a reply names is stored under another article of
    the site (a reply cannot cross articles): one query. False when the
    parent is not stored yet; it is checked again when it arrives."""
    if not parent_external_id:
        return False
    return (
        Comment.objects.filter(site=site, external_id=parent_external_id)
        .exclude(article__external_id=article_external_id)
        .exists()
    )
