"""Dynamic batching inside the realtime scorer's event loop.

Callers submit work and await a future. One drain task owns the models: it
takes everything waiting, scores it as one batch, answers, and goes again.
While a batch runs the loop is busy, so what arrives meanwhile is read
afterwards and joins the next batch. Before each batch the loop keeps taking
turns until no new call has come in for ``quiet`` seconds (at most
``max_wait``): clients answered a moment ago are sending their next call, and
without the pause they would always miss the batch and ride the one after,
which doubles their latency. (uvloop's timers round to milliseconds, so the
pause is measured between loop turns, not slept.)
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Callable, Sequence

ScoreBatch = Callable[[Sequence[dict]], list[dict]]


class DeadlinePassed(Exception):
    """The caller's deadline passed before its work was scored; it is not scored at all."""


@dataclass
class BatchStats:
    batches: int = 0
    requests: int = 0
    model_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"batches": self.batches, "requests": self.requests, "model_ms": round(self.model_seconds * 1000, 3)}


class Batcher:
    def __init__(self, score: ScoreBatch, *, max_batch: int, quiet: float = 0.0002, max_wait: float = 0.001):
        self._score = score
        self.max_batch = max(1, max_batch)
        self.quiet, self.max_wait = quiet, max_wait
        self._pending: list[tuple[dict, asyncio.Future, float | None]] = []
        self._drain_task: asyncio.Task | None = None
        self.stats = BatchStats()

    @property
    def waiting(self) -> int:
        return len(self._pending)

    def submit(self, work: dict, *, deadline: float | None = None) -> asyncio.Future:
        """The reply to ``work`` ({"results": [...]} or {"error": ...}) once its batch has run, or
        DeadlinePassed once ``time.monotonic()`` passes ``deadline`` (checked again when a batch is taken,
        so late work is never scored however the loop's timers fall)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if deadline is not None:
            timer = loop.call_later(max(0.0, deadline - time.monotonic()), _expire, future)
            future.add_done_callback(lambda _: timer.cancel())
        self._pending.append((work, future, deadline))
        if self._drain_task is None:
            self._drain_task = loop.create_task(self._drain())
        return future

    async def _drain(self) -> None:
        try:
            while self._pending:
                await self._gather()
                taken, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
                batch = self._still_wanted(taken)
                if batch:
                    self._run(batch)
                    await asyncio.sleep(0)  # let the answers go out before the next batch starts
        finally:
            self._drain_task = None

    async def _gather(self) -> None:
        seen, last_arrival = len(self._pending), time.perf_counter()
        give_up = last_arrival + self.max_wait
        while len(self._pending) < self.max_batch:
            await asyncio.sleep(0)
            now = time.perf_counter()
            if len(self._pending) != seen:
                seen, last_arrival = len(self._pending), now
            elif now - last_arrival >= self.quiet or now >= give_up:
                return

    @staticmethod
    def _still_wanted(taken: list[tuple[dict, asyncio.Future, float | None]]) -> list[tuple[dict, asyncio.Future]]:
        now, wanted = time.monotonic(), []
        for work, future, deadline in taken:
            if future.done():  # the caller went away
                continue
            if deadline is not None and deadline <= now:
                future.set_exception(DeadlinePassed())
                continue
            wanted.append((work, future))
        return wanted

    def _run(self, batch: list[tuple[dict, asyncio.Future]]) -> None:
        started = time.perf_counter()
        replies = self._score([work for work, _ in batch])
        self.stats.model_seconds += time.perf_counter() - started
        self.stats.batches += 1
        self.stats.requests += len(batch)
        for (_, future), reply in zip(batch, replies, strict=True):
            if not future.done():
                future.set_result(reply)


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(DeadlinePassed())
