"""Property: whatever order a small forest's events arrive in, with cycles,
self-replies, replies across articles and deletions before creations, what is
stored is a forest of tree paths, and every reply whose parent is stored is
under it unless refused for a recorded reason."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments.models import Comment
from comments.schema import ArticleInput, IngestRefused
from comments.services import comment_remove, comment_upsert
from comments.threading import path_contains
from tests.comments.tree_checks import assert_forest
from tests.factories import SiteFactory, comment_input, minutes

pytestmark = pytest.mark.django_db


@st.composite
def histories(draw):
    size = draw(st.integers(min_value=2, max_value=7))
    ids = [f"c{n}" for n in range(size)]
    # Any parent at all: none, itself, or any other node (so cycles of every length).
    parents = [draw(st.sampled_from([None, *ids])) for _ in ids]
    articles = [draw(st.sampled_from(["a1", "a1", "a1", "a2"])) for _ in ids]
    deleted = [draw(st.booleans()) for _ in ids]
    events = [("create", n) for n in range(size)] + [("delete", n) for n in range(size) if deleted[n]]
    return ids, parents, articles, draw(st.permutations(events))


@settings(max_examples=40, deadline=None)
@given(histories())
def test_any_arrival_order_stores_a_forest_with_every_link_kept_or_refused_for_a_reason(history):
    ids, parents, articles, events = history
    site = SiteFactory()
    claim_applies: dict[str, bool] = {}  # stored first by its creation (a tombstone keeps no claim)
    refused_at_door: set[str] = set()
    for kind, n in events:
        external_id, article = ids[n], articles[n]
        if kind == "delete":
            comment_remove(site=site, external_id=external_id, article=ArticleInput(external_id=article))
            claim_applies.setdefault(external_id, False)
            continue
        parent = parents[n] or ""
        try:
            comment_upsert(site=site, data=comment_input(external_id, article=article, parent=parent, created_at=minutes(n)))
        except IngestRefused as refused:
            # Only ever because the parent is stored under another article.
            assert refused.field == "data.parent_id"
            stored_parent = Comment.objects.get(site=site, external_id=parent)
            assert stored_parent.article.external_id != article
            refused_at_door.add(external_id)
            continue
        claim_applies.setdefault(external_id, True)

    rows = assert_forest(site)
    assert set(rows) == set(claim_applies)
    for external_id, comment in rows.items():
        if comment.awaiting_parent_external_id:
            # Nobody waits for a parent that is stored.
            assert comment.awaiting_parent_external_id not in rows
        if not claim_applies[external_id]:
            continue  # a tombstone stays where it was put, whatever the late creation says
        n = ids.index(external_id)
        if parents[n] is None:
            assert comment.parent is None and not comment.parent_refused
            continue
        claimed = parents[n]
        if claimed not in rows:
            assert comment.parent is None and comment.awaiting_parent_external_id == claimed
        elif comment.parent_id == rows[claimed].pk:
            assert not comment.parent_refused
        else:
            assert comment.parent is None and comment.refused_parent_external_id == claimed
            if comment.parent_refused == Comment.ParentRefused.OTHER_ARTICLE:
                assert rows[claimed].article_id != comment.article_id
            else:
                assert comment.parent_refused == Comment.ParentRefused.CYCLE
                assert path_contains(path=rows[claimed].path, ancestor_path=comment.path)
    for external_id in refused_at_door:
        # A refused creation stored nothing: only its deletion can have left a tombstone.
        assert external_id not in rows or not claim_applies[external_id]
