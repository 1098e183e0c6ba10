"""The web side of synchronous scoring: hand texts to the realtime scorer
process (which keeps the models loaded) through Redis and wait for its answer.

Protocol: a request is a JSON object pushed onto the list ``REQUESTS``; the
scorer pops as many as are waiting (up to REALTIME_MAX_BATCH), scores them as
one batch per model, and pushes each answer onto the request's own reply list.
The web process waits on that list with a deadline and never loads a model.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

import redis
from django.conf import settings

PREFIX = "threadwarden:realtime"
REQUESTS = f"{PREFIX}:requests"
ALIVE = f"{PREFIX}:alive"  # refreshed by every running scorer; its value names the models
REPLY_TTL_SECONDS = 30


class RealtimeUnavailable(Exception):
    """No answer within the deadline, or no scorer running: say so, never hang."""


class RealtimeFailed(Exception):
    """The scorer answered with an error for this request."""


def redis_url_for_client(url: str) -> str:
    # kombu's socket URLs (the embedded Redis of `make run`) in redis-py's spelling.
    if url.startswith("redis+socket://"):
        return "unix://" + url[len("redis+socket://"):]
    return url


@lru_cache(maxsize=4)
def _connection(url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url_for_client(url), socket_connect_timeout=2, health_check_interval=30)


def connection() -> redis.Redis:
    return _connection(settings.REDIS_URL)


@dataclass(frozen=True)
class Job:
    texts: list[str]
    toxicity: bool = True
    framing: bool = False
    sentences: bool = False
    framing_terms: dict = field(default_factory=dict)

    def work(self) -> dict:
        """What the realtime scorer reads, the same over Redis and in its own HTTP server."""
        return {"texts": self.texts, "toxicity": self.toxicity, "framing": self.framing, "sentences": self.sentences,
                "framing_terms": self.framing_terms}


def score_now(job: Job, *, timeout: float | None = None) -> list[dict]:
    """One answer per text: ``{"toxicity": {scorer, version, labels, sentences}, "framing": {...}}``."""
    timeout = settings.PERSPECTIVE_TIMEOUT_SECONDS if timeout is None else timeout
    request_id = uuid.uuid4().hex
    reply = f"{PREFIX}:reply:{request_id}"
    message = {"id": request_id, "reply": reply, "deadline": time.time() + timeout, **job.work()}
    conn = connection()
    try:
        pipe = conn.pipeline(transaction=False)
        pipe.exists(ALIVE)
        pipe.rpush(REQUESTS, json.dumps(message))
        pipe.expire(REQUESTS, max(60, int(timeout) * 4))  # nobody serving: the list does not grow for ever
        alive, _, _ = pipe.execute()
        if not alive:
            raise RealtimeUnavailable("no realtime scorer is running (start it with `manage.py realtime_scorer`)")
        answer = conn.blpop([reply], timeout=timeout)
    except redis.RedisError as error:
        raise RealtimeUnavailable(f"the realtime scorer cannot be reached: {error}") from error
    if answer is None:
        raise RealtimeUnavailable(f"the realtime scorer did not answer within {timeout:g} s")
    result = json.loads(answer[1])
    if result.get("error"):
        raise RealtimeFailed(result["error"])
    return result["results"]
