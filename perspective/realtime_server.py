"""The realtime scorer: a long-running process that keeps the models loaded
and answers synchronous scoring calls, batching whatever arrived together.

One event loop owns the models (``batcher.Batcher``) and takes work from two
doors: the Redis list the web processes push to (their ``/v1alpha1`` views
and Coral's external moderation), and, with ``listen``, its own HTTP server
for the Perspective-compatible API (``api_app``), which skips the web
process and Redis altogether. Requests whose caller has already given up
(deadline passed) are dropped unscored. Any number of these processes can
serve the same Redis list, on any host.
"""
from __future__ import annotations

import asyncio
import gc
import json
import logging
import threading
import time
from typing import Sequence

import redis
import redis.asyncio
import uvicorn
import uvloop
from django.conf import settings

from moderation import loaded_scorers

from .api_app import PerspectiveApp
from .batcher import Batcher, DeadlinePassed
from .realtime import ALIVE, REPLY_TTL_SECONDS, REQUESTS, redis_url_for_client

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 2.0


def _toxicity_answers(requests: Sequence[dict]) -> dict[tuple[int, int], dict]:
    """Score every text (and, where asked, each of its sentences) in one call."""
    loaded = loaded_scorers.toxicity_scorer(keep_embeddings=False).scorer
    texts: list[str] = []
    plan: list[tuple[int, int, list[tuple[int, int]]]] = []  # (request, text, sentence offsets)
    for r, request in enumerate(requests):
        if not request.get("toxicity"):
            continue
        for t, text in enumerate(request["texts"]):
            spans = loaded_scorers.sentence_spans(text) if request.get("sentences") else []
            if len(spans) <= 1:
                spans = [(0, len(text))] if request.get("sentences") else []
                texts.append(text)
            else:
                texts.append(text)
                texts.extend(text[start:end] for start, end in spans)
            plan.append((r, t, spans))
    scores = loaded.score(texts) if texts else []
    answers: dict[tuple[int, int], dict] = {}
    position = 0
    for r, t, spans in plan:
        whole = scores[position]
        position += 1
        if len(spans) > 1:
            parts, position = scores[position:position + len(spans)], position + len(spans)
        else:
            parts = [whole] * len(spans)
        answers[(r, t)] = {
            "scorer": loaded.name, "version": loaded.version, "labels": whole.labels,
            "sentences": [{"start": start, "end": end, "labels": part.labels} for (start, end), part in zip(spans, parts)],
            # Labels this model could answer but will not (a head that missed its floor), and why.
            "unserved": dict(getattr(loaded, "unserved", {}) or {}),
        }
    return answers


def _framing_answers(requests: Sequence[dict]) -> dict[tuple[int, int], dict]:
    """The framing analyzer, one call per set of site terms."""
    groups: dict[str, list[tuple[int, int, str]]] = {}
    for r, request in enumerate(requests):
        if request.get("framing"):
            key = json.dumps(request.get("framing_terms") or {}, sort_keys=True)
            groups.setdefault(key, []).extend((r, t, text) for t, text in enumerate(request["texts"]))
    answers: dict[tuple[int, int], dict] = {}
    for key, items in groups.items():
        analyzer = loaded_scorers.framing_scorer(extra_terms=json.loads(key), keep_embeddings=False)
        for (r, t, _), result in zip(items, analyzer.score([text for _, _, text in items]), strict=True):
            answers[(r, t)] = {
                "scorer": analyzer.name, "version": analyzer.version, "labels": result.labels,
                "sentences": result.sentences, "spans": [span.as_dict() for span in result.spans],
            }
    return answers


def score_requests(requests: Sequence[dict]) -> list[dict]:
    """One reply per request: {"results": [per text]} or {"error": "..."}."""
    try:
        toxicity, framing = _toxicity_answers(requests), _framing_answers(requests)
    except Exception as error:  # one bad batch must not kill the process; each caller hears why
        logger.exception("realtime batch of %d requests failed", len(requests))
        return [{"error": f"{type(error).__name__}: {error}"} for _ in requests]
    replies = []
    for r, request in enumerate(requests):
        results = []
        for t in range(len(request["texts"])):
            result = {}
            if (r, t) in toxicity:
                result["toxicity"] = toxicity[(r, t)]
            if (r, t) in framing:
                result["framing"] = framing[(r, t)]
            results.append(result)
        replies.append({"results": results})
    return replies


