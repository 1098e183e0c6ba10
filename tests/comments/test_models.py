import pytest
from django.db import IntegrityError, transaction

from tests.factories import ArticleFactory, SiteFactory
from comments.models import Article, Author, Comment

pytestmark = pytest.mark.django_db


def test_article_external_id_is_unique_per_site():
    article = ArticleFactory(external_id="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(site=article.site, external_id="x")
    # Another site may use the same id.
    Article.objects.create(site=SiteFactory(), external_id="x")


def test_author_external_id_is_unique_per_site():
    site = SiteFactory()
    Author.objects.create(site=site, external_id="u1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Author.objects.create(site=site, external_id="u1")


def test_comment_external_id_is_unique_per_site():
    article = ArticleFactory()
    fields = dict(site=article.site, article=article, external_id="c1", content_hash="h", created_at="2024-01-01T00:00Z")
    Comment.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(**fields)
