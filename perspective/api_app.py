"""The Perspective-compatible API served by the realtime scorer itself.

The web process can answer ``/v1alpha1/...`` too (through Redis), but every
call then pays for Django, a Redis round trip and a process hop, which is
most of the time a fast model takes. Here the HTTP request, the key check
and the model share one event loop: a call is parsed, joins the next batch
and is answered from the same process. What a call is (method, key, body
cap, parsing, the answer) is ``door.py``'s, shared with the web process's
views; this module only says how each of its steps is done here. Keys and
site terms are cached for ``PERSPECTIVE_KEY_CACHE_SECONDS``; everything that
writes (``doNotStore: false``, suggestscore) runs the same services as the
web process, in a database thread.

Routes: ``POST /v1alpha1/comments:analyze``, ``POST
/v1alpha1/comments:suggestscore``, ``GET /healthz``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Awaitable, Callable

from django.db import close_old_connections

from comments.services import comment_upsert

from . import door
from .batcher import Batcher, DeadlinePassed
from .errors import PerspectiveError
from .models import ApiKey
from .realtime import Job
from .services.analyze import failed, site_framing_terms, unavailable
from .services.keys import api_key_authenticate, key_hash
from .services.suggest import suggest_score

ANALYZE, SUGGEST = door.ANALYZE, door.SUGGEST
HEALTH = "/healthz"
logger = logging.getLogger(__name__)
CACHE_ENTRIES = 10_000  # bounds memory when someone tries many random keys

_database = ThreadPoolExecutor(max_workers=4, thread_name_prefix="perspective-db")


async def in_database_thread(function: Callable, /, **kwargs):
    """Run a (blocking) Django service off the event loop, with Django's connection hygiene."""
    def call():
        close_old_connections()
        try:
            return function(**kwargs)
        finally:
            close_old_connections()

    return await asyncio.get_running_loop().run_in_executor(_database, call)


class TimedCache:
    """Values loaded at most once per ``seconds`` per key."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._entries: dict = {}

    async def get(self, key, load: Callable[[], Awaitable]):
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = await load()
        if len(self._entries) >= CACHE_ENTRIES:
            self._entries.clear()
        self._entries[key] = (now + self.seconds, value)
        return value


class PerspectiveApp:
    """An adapter over ``door.py``: each step of a call done without blocking the loop."""

    def __init__(self, *, batcher: Batcher, timeout: float, cache_seconds: float, description: Callable[[], str]):
        self.batcher, self.timeout, self.description = batcher, timeout, description
        self.keys = TimedCache(cache_seconds)
        self.terms = TimedCache(cache_seconds)
        self.steps = {
            door.Authenticate: self.authenticate,
            door.FramingTerms: self.framing_terms,
            door.Score: self.score_job,
            door.Store: partial(in_database_thread, comment_upsert),
            door.Suggest: partial(in_database_thread, suggest_score),
        }

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        try:
            if (scope["method"], scope["path"]) == ("GET", HEALTH):
                answer = door.Answer(200, self.health())
            elif scope["path"] in door.ENDPOINTS:
                answer = await door.run_async(call_of(scope), {**self.steps, door.ReadBody: partial(read_body, receive)})
            else:
                answer = door.not_found(scope["path"])
        except Exception:  # the caller gets Perspective's shape, the log gets the traceback
            logger.exception("perspective API call %s %s failed", scope["method"], scope["path"][:100])
            answer = door.internal_error()
        await send_json(send, answer)

    async def authenticate(self, *, raw: str) -> ApiKey | None:
        return await self.keys.get(key_hash(raw), lambda: in_database_thread(api_key_authenticate, raw=raw))

    async def framing_terms(self, *, site) -> dict:
        return await self.terms.get(site.pk, lambda: in_database_thread(site_framing_terms, site=site))

    async def score_job(self, *, job: Job) -> dict:
        return await self.score(job.work())

    async def score(self, work: dict) -> dict:
        try:
            reply = await self.batcher.submit(work, deadline=time.monotonic() + self.timeout)
        except DeadlinePassed as error:
            raise unavailable(TimeoutError(f"the realtime scorer did not answer within {self.timeout:g} s")) from error
        if reply.get("error"):
            raise failed(reply["error"])
        return reply["results"][0]

    def health(self) -> dict:
        return {"status": "ok", "models": self.description(), "waiting": self.batcher.waiting,
                **self.batcher.stats.as_dict()}


def call_of(scope) -> door.Call:
    headers: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:  # names arrive lower-cased; the first of a repeated one counts
        headers.setdefault(name, value)
    length = headers.get(b"content-length")
    return door.Call(endpoint=scope["path"], method=scope["method"], query_string=scope["query_string"],
                     key_header=headers.get(b"x-goog-api-key", b"").decode("latin-1"),
                     content_length=None if length is None else length.decode("latin-1"))


async def read_body(receive, *, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise PerspectiveError("The client went away.", code=400)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise door.too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def send_json(send, answer: door.Answer) -> None:
    body = json.dumps(answer.payload).encode()
    await send({"type": "http.response.start", "status": answer.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *((name.lower().encode(), value.encode()) for name, value in answer.headers)]})
    await send({"type": "http.response.body", "body": body})