class RealtimeScorer:
    def __init__(self, *, redis_url: str, max_batch: int | None = None, listen: tuple[str, int] | None = None):
        self.redis_url, self.listen = redis_url, listen
        self.batcher = Batcher(score_requests, max_batch=max_batch or settings.REALTIME_MAX_BATCH)
        self.description = "loading"
        self._replies: set[asyncio.Task] = set()

    def warm_up(self) -> str:
        """Load the models and run them once, so the first caller does not pay for it."""
        score_requests([{"texts": ["Warming up the models."], "toxicity": True, "framing": True, "sentences": True}])
        tox = loaded_scorers.toxicity_scorer(keep_embeddings=False)
        framing = loaded_scorers.framing_scorer(keep_embeddings=False)
        if tox.fallback_reason:
            logger.warning("realtime scorer: %s", tox.fallback_reason)
        # The models and Django are a few million long-lived objects: keep them out of the cyclic
        # collector's full passes, which otherwise stall a call now and then for milliseconds.
        gc.collect()
        gc.freeze()
        return f"{tox.scorer.name} {tox.scorer.version}; {framing.name} {framing.version}"

    def run(self, stop: threading.Event) -> None:
        """Serve until ``stop`` is set (from a signal handler or another thread)."""
        async def main() -> None:
            stopping = asyncio.Event()
            watcher = asyncio.create_task(_watch(stop, stopping))
            try:
                await self.serve(stopping)
            finally:
                watcher.cancel()

        uvloop.run(main())

    async def serve(self, stopping: asyncio.Event) -> None:
        self.description = self.warm_up()
        conn = redis.asyncio.Redis.from_url(redis_url_for_client(self.redis_url), socket_connect_timeout=2)
        tasks = [asyncio.create_task(self._heartbeat(conn, stopping)), asyncio.create_task(self._consume(conn, stopping))]
        server = None
        if self.listen:
            app = PerspectiveApp(batcher=self.batcher, timeout=settings.PERSPECTIVE_TIMEOUT_SECONDS,
                                 cache_seconds=settings.PERSPECTIVE_KEY_CACHE_SECONDS, description=lambda: self.description)
            server = uvicorn.Server(uvicorn.Config(
                app, host=self.listen[0], port=self.listen[1], loop="none", http="httptools", lifespan="off",
                access_log=False, log_level="warning", timeout_keep_alive=30, proxy_headers=False,
                server_header=False,
            ))
            tasks.append(asyncio.create_task(server.serve()))
        logger.info("realtime scorer ready: %s%s", self.description,
                    f"; Perspective API on http://{self.listen[0]}:{self.listen[1]}/v1alpha1" if self.listen else "")
        waiting = asyncio.create_task(stopping.wait())
        await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)  # a stop, or a part that quit
        stopping.set()
        if server is not None:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await conn.delete(ALIVE)
        except redis.RedisError:
            pass
        await conn.aclose()

    async def _heartbeat(self, conn: redis.asyncio.Redis, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await conn.set(ALIVE, self.description, ex=int(HEARTBEAT_SECONDS * 5))
            except redis.RedisError as error:
                logger.warning("realtime scorer lost Redis: %s; retrying", error)
            await _wait(stopping, HEARTBEAT_SECONDS)

    async def _consume(self, conn: redis.asyncio.Redis, stopping: asyncio.Event) -> None:
        """The web processes' requests: everything waiting is submitted at once, so it shares a batch."""
        while not stopping.is_set():
            try:
                first = await conn.blpop([REQUESTS], timeout=1)
                if first is None:
                    continue
                raw = [first[1]] + (await conn.lpop(REQUESTS, self.batcher.max_batch - 1) or [])
            except redis.RedisError as error:
                logger.warning("realtime scorer lost Redis: %s; retrying", error)
                await _wait(stopping, 1.0)
                continue
            now, monotonic = time.time(), time.monotonic()
            for item in raw:
                try:
                    request = json.loads(item)
                except ValueError:
                    logger.warning("dropped a malformed realtime request")
                    continue
                if request.get("deadline", 0) >= now:
                    reply = self.batcher.submit(request, deadline=monotonic + request["deadline"] - now)
                    task = asyncio.create_task(self._answer(conn, request, reply))
                    self._replies.add(task)
                    task.add_done_callback(self._replies.discard)

    async def _answer(self, conn: redis.asyncio.Redis, request: dict, reply: asyncio.Future) -> None:
        try:
            answer = json.dumps(await reply)
        except DeadlinePassed:
            return  # the web process has already answered its caller with a 503
        try:
            async with conn.pipeline(transaction=False) as pipe:
                pipe.rpush(request["reply"], answer)
                pipe.expire(request["reply"], REPLY_TTL_SECONDS)
                await pipe.execute()
        except redis.RedisError as error:
            logger.warning("could not answer realtime request %s: %s", request.get("id"), error)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass


async def _watch(stop: threading.Event, stopping: asyncio.Event) -> None:
    while not stop.is_set() and not stopping.is_set():
        await asyncio.sleep(0.2)
    stopping.set()
