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


# Threads stay trees (issue 14, item 3): cycles, tombstones, articles, depth.

import itertools  # noqa: E402

from comments.schema import ArticleInput, IngestRefused  # noqa: E402
from comments.services import comment_remove  # noqa: E402
from comments.threading import MAX_PATH_DEPTH  # noqa: E402
from tests.comments.tree_checks import assert_forest  # noqa: E402


def test_a_two_cycle_keeps_the_reply_that_would_close_it_top_level_with_the_reason():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("A", parent="B", created_at=minutes(1)))
    comment_upsert(site=site, data=comment_input("B", parent="A", created_at=minutes(2)))
    rows = assert_forest(site)
    # B arrived with its parent A stored and went under it; adopting A under B
    # would close the loop, so A stays where it is and says why.
    assert rows["B"].parent == rows["A"]
    assert rows["A"].parent is None and rows["A"].awaiting_parent_external_id == ""
    assert (rows["A"].parent_refused, rows["A"].refused_parent_external_id) == (Comment.ParentRefused.CYCLE, "B")
    assert rows["B"].parent_refused == ""


@pytest.mark.parametrize("order", list(itertools.permutations("ABC")))
def test_a_three_cycle_in_any_arrival_order_is_a_tree_with_one_refusal(order):
    site = SiteFactory()
    parents = {"A": "B", "B": "C", "C": "A"}
    for n, external_id in enumerate(order):
        comment_upsert(site=site, data=comment_input(external_id, parent=parents[external_id], created_at=minutes(n)))
    rows = assert_forest(site)
    refused = [c for c in rows.values() if c.parent_refused]
    assert len(refused) == 1 and refused[0].parent is None
    assert refused[0].parent_refused == Comment.ParentRefused.CYCLE
    assert refused[0].refused_parent_external_id == parents[refused[0].external_id]
    # Everyone else is under the parent it named.
    for comment in rows.values():
        if comment is not refused[0]:
            assert comment.parent.external_id == parents[comment.external_id]
    assert not Comment.objects.exclude(awaiting_parent_external_id="").exists()


def test_a_long_cycle_arriving_backwards_is_a_tree():
    site = SiteFactory()
    ids = [f"c{n}" for n in range(12)]
    for n, external_id in reversed(list(enumerate(ids))):
        comment_upsert(site=site, data=comment_input(external_id, parent=ids[(n + 1) % len(ids)], created_at=minutes(n)))
    rows = assert_forest(site)
    assert [c.external_id for c in rows.values() if c.parent_refused] == ["c11"]
    assert max(c.depth for c in rows.values()) == len(ids) - 1


def test_a_comment_naming_itself_as_parent_is_top_level_with_the_reason():
    # The generic schema refuses this; adapters (WordPress `parent`, Coral's
    # parent) hand the service whatever the platform sent.
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("A", parent="A"))
    rows = assert_forest(site)
    assert (rows["A"].parent, rows["A"].parent_refused) == (None, Comment.ParentRefused.CYCLE)


def test_an_edit_naming_another_parent_does_not_move_the_comment():
    # Edits never re-parent (the schema reads parent_id, the service keeps the
    # stored place): an edit cannot make a cycle.
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("A"))
    comment_upsert(site=site, data=comment_input("B", parent="A"))
    comment_upsert(site=site, data=comment_input("A", parent="B", body="edited", edited_at=minutes(5)))
    rows = assert_forest(site)
    assert rows["A"].parent is None and rows["B"].parent == rows["A"] and rows["A"].body == "edited"


def test_a_tombstone_adopts_replies_that_arrived_before_it():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("r1", parent="gone", created_at=minutes(1)))
    comment_upsert(site=site, data=comment_input("r2", parent="r1", created_at=minutes(2)))
    comment_remove(site=site, external_id="gone", article=ArticleInput(external_id="a1"))
    rows = assert_forest(site)
    assert rows["r1"].parent == rows["gone"] and rows["r2"].parent == rows["r1"]
    assert rows["r1"].awaiting_parent_external_id == "" and rows["r2"].depth == 2
    # A reply after the tombstone attaches to it too.
    comment_upsert(site=site, data=comment_input("r3", parent="gone", created_at=minutes(3)))
    # And the real comment arriving after its deletion: the tombstone stays
    # removed where it is (today's behaviour), its replies stay attached.
    comment_upsert(site=site, data=comment_input("gone", body="late text", created_at=minutes(0)))
    rows = assert_forest(site)
    assert rows["gone"].status == Comment.Status.REMOVED and rows["gone"].body == "late text"
    assert rows["r1"].parent == rows["gone"] and rows["r3"].parent == rows["gone"] and rows["r2"].parent == rows["r1"]


def test_a_tombstone_on_another_article_does_not_adopt_and_the_reply_says_why():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("r", article="a2", parent="gone"))
    comment_remove(site=site, external_id="gone", article=ArticleInput(external_id="a1"))
    rows = assert_forest(site)
    assert rows["r"].parent is None and rows["r"].awaiting_parent_external_id == ""
    assert (rows["r"].parent_refused, rows["r"].refused_parent_external_id) == (Comment.ParentRefused.OTHER_ARTICLE, "gone")


def test_an_early_reply_whose_parent_arrives_in_another_article_stops_waiting_and_says_why():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("r", article="a2", parent="p"))
    comment_upsert(site=site, data=comment_input("p", article="a1"))
    rows = assert_forest(site)
    assert rows["r"].parent is None and rows["r"].awaiting_parent_external_id == ""
    assert rows["r"].parent_refused == Comment.ParentRefused.OTHER_ARTICLE


def test_a_reply_to_a_stored_parent_in_another_article_is_refused_for_good():
    # IngestRefused: the worker marks such a delivery dead at once, no retries.
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("p", article="a1"))
    with pytest.raises(IngestRefused) as error:
        comment_upsert(site=site, data=comment_input("r", article="a2", parent="p"))
    assert error.value.field == "data.parent_id"


def test_adopting_a_deep_subtree_under_a_deep_parent_keeps_paths_capped():
    site = SiteFactory()
    comment_upsert(site=site, data=comment_input("p0", created_at=minutes(0)))
    for level in range(1, 100):
        comment_upsert(site=site, data=comment_input(f"p{level}", parent=f"p{level - 1}", created_at=minutes(level)))
    # A 30-deep subtree waiting for "x", which arrives under p99.
    comment_upsert(site=site, data=comment_input("r0", parent="x", created_at=minutes(200)))
    for level in range(1, 30):
        comment_upsert(site=site, data=comment_input(f"r{level}", parent=f"r{level - 1}", created_at=minutes(200 + level)))
    comment_upsert(site=site, data=comment_input("x", parent="p99", created_at=minutes(150)))
    rows = assert_forest(site)
    assert rows["r29"].depth == 130
    assert max(len(c.path) for c in rows.values()) == MAX_PATH_DEPTH * 17
    article = rows["p0"].article
    order = [c.external_id for c in thread_for_article(article=article)]
    assert order[:102] == [f"p{n}" for n in range(100)] + ["x", "r0"]
