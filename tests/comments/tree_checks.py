"""What every stored thread must be: a forest whose paths are tree paths."""
from __future__ import annotations

from comments.models import Comment
from comments.threading import SEGMENT_WIDTH, child_path, segment


def segments(path: str) -> list[str]:
    return [path[start:start + SEGMENT_WIDTH] for start in range(0, len(path), SEGMENT_WIDTH)]


def assert_forest(site) -> dict[str, Comment]:
    """Every comment's path is its parent's path plus its own segment (capped),
    no path repeats a segment, parents are in the same article; returns the
    comments by external id."""
    rows = {c.pk: c for c in Comment.objects.filter(site=site)}
    for comment in rows.values():
        parts = segments(comment.path)
        assert len(comment.path) % SEGMENT_WIDTH == 0, comment.external_id
        assert len(parts) == len(set(parts)), f"{comment.external_id} repeats a segment: {comment.path}"
        parent = rows.get(comment.parent_id)
        parent_path = parent.path if parent else ""
        assert comment.path == child_path(parent_path=parent_path, created_at=comment.created_at, pk=comment.pk), (
            comment.external_id)
        assert parts[-1] == segment(created_at=comment.created_at, pk=comment.pk)
        assert comment.depth == (parent.depth + 1 if parent else 0), comment.external_id
        if parent:
            assert parent.article_id == comment.article_id
            assert not comment.awaiting_parent_external_id
    return {c.external_id: c for c in rows.values()}
