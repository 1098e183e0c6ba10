"""Pure planning helpers for the transformer scorer: token windows and length-bucketed batches.

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


def plan_batches(lengths: Sequence[int], *, token_budget: int, max_rows: int) -> list[list[int]]:
    """Group item indexes into batches of similar length whose padded size stays within budget.

    Items are taken longest first, so each batch's first item fixes its padded
    length and the batch grows while ``rows * padded_length <= token_budget``.
    Every batch holds at least one item, even one longer than the budget.
    """
    if token_budget <= 0 or max_rows <= 0:
        raise ValueError("token_budget and max_rows must be positive")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    padded = 0
    for index in order:
        if current and (len(current) >= max_rows or (len(current) + 1) * padded > token_budget):
            batches.append(current)
            current = []
        if not current:
            padded = max(lengths[index], 1)
        current.append(index)
    if current:
        batches.append(current)
    return batches
