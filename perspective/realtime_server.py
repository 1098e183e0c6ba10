"""The realtime scorer: a long-running process that keeps the models loaded
and scores what the web processes ask for, batching whatever arrived together.

Batching needs no waiting: while one batch runs on the model, new requests
queue up in Redis, and the next pop takes them all. Requests whose caller has
already given up (deadline passed) are dropped unscored. Any number of these
processes can serve the same Redis list, on any host.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Sequence

import redis
from django.conf import settings

from moderation import engine
from moderation.framing.text import split_sentences

from .realtime import ALIVE, REPLY_TTL_SECONDS, REQUESTS, STATS

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 2.0


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(segment.start, segment.end) for segment in split_sentences(text)]


def _toxicity_answers(requests: Sequence[dict]) -> dict[tuple[int, int], dict]:
    """Score every text (and, where asked, each of its sentences) in one call."""
    loaded = engine.toxicity_scorer().scorer
    texts: list[str] = []
    plan: list[tuple[int, int, list[tuple[int, int]]]] = []  # (request, text, sentence offsets)
    for r, request in enumerate(requests):
        if not request.get("toxicity"):
            continue
        for t, text in enumerate(request["texts"]):
            spans = _sentences(text) if request.get("sentences") else []
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
        analyzer = engine.framing_scorer(extra_terms=json.loads(key))
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
    def __init__(self, *, conn: redis.Redis, max_batch: int | None = None):
        self.conn = conn
        self.max_batch = max_batch or settings.REALTIME_MAX_BATCH
        self._last_beat = 0.0

    def warm_up(self) -> str:
        """Load the models and run them once, so the first caller does not pay for it."""
        score_requests([{"texts": ["Warming up the models."], "toxicity": True, "framing": True, "sentences": True}])
        tox, framing = engine.toxicity_scorer(), engine.framing_scorer()
        description = f"{tox.scorer.name} {tox.scorer.version}; {framing.name} {framing.version}"
        if tox.fallback_reason:
            logger.warning("realtime scorer: %s", tox.fallback_reason)
        return description

    def heartbeat(self, description: str = "ready") -> None:
        now = time.monotonic()
        if now - self._last_beat >= HEARTBEAT_SECONDS:
            self.conn.set(ALIVE, description, ex=int(HEARTBEAT_SECONDS * 5))
            self._last_beat = now

    def serve_once(self, *, wait: float = 1.0) -> int:
        """Take what is waiting (blocking up to ``wait`` for the first), score it, answer. Returns requests answered."""
        first = self.conn.blpop([REQUESTS], timeout=wait)
        if first is None:
            return 0
        raw = [first[1]] + (self.conn.lpop(REQUESTS, self.max_batch - 1) or [])
        now = time.time()
        requests = []
        for item in raw:
            try:
                request = json.loads(item)
            except ValueError:
                logger.warning("dropped a malformed realtime request")
                continue
            if request.get("deadline", 0) >= now:
                requests.append(request)
        if not requests:
            return 0
        started = time.perf_counter()
        replies = score_requests(requests)
        model_us = int((time.perf_counter() - started) * 1e6)
        pipe = self.conn.pipeline(transaction=False)
        for request, reply in zip(requests, replies):
            pipe.rpush(request["reply"], json.dumps(reply))
            pipe.expire(request["reply"], REPLY_TTL_SECONDS)
        pipe.hincrby(STATS, "batches", 1)
        pipe.hincrby(STATS, "requests", len(requests))
        pipe.hincrby(STATS, "model_us", model_us)
        pipe.execute()
        return len(requests)

    def run(self, stop: threading.Event) -> None:
        description = self.warm_up()
        logger.info("realtime scorer ready: %s", description)
        while not stop.is_set():
            try:
                self.heartbeat(description)
                self.serve_once(wait=1.0)
            except redis.RedisError as error:
                logger.warning("realtime scorer lost Redis: %s; retrying", error)
                stop.wait(1.0)
        self.conn.delete(ALIVE)
