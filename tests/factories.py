"""Factories and named users shared by the test suite."""
from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from comments.models import Article, Author, Comment, Site
from comments.schema import ArticleInput, AuthorInput, CommentInput


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"site-{n}")
    name = factory.LazyAttribute(lambda site: site.slug.title())


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    site = factory.SubFactory(SiteFactory)
    external_id = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    url = factory.LazyAttribute(lambda article: f"https://news.example/{article.external_id}")


def comment_input(
    external_id: str,
    *,
    article: str = "a1",
    body: str | None = None,
    parent: str = "",
    author: str | None = "alice",
    created_at: dt.datetime | None = None,
    edited_at: dt.datetime | None = None,
) -> CommentInput:
    """A valid comment input with sensible defaults; tests override what they pin down."""
    return CommentInput(
        external_id=external_id,
        article=ArticleInput(external_id=article, title=f"Title of {article}", url=f"https://news.example/{article}"),
        body=body if body is not None else f"Comment {external_id}",
        author=AuthorInput(external_id=author, display_name=author.title()) if author else None,
        parent_external_id=parent,
        created_at=created_at,
        edited_at=edited_at,
    )


def minutes(n: int) -> dt.datetime:
    return timezone.now().replace(microsecond=0) - dt.timedelta(minutes=1000 - n)


__all__ = ["Article", "ArticleFactory", "Author", "Comment", "SiteFactory", "comment_input", "minutes"]
