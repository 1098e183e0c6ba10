"""The guards of ingestion, each pinned by a test that fails when the guard goes:
every lookup is scoped to its site, early replies are adopted only within
their site and article with exact paths, and a platform's restore undoes only
a platform's deletion."""
import pytest

from comments.models import Comment
from comments.schema import ArticleInput, IngestRefused
from comments.services import comment_remove, comment_restore, comment_set_status, comment_upsert
from tests.factories import SiteFactory, comment_input, minutes

from .tree_checks import assert_forest

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites():
    return SiteFactory(slug="site-a"), SiteFactory(slug="site-b")


def test_the_same_comment_id_on_another_site_is_another_comment(two_sites):
    site_a, site_b = two_sites
    a = comment_upsert(site=site_a, data=comment_input("1", body="site A's text")).comment
    b = comment_upsert(site=site_b, data=comment_input("1", body="site B's text")).comment
    assert b.pk != a.pk and b.site == site_b
    assert Comment.objects.get(pk=a.pk).body == "site A's text"
    assert Comment.objects.get(site=site_b, external_id="1").body == "site B's text"


def test_a_reply_names_its_parent_within_its_own_site(two_sites):
    site_a, site_b = two_sites
    comment_upsert(site=site_a, data=comment_input("p", article="other"))
    reply = comment_upsert(site=site_b, data=comment_input("r", parent="p")).comment
    assert reply.parent is None and reply.awaiting_parent_external_id == "p"  # B's "p" has not arrived
    parent_b = comment_upsert(site=site_b, data=comment_input("p")).comment
    assert Comment.objects.get(pk=reply.pk).parent == parent_b


def test_a_parent_adopts_only_its_own_sites_early_replies(two_sites):
    site_a, site_b = two_sites
    waiting = comment_upsert(site=site_b, data=comment_input("r", parent="p")).comment
    comment_upsert(site=site_a, data=comment_input("p"))
    waiting.refresh_from_db()
    assert (waiting.parent, waiting.awaiting_parent_external_id, waiting.parent_refused) == (None, "p", "")


def test_a_deletion_on_another_site_leaves_this_sites_comment_alone(two_sites):
    site_a, site_b = two_sites
    a = comment_upsert(site=site_a, data=comment_input("1")).comment
    comment_remove(site=site_b, external_id="1", article=ArticleInput(external_id="a1"))
    assert Comment.objects.get(pk=a.pk).status == Comment.Status.VISIBLE
    assert Comment.objects.get(site=site_b, external_id="1").status == Comment.Status.REMOVED


def test_an_adopted_subtree_keeps_exact_paths_under_its_new_parent():
    site = SiteFactory()
    # "child" waits for "root"; its own replies attach to it at once, two levels deep.
    comment_upsert(site=site, data=comment_input("child", parent="root", created_at=minutes(2)))
    comment_upsert(site=site, data=comment_input("grandchild", parent="child", created_at=minutes(3)))
    comment_upsert(site=site, data=comment_input("great", parent="grandchild", created_at=minutes(4)))
    comment_upsert(site=site, data=comment_input("root", created_at=minutes(1)))
    rows = assert_forest(site)  # every path is its parent's path plus its own segment
    assert [rows[name].depth for name in ("root", "child", "grandchild", "great")] == [0, 1, 2, 3]
    assert rows["great"].path.startswith(rows["grandchild"].path) and len(rows["great"].path) == 4 * 17


def test_an_early_reply_is_not_adopted_by_a_parent_in_another_article():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("r", article="a2", parent="p"))
    comment_upsert(site=site, data=comment_input("p", article="a1"))
    rows = assert_forest(site)
    assert rows["r"].parent is None and rows["r"].parent_refused == Comment.ParentRefused.OTHER_ARTICLE


def test_an_edit_naming_another_article_is_refused_and_moves_nothing():
    site = SiteFactory()
    stored = comment_upsert(site=site, data=comment_input("c", article="a1")).comment
    with pytest.raises(IngestRefused) as refused:
        comment_upsert(site=site, data=comment_input("c", article="a2", body="moved?"))
    assert refused.value.field == "data.article.id"
    again = Comment.objects.get(pk=stored.pk)
    assert (again.article_id, again.body) == (stored.article_id, stored.body)


def test_a_platform_restore_undoes_a_platform_deletion():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("c"))
    comment_remove(site=site, external_id="c")
    assert comment_restore(site=site, external_id="c") is True
    restored = Comment.objects.get(external_id="c")
    assert (restored.status, restored.removed_at) == (Comment.Status.VISIBLE, None)


def test_a_platform_restore_does_not_undo_a_moderators_rejection():
    # A moderator's rejection is a status change with no removed_at (moderation's decisions use this service).
    site = SiteFactory()
    comment = comment_upsert(site=site, data=comment_input("c")).comment
    assert comment_set_status(comment_id=comment.pk, expected=Comment.Status.VISIBLE, new=Comment.Status.REMOVED)
    assert comment_restore(site=site, external_id="c") is False
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REMOVED


def test_a_platform_restore_on_another_site_restores_nothing_here(two_sites):
    site_a, site_b = two_sites
    comment_upsert(site=site_a, data=comment_input("c"))
    comment_remove(site=site_a, external_id="c")
    assert comment_restore(site=site_b, external_id="c") is False
    assert Comment.objects.get(site=site_a).status == Comment.Status.REMOVED
