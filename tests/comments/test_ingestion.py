import datetime as dt

import pytest

from comments.events import Change
from comments.models import Article, Author, Comment
from comments.schema import ArticleInput, IngestError, parse_event
from comments.selectors import thread_for_article
from comments.services import comment_remove, comment_upsert, event_apply
from tests.factories import SiteFactory, comment_input, minutes

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(Comment.objects.values_list("external_id", "body", "status", "parent__external_id", "path", "depth"))


def test_upsert_creates_article_author_and_comment():
    site = SiteFactory()
    result = comment_upsert(site=site, data=comment_input("c1", body="Hello"))
    assert result.change is Change.CREATED
    comment = Comment.objects.get()
    assert (comment.body, comment.author.display_name, comment.article.title) == ("Hello", "Alice", "Title of a1")


def test_repeating_an_upsert_changes_nothing():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("c1"))
    comment_upsert(site=site, data=comment_input("c2", parent="c1"))
    before = _snapshot()
    result = comment_upsert(site=site, data=comment_input("c2", parent="c1"))
    assert result.change is None
    assert _snapshot() == before
    assert (Comment.objects.count(), Author.objects.count(), Article.objects.count()) == (2, 1, 1)


def test_reply_before_parent_is_linked_when_parent_arrives():
    site = SiteFactory()
    # A grandchild and a child arrive before the root; the child has its own early reply.
    comment_upsert(site=site, data=comment_input("grandchild", parent="child", created_at=minutes(3)))
    comment_upsert(site=site, data=comment_input("child", parent="root", created_at=minutes(2)))
    orphan = Comment.objects.get(external_id="child")
    assert orphan.parent is None and orphan.awaiting_parent_external_id == "root"
    comment_upsert(site=site, data=comment_input("root", created_at=minutes(1)))
    article = Article.objects.get()
    thread = [(c.external_id, c.depth, c.parent.external_id if c.parent else None) for c in thread_for_article(article=article)]
    assert thread == [("root", 0, None), ("child", 1, "root"), ("grandchild", 2, "child")]
    assert not Comment.objects.exclude(awaiting_parent_external_id="").exists()


def test_edit_updates_body_hash_and_counter():
    site = SiteFactory()
    first = comment_upsert(site=site, data=comment_input("c1", body="before")).comment
    result = comment_upsert(site=site, data=comment_input("c1", body="after"))
    assert result.change is Change.EDITED
    comment = Comment.objects.get()
    assert comment.body == "after" and comment.edit_count == 1 and comment.content_hash != first.content_hash
    assert comment.edited_at is not None


def test_an_older_edit_arriving_late_is_ignored():
    site = SiteFactory()
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    comment_upsert(site=site, data=comment_input("c1", body="v1", created_at=t0))
    comment_upsert(site=site, data=comment_input("c1", body="v3", edited_at=t0 + dt.timedelta(hours=3)))
    result = comment_upsert(site=site, data=comment_input("c1", body="v2", edited_at=t0 + dt.timedelta(hours=2)))
    assert result.change is None
    assert Comment.objects.get().body == "v3"


def test_deletion_hides_the_comment_and_keeps_the_record():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("c1", body="text"))
    comment_upsert(site=site, data=comment_input("c2", parent="c1"))
    assert comment_remove(site=site, external_id="c1").change is Change.REMOVED
    assert comment_remove(site=site, external_id="c1").change is None  # twice is harmless
    c1 = Comment.objects.get(external_id="c1")
    assert (c1.status, c1.body, c1.removed_at is not None) == (Comment.Status.REMOVED, "text", True)
    assert Comment.objects.get(external_id="c2").parent == c1


def test_deletion_before_creation_leaves_a_tombstone_that_stays_removed():
    site = SiteFactory()
    comment_remove(site=site, external_id="c9", article=ArticleInput(external_id="a1"))
    comment_upsert(site=site, data=comment_input("c9", body="late text"))
    c9 = Comment.objects.get(external_id="c9")
    assert c9.status == Comment.Status.REMOVED and c9.body == "late text"


def test_deleting_an_unknown_comment_without_article_names_the_field():
    with pytest.raises(IngestError) as error:
        comment_remove(site=SiteFactory(), external_id="nope")
    assert error.value.field == "data.id"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"article": {"id": "a1"}, "body": "x"}, "data.id"),
        ({"id": "c1", "body": "x"}, "data.article"),
        ({"id": "c1", "article": {"id": "a1"}}, "data.body"),
        ({"id": "c1", "article": {"id": "a1"}, "body": 42}, "data.body"),
        ({"id": "c1", "article": {"id": "a1"}, "body": "bad \ud800 unicode"}, "data.body"),
        ({"id": "c1", "article": {"id": "a1"}, "body": "nul \x00"}, "data.body"),
        ({"id": "c1", "article": {"id": "a1"}, "body": "x" * 100_001}, "data.body"),
        ({"id": "c1", "article": {"id": "a1", "url": "javascript:alert(1)"}, "body": "x"}, "data.article.url"),
        ({"id": "c1", "article": {"id": "a1"}, "body": "x", "created_at": "yesterday"}, "data.created_at"),
        ({"id": "c1", "article": {"id": "a1"}, "body": "x", "parent_id": "c1"}, "data.parent_id"),
        ({"id": "c1", "article": {"id": "a1"}, "body": "x", "author": {"name": "no id"}}, "data.author.id"),
        ({"id": ["c1"], "article": {"id": "a1"}, "body": "x"}, "data.id"),
    ],
)
def test_bad_input_names_the_field_and_touches_nothing(data, field):
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("c1", body="original"))
    before = _snapshot()
    with pytest.raises(IngestError) as error:
        event_apply(site=site, event=parse_event({"type": "comment.created", "data": data}))
    assert error.value.field == field
    assert _snapshot() == before


def test_unknown_event_type_is_refused():
    with pytest.raises(IngestError) as error:
        parse_event({"type": "comment.exploded", "data": {}})
    assert error.value.field == "type"


def test_reply_to_a_parent_on_another_article_is_refused_and_nothing_is_written():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("p", article="a1"))
    before = _snapshot()
    with pytest.raises(IngestError) as error:
        comment_upsert(site=site, data=comment_input("r", article="a2", parent="p"))
    assert error.value.field == "data.parent_id"
    assert _snapshot() == before
    assert not Article.objects.filter(external_id="a2").exists()


def test_comment_event_naming_its_article_by_id_keeps_the_stored_title():
    site = SiteFactory()
    event_apply(site=site, event=parse_event({"type": "article.upserted", "data": {"id": "a1", "title": "Kept"}}))
    event_apply(site=site, event=parse_event({"type": "comment.created", "data": {"id": "c", "article": {"id": "a1"}, "body": "x"}}))
    assert Article.objects.get().title == "Kept"
