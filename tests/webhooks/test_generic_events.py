"""One test per generic event, sent as its fixture (webhooks/platforms/generic/fixtures)."""
import pytest

from comments.models import Article, Comment
from moderation.models import CommentReport

from .fixtures import fixture
from .helpers import process_all

pytestmark = pytest.mark.django_db


def send(sender, *names):
    for name in names:
        assert sender.post(fixture("generic", name)).status_code == 202
    assert set(process_all()) == {"done"}


def test_article_upserted(sender, site):
    send(sender, "article_upserted")
    article = Article.objects.get(site=site, external_id="a1")
    assert (article.title, article.author_name, article.body) == (
        "Bridge repairs delayed again", "Newsroom", "The council postponed the repairs.")


def test_comment_created(sender, site):
    send(sender, "comment_created")
    comment = Comment.objects.get(site=site, external_id="c1")
    assert (comment.body, comment.author.display_name, comment.article.title) == (
        "They said the same last spring.", "Una", "Bridge repairs delayed again")


def test_comment_edited(sender, site):
    send(sender, "comment_created", "comment_edited")
    comment = Comment.objects.get(site=site, external_id="c1")
    assert (comment.body, comment.edit_count) == ("They said the same last spring, and the spring before.", 1)


def test_comment_deleted(sender, site):
    send(sender, "comment_created", "comment_deleted")
    assert Comment.objects.get(site=site, external_id="c1").status == "removed"


def test_comment_reported(sender, site):
    send(sender, "comment_created", "comment_reported")
    assert CommentReport.objects.get().reason == "off topic"
