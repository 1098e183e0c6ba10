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
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"site-{n}")
    name = factory.LazyAttribute(lambda site: site.slug.title())

    @factory.post_generation
    def rejection_reasons(site, create, extracted, **kwargs):
        """Sites in tests are moderated sites: they have the default rejection reasons."""
        if create:
            from moderation.services.site_settings import rejection_reasons_ensure_for

            rejection_reasons_ensure_for(site_ids=[site.pk])


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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user-{n}")
    password = factory.django.Password("pw")


def member(site: Site, role: str = "moderator", username: str | None = None):
    """A user with a role on a site (moderator, senior or owner)."""
    from moderation.models import SiteMembership

    user = UserFactory(username=username) if username else UserFactory()
    SiteMembership.objects.update_or_create(user=user, site=site, defaults={"role": role})
    return user


LOW_TOXICITY = {"toxicity": 0.02, "severe_toxicity": 0.0, "obscene": 0.01, "threat": 0.0, "insult": 0.01,
                "identity_attack": 0.0}


def scored_comment(
    site: Site,
    external_id: str,
    *,
    body: str | None = None,
    toxicity: dict | None = None,
    framing: float = 0.0,
    spans: list[dict] | None = None,
    article: str = "a1",
    author: str | None = "alice",
    parent: str = "",
    created_at: dt.datetime | None = None,
) -> Comment:
    """A comment ingested the real way, with stored scores as a worker would
    store them, and its flag derived by the real policy."""
    from comments.services import comment_upsert
    from moderation.models import CommentScoring, Score
    from moderation.services.flags import flags_evaluate

    data = comment_input(external_id, article=article, body=body, parent=parent, author=author, created_at=created_at)
    comment = comment_upsert(site=site, data=data).comment
    tox = Score.objects.create(
        comment=comment, kind=Score.Kind.TOXICITY, scorer="detoxify-original", version="test",
        content_hash=comment.content_hash, labels={**LOW_TOXICITY, **(toxicity or {})},
    )
    frame = Score.objects.create(
        comment=comment, kind=Score.Kind.FRAMING, scorer="framing-analyzer", version="test",
        content_hash=comment.content_hash, labels={"conspiracy_framing": framing}, spans=spans or [],
    )
    CommentScoring.objects.filter(pk=comment.pk).update(
        state=CommentScoring.State.DONE, scored_hash=comment.content_hash, scored_at=timezone.now(),
        toxicity_score=tox, framing_score=frame,
    )
    flags_evaluate(comment_ids=[comment.pk])
    comment.refresh_from_db()
    return comment


__all__ = [
    "Article", "ArticleFactory", "Author", "Comment", "SiteFactory", "UserFactory", "comment_input", "member",
    "minutes", "scored_comment",
]


def logged_in(user):
    """A test client with ``user`` logged in (one per user, so two can act at once)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
