"""The one front door of the Perspective-compatible API.

Two servers answer ``POST /v1alpha1/comments:analyze`` and
``:suggestscore``: the web process (``views.py``, scoring through Redis) and
the realtime scorer's own port (``api_app.py``, an ASGI app in the scorer's
event loop). Both are thin adapters over this module, which does everything
that makes a call a Perspective call, once: it checks the method, takes the
API key (``?key=``, else the ``X-Goog-Api-Key`` header), caps the body at
``PERSPECTIVE_MAX_BODY_BYTES`` (a declared ``Content-Length`` first, then
what was read), parses it with the bounded parser every JSON door uses
(``comments.fields.parse_json``), runs analyze or suggestscore, and answers
in Perspective's shape, errors included.

The two servers differ only in how they wait: the web process blocks, the
scorer awaits (a database thread, its batcher). So a call is written once,
as a generator that yields each thing it needs done (the steps below) and is
sent back the result; ``run`` drives it with blocking functions, ``run_async``
with coroutines. An adapter is a mapping from step type to the function that
does it, called with the step's fields as keyword arguments; a function that
raises ``PerspectiveError`` has it raised inside the call, which answers it.
Any other exception leaves the driver: Django's middleware answers it in the
web process (a database refusal is its 503), the ASGI app answers a 500.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Awaitable, Callable, Generator, Mapping, Union
from urllib.parse import unquote_plus

from django.conf import settings

from comments.fields import IngestError, integer_field, parse_json
from comments.models import Site
from comments.schema import CommentInput

from .errors import PerspectiveError, invalid_key, missing_key
from .models import ApiKey
from .realtime import Job
from .schema import SuggestRequest, parse_analyze, parse_suggest
from .services.analyze import analyze_job, analyze_response, api_comment_input, models_used, wants_framing
from .services.suggest import suggest_response

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ENDPOINTS = (ANALYZE, SUGGEST)


def max_body_bytes() -> int:
    """The body cap of the perspective/ surface (the API on both ports, Coral's moderation phase)."""
    return settings.PERSPECTIVE_MAX_BODY_BYTES


@dataclass(frozen=True)
class Call:
    """One HTTP request, as much of it as the door reads."""

    endpoint: str  # ANALYZE or SUGGEST
    method: str
    query_string: bytes  # as sent, still %-encoded
    key_header: str  # X-Goog-Api-Key, "" when absent
    content_length: str | None  # as sent, None when absent


@dataclass(frozen=True)
class Answer:
    status: int
    payload: dict
    headers: tuple[tuple[str, str], ...] = ()


# The steps: what a call asks its server to do, and what it expects back.

@dataclass(frozen=True)
class Authenticate:
    raw: str  # -> the live ApiKey with this value, or None


@dataclass(frozen=True)
class ReadBody:
    limit: int  # -> the body: at most limit + 1 bytes of it, or PerspectiveError 413 beyond limit


@dataclass(frozen=True)
class FramingTerms:
    site: Site  # -> the site's framing terms (dict)


@dataclass(frozen=True)
class Score:
    job: Job  # -> the realtime scorer's result for the job's one text, or PerspectiveError 503 / 500


@dataclass(frozen=True)
class Store:
    site: Site
    data: CommentInput  # ingested as a comment of the site


@dataclass(frozen=True)
class Suggest:
    key: ApiKey
    request: SuggestRequest  # stored as the key's calibration labels


Step = Union[Authenticate, ReadBody, FramingTerms, Score, Store, Suggest]
Flow = Generator[Step, Any, Answer]


def arguments(step: Step) -> dict:
    """The step's fields as the keyword arguments of the function that does it (not copied)."""
    return {field.name: getattr(step, field.name) for field in fields(step)}


# Parse, authenticate, cap, answer ---------------------------------------


def query_key(query_string: bytes) -> str:
    """The first ``key`` of the query string (parse_qs costs more than the rest of the key check)."""
    for part in query_string.split(b"&"):
        if part.startswith(b"key="):
            return unquote_plus(part[4:].decode("latin-1"))
    return ""


def given_key(call: Call) -> str:
    raw = query_key(call.query_string) or call.key_header
    if not raw:
        raise missing_key()
    return raw


def declared_length(value: str | None) -> int | None:
    """Content-Length as a number (0 when absent), or None when it is not plain ASCII digits."""
    try:
        return integer_field(value or "0", "Content-Length", allow_text=True)
    except IngestError:
        return None


def too_large(limit: int) -> PerspectiveError:
    return PerspectiveError(f"Request body is larger than {limit} bytes.", code=413)


def body_limit(call: Call) -> int:
    """The cap, once the declared length is known to be within it (refused before a byte is read)."""
    limit = max_body_bytes()
    declared = declared_length(call.content_length)
    if declared is None:
        raise PerspectiveError("Content-Length must be a whole number of bytes.")
    if declared > limit:
        raise too_large(limit)
    return limit


def parse_body(raw: bytes, *, limit: int) -> dict:
    """The body as a JSON object, bounded in size, depth and integer length before it is parsed."""
    if len(raw) > limit:
        raise too_large(limit)
    try:
        body = parse_json(raw, field="body", max_bytes=limit)
    except IngestError as bad:
        raise PerspectiveError(f"Invalid JSON payload received: {bad}.") from None
    if not isinstance(body, dict):
        raise PerspectiveError("Invalid JSON payload received: expected an object.")
    return body


def error_answer(error: PerspectiveError) -> Answer:
    return Answer(error.code, error.payload())


def not_found(path: str) -> Answer:
    return error_answer(PerspectiveError(f"Not found: {path[:100]}", code=404))


def internal_error() -> Answer:
    return error_answer(PerspectiveError("Internal error.", code=500))


# The call ---------------------------------------------------------------


def serve(call: Call) -> Flow:
    """One Perspective call, from the request to its answer."""
    try:
        if call.method != "POST":
            raise PerspectiveError("Use POST.", code=405)
        key = yield Authenticate(raw=given_key(call))
        if key is None:
            raise invalid_key()
        limit = body_limit(call)
        body = parse_body((yield ReadBody(limit=limit)), limit=limit)
        if call.endpoint == ANALYZE:
            return (yield from _analyze(key, body))
        return (yield from _suggest(key, body))
    except PerspectiveError as error:
        return error_answer(error)


def _analyze(key: ApiKey, body: dict) -> Flow:
    request = parse_analyze(body)
    to_store = None if request.do_not_store else api_comment_input(request.text)  # refused before any scoring
    terms = (yield FramingTerms(site=key.site)) if wants_framing(request) else {}
    result = yield Score(job=analyze_job(request=request, framing_terms=terms))
    response = analyze_response(request=request, result=result)
    if to_store is not None:
        yield Store(site=key.site, data=to_store)
    return Answer(200, response, (("X-Scored-By", models_used(result)),))


def _suggest(key: ApiKey, body: dict) -> Flow:
    request = parse_suggest(body)
    yield Suggest(key=key, request=request)
    return Answer(200, suggest_response(request))


# Drivers ----------------------------------------------------------------


class _Progress:
    """A call in flight: ``step`` is what it waits for, ``answer`` is set once it is done."""

    def __init__(self, call: Call):
        self._flow = serve(call)
        self.step: Step | None = None
        self.answer: Answer | None = None
        self._resume(self._flow.send, None)

    def done(self, result: Any) -> None:
        self._resume(self._flow.send, result)

    def refused(self, error: PerspectiveError) -> None:
        self._resume(self._flow.throw, error)

    def _resume(self, resume: Callable, value: Any) -> None:
        try:
            self.step = resume(value)
        except StopIteration as finished:
            self.step, self.answer = None, finished.value


def run(call: Call, io: Mapping[type, Callable[..., Any]]) -> Answer:
    """Serve the call with blocking functions (the web process)."""
    progress = _Progress(call)
    while progress.step is not None:
        try:
            progress.done(io[type(progress.step)](**arguments(progress.step)))
        except PerspectiveError as error:
            progress.refused(error)
    return progress.answer


async def run_async(call: Call, io: Mapping[type, Callable[..., Awaitable[Any]]]) -> Answer:
    """Serve the call with coroutines (the realtime scorer's event loop)."""
    progress = _Progress(call)
    while progress.step is not None:
        try:
            progress.done(await io[type(progress.step)](**arguments(progress.step)))
        except PerspectiveError as error:
            progress.refused(error)
    return progress.answer
