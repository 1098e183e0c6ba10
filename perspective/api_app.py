"""The Perspective-compatible API served by the realtime scorer itself.

The web process can answer ``/v1alpha1/...`` too (through Redis), but every
call then pays for Django, a Redis round trip and a process hop, which is
most of the time a fast model takes. Here the HTTP request, the key check
and the model share one event loop: a call is parsed, joins the next batch
and is answered from the same process. Keys and site terms are cached for
``PERSPECTIVE_KEY_CACHE_SECONDS``; everything that writes (``doNotStore:
false``, suggestscore) runs the same services as the web process, in a
database thread.

Routes: ``POST /v1alpha1/comments:analyze``, ``POST
/v1alpha1/comments:suggestscore``, ``GET /healthz``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable
from urllib.parse import unquote_plus

from django.db import close_old_connections

from comments.services import comment_upsert

from .batcher import Batcher, DeadlinePassed
from .errors import PerspectiveError, invalid_key, missing_key
from .models import ApiKey
from .schema import MAX_BODY_BYTES, load_body, parse_analyze, parse_suggest
from .services.analyze import (
    analyze_job, analyze_response, api_comment_input, failed, models_used, site_framing_terms, unavailable, wants_framing,
)
from .services.keys import api_key_authenticate, key_hash
from .services.suggest import suggest_response, suggest_score

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
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
    def __init__(self, *, batcher: Batcher, timeout: float, cache_seconds: float, description: Callable[[], str]):
        self.batcher, self.timeout, self.description = batcher, timeout, description
        self.keys = TimedCache(cache_seconds)
        self.terms = TimedCache(cache_seconds)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        route = (scope["method"], scope["path"])
        try:
            if route == ("GET", HEALTH):
                payload, headers = self.health(), []
            elif scope["path"] in (ANALYZE, SUGGEST):
                if scope["method"] != "POST":
                    raise PerspectiveError("Use POST.", code=405)
                key = await self.authenticate(scope)
                body = load_body(await read_body(receive, MAX_BODY_BYTES))
                handler = self.analyze if scope["path"] == ANALYZE else self.suggest
                payload, headers = await handler(key, body)
            else:
                raise PerspectiveError(f"Not found: {scope['path'][:100]}", code=404)
            await send_json(send, 200, payload, headers)
        except PerspectiveError as error:
            await send_json(send, error.code, error.payload())
        except Exception:  # the caller gets Perspective's shape, the log gets the traceback
            logger.exception("perspective API call %s %s failed", scope["method"], scope["path"][:100])
            await send_json(send, 500, PerspectiveError("Internal error.", code=500).payload())

    async def authenticate(self, scope) -> ApiKey:
        raw = query_key(scope["query_string"])
        if not raw:
            raw = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"x-goog-api-key"), "")
        if not raw:
            raise missing_key()
        key = await self.keys.get(key_hash(raw), lambda: in_database_thread(api_key_authenticate, raw=raw))
        if key is None:
            raise invalid_key()
        return key

    async def analyze(self, key: ApiKey, body: dict) -> tuple[dict, list]:
        request = parse_analyze(body)
        to_store = None if request.do_not_store else api_comment_input(request.text)
        terms = {}
        if wants_framing(request):
            terms = await self.terms.get(key.site_id, lambda: in_database_thread(site_framing_terms, site=key.site))
        result = await self.score(analyze_job(request=request, framing_terms=terms).work())
        response = analyze_response(request=request, result=result)
        if to_store is not None:
            await in_database_thread(comment_upsert, site=key.site, data=to_store)
        return response, [(b"x-scored-by", models_used(result).encode())]

    async def suggest(self, key: ApiKey, body: dict) -> tuple[dict, list]:
        request = parse_suggest(body)
        await in_database_thread(suggest_score, key=key, request=request)
        return suggest_response(request), []

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


def query_key(query_string: bytes) -> str:
    """``key`` from the query string (parse_qs costs more than the rest of the key check)."""
    for part in query_string.split(b"&"):
        if part.startswith(b"key="):
            return unquote_plus(part[4:].decode("latin-1"))
    return ""


async def read_body(receive, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise PerspectiveError("The client went away.", code=400)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PerspectiveError(f"Request body is larger than {limit} bytes.", code=413)
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def send_json(send, status: int, payload: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})
