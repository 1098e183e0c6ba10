"""Pure planning helpers for the transformer scorer: token windows and length-sorted batches.

Kept free of torch and transformers so the arithmetic is easy to test and reason about.
"""
from __future__ import annotations

from typing import Sequence


def window_starts(n_tokens: int, *, size: int, overlap: int) -> list[int]:
    """Start offsets of overlapping windows of ``size`` tokens covering ``n_tokens`` tokens.

    A text that fits gets one window at 0 (exactly what truncation would see).
    Longer texts step by ``size - overlap``; the last window is aligned to the
    end so it is full-length and carries as much context as the others.
    """
    if size <= 0:
        raise ValueError("window size must be positive")
    if not 0 <= overlap < size:
        raise ValueError("overlap must be in [0, size)")
    if n_tokens <= size:
        return [0]
    step = size - overlap
    last = n_tokens - size
    starts = list(range(0, last, step))
    starts.append(last)
    return starts


def plan_batches(
    lengths: Sequence[int], *, token_budget: int, max_rows: int, batch_overhead: int = 128
) -> list[list[int]]:
    """Group item indexes into batches of similar length, longest batch first.

    Items are sorted by length and cut into consecutive runs. A batch costs
    ``rows * padded_length`` tokens (the padded length is its longest item)
    plus ``batch_overhead`` token-equivalents for the fixed cost of a forward
    pass; the cuts minimise the total cost (dynamic programming, O(n * max_rows)).
    So a short comment is never padded to a long one just because the budget
    had room, and near-equal lengths are not split into needless extra batches.
    A batch keeps ``rows <= max_rows`` and ``rows * padded_length <= token_budget``;
    an item longer than the budget gets a batch of its own.
    """
    if token_budget <= 0 or max_rows <= 0 or batch_overhead < 0:
        raise ValueError("token_budget and max_rows must be positive, batch_overhead non-negative")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    sizes = [max(lengths[i], 1) for i in order]
    n = len(sizes)
    best = [0] + [-1] * n  # best[j]: cheapest cost of batching the first j sorted items
    cut = [0] * (n + 1)  # cut[j]: where the last batch of that cheapest plan starts
    for end in range(1, n + 1):
        for start in range(end - 1, max(end - max_rows, 0) - 1, -1):
            rows = end - start
            # Moving start left only adds rows and raises the padded length, so stop at the first misfit.
            if rows > 1 and rows * sizes[start] > token_budget:
                break
            cost = best[start] + rows * sizes[start] + batch_overhead
            if best[end] < 0 or cost < best[end]:
                best[end] = cost
                cut[end] = start
    batches: list[list[int]] = []
    end = n
    while end > 0:
        batches.append(order[cut[end] : end])
        end = cut[end]
    batches.reverse()
    return batches
