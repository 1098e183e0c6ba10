import pytest

from comments.models import Comment
from comments.selectors import comment_ancestors, comment_subtree, thread_for_article
from comments.services import comment_upsert
from tests.factories import SiteFactory, comment_input, minutes

pytestmark = pytest.mark.django_db


def _expected_order(children: dict[str, list[str]], root_ids: list[str]) -> list[tuple[str, int]]:
    out = []

    def walk(ids, depth):
        for external_id in ids:
            out.append((external_id, depth))
            walk(children.get(external_id, []), depth + 1)

    walk(root_ids, 0)
    return out


def test_deep_and_wide_thread_comes_back_in_display_order_with_depth(django_assert_num_queries):
    site = SiteFactory()
    children: dict[str, list[str]] = {}
    roots = []
    n = 0
    # 5 roots, each with a reply chain 40 deep, and 6 siblings under every 10th level.
    for r in range(5):
        n += 1
        root = f"r{r}"
        comment_upsert(site=site, data=comment_input(root, created_at=minutes(r)))
        roots.append(root)
        parent = root
        for level in range(40):
            n += 1
            child = f"{root}-d{level}"
            comment_upsert(site=site, data=comment_input(child, parent=parent, created_at=minutes(100 + n)))
            children.setdefault(parent, []).append(child)
            if level % 10 == 0:
                for s in range(6):
                    n += 1
                    sibling = f"{child}-s{s}"
                    comment_upsert(site=site, data=comment_input(sibling, parent=parent, created_at=minutes(100 + n)))
                    children[parent].append(sibling)
            parent = child
    article = Comment.objects.get(external_id="r0").article
    with django_assert_num_queries(1):
        thread = [(c.external_id, c.depth, c.author.display_name) for c in thread_for_article(article=article)]
    assert [(eid, depth) for eid, depth, _ in thread] == _expected_order(children, roots)
    assert max(depth for _, depth, _ in thread) == 40


def test_siblings_are_ordered_by_creation_time_not_arrival():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("p", created_at=minutes(0)))
    comment_upsert(site=site, data=comment_input("late", parent="p", created_at=minutes(20)))
    comment_upsert(site=site, data=comment_input("early", parent="p", created_at=minutes(10)))
    article = Comment.objects.get(external_id="p").article
    assert [c.external_id for c in thread_for_article(article=article)] == ["p", "early", "late"]


def test_ancestors_and_subtree():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("a"))
    comment_upsert(site=site, data=comment_input("b", parent="a"))
    comment_upsert(site=site, data=comment_input("c", parent="b"))
    comment_upsert(site=site, data=comment_input("d", parent="c"))
    comment_upsert(site=site, data=comment_input("other"))
    c = Comment.objects.get(external_id="c")
    assert [x.external_id for x in comment_ancestors(comment=c)] == ["a", "b"]
    assert [x.external_id for x in comment_subtree(comment=Comment.objects.get(external_id="b"))] == ["b", "c", "d"]
