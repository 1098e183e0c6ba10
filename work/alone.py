"""One bad item never takes its batch down: the batch is tried whole, and
when it raises each item is tried alone, so only the bad one fails."""
from __future__ import annotations

import logging
from typing import Callable, Sequence, TypeVar

logger = logging.getLogger(__name__)
Item = TypeVar("Item")
Result = TypeVar("Result")


def batch_or_alone(
    items: Sequence[Item],
    work: Callable[[list[Item]], Result],
    *,
    fail: Callable[[Item, Exception], None],
    errors: tuple[type[Exception], ...] = (Exception,),
    what: str = "batch",
) -> list[tuple[list[Item], Result]]:
    """``work`` over all ``items`` at once; when that raises one of ``errors``,
    ``work`` over each item alone. An item that raises alone is handed to
    ``fail`` with its error (it is that item's fault). Returns each group that
    worked with its result."""
    items = list(items)
    if not items:
        return []
    try:
        return [(items, work(items))]
    except errors as error:
        if len(items) == 1:  # already alone: the error is this item's
            fail(items[0], error)
            return []
        logger.warning("a %s of %d failed; trying one at a time", what, len(items), exc_info=error)
    done = []
    for item in items:
        try:
            done.append(([item], work([item])))
        except errors as error:
            fail(item, error)
    return done
