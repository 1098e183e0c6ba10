"""Materialized paths: how a comment's place in its thread is encoded.

A path is the parent's path plus one fixed-width segment per level:
9 base-36 digits of the creation time in milliseconds, then 8 of the
primary key. Sorting by path gives depth-first display order with siblings
oldest first.
"""
from __future__ import annotations

import datetime as dt

SEGMENT_WIDTH = 17
# Keeps paths inside the column and PostgreSQL's index entry limit; replies
# deeper than this sort after their ancestor at this depth.
MAX_PATH_DEPTH = 110
MAX_PATH_CHARS = SEGMENT_WIDTH * MAX_PATH_DEPTH
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    if number < 0:
        raise ValueError("negative numbers have no path segment")
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits)).rjust(width, "0")[-width:]


def segment(*, created_at: dt.datetime, pk: int) -> str:
    millis = max(int(created_at.timestamp() * 1000), 0)
    return _base36(millis, 9) + _base36(pk, 8)


def child_path(*, parent_path: str, created_at: dt.datetime, pk: int) -> str:
    prefix = parent_path[: SEGMENT_WIDTH * (MAX_PATH_DEPTH - 1)]
    return prefix + segment(created_at=created_at, pk=pk)


def path_contains(*, path: str, ancestor_path: str) -> bool:
    """Whether ``path`` is ``ancestor_path`` or lies under it. Segments are
    fixed-width and end in the primary key, so a prefix is an ancestor; a
    capped path still starts with its first levels."""
    return path.startswith(ancestor_path)
