"""No input, however odd, gets a 5xx from any URL, and a refused request writes nothing.

Every route of the URLconf (found by walking the resolver: tests/fuzz/routes.py)
gets hypothesis-drawn path values, query strings and bodies (forms, JSON, raw
bytes; tests/fuzz/inputs.py), each sent as GET and as POST by four callers:
anonymous, a moderator of site A, the owner of site A, and an outsider (the
owner of site B). The callers with a site also carry its machine credentials
(read-API token, Perspective key, Coral phase and webhook signatures), so the
fuzz reaches past the doors. The names each view reads are found by
watching it read them (tests/fuzz/reads.py) and drawn more often. Each
example starts from the same data (a savepoint rolled back after it).

A second, fixed pass sends issue 14's sharp values (impossible dates, years
1 and 9999, `²`, 4,400-digit numbers, NUL, lone surrogates, 50,000-deep
JSON) to every URL in every run: a few random examples alone would seldom
meet them all.

Asserted: no 5xx; a 4xx leaves every table as it was (tests/fuzz/database.py).

On failure the message names the URL, the caller, the input and the
exception with the project's file:line that raised it.

    NO_5XX_PROFILE=no-5xx-deep .venv/bin/python -m pytest tests/fuzz -q   # many more examples
    NO_5XX_SURVEY=/tmp/5xx.jsonl ...              # record every 5xx; the run fails at the end, by cause
"""
from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import given, strategies as st

from .conftest import NO_5XX, NO_5XX_ADMIN, SURVEY
from .database import Watch
from .inputs import PARAMETER_NAMES, SHARP, Body, bodies, encoded, pairs, path_values, sharp_fields, sharp_groups
from .reads import names_read
from .routes import all_routes
from .world import coral_signature, signed_headers

pytestmark = pytest.mark.django_db
ROUTES = all_routes()
ADMIN_ROUTES = [route for route in ROUTES if route.text.startswith("/admin/")]
PRODUCT_ROUTES = [route for route in ROUTES if route not in ADMIN_ROUTES]
ROOT = Path(__file__).resolve().parents[2]
# The doors that score synchronously: without a realtime scorer a valid request is a (correct) 503.
NEEDS_SCORER = {"perspective:analyze", "perspective:suggestscore", "perspective:coral_moderation"}


def raised_at(exc_info) -> tuple[str, str]:
    """(exception, "file:line" of the innermost frame in the project's own code)."""
    if not exc_info:
        return "no exception (a 5xx answered on purpose)", ""
    kind, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename
            and "/tests/" not in f.filename]
    where = ours[-1] if ours else frames[-1]
    innermost = frames[-1]
    filename = where.filename
    location = f"{Path(filename).relative_to(ROOT) if filename.startswith(str(ROOT)) else filename}:{where.lineno}"
    if innermost is not where:
        location += f" (raised in {Path(innermost.filename).name}:{innermost.lineno})"
    return f"{kind.__name__}: {str(value)[:300]}", location


def credential_headers(caller, world, route, kwargs: dict, body: bytes) -> dict[str, str]:
    """The caller's machine credentials for its own site, whatever the URL (session views ignore them)."""
    credentials = world.credentials[caller.name]
    if credentials.site is None:
        return {}
    headers = {"authorization": f"Bearer {credentials.api_token}", "x-goog-api-key": credentials.perspective_key}
    if "platform_name" in kwargs:
        headers.update(signed_headers(credentials=credentials, platform=kwargs["platform_name"], body=body))
    else:
        headers.update(coral_signature(credentials=credentials, body=body))
    return headers


def send(caller, method: str, path: str, query: str, body, headers: dict):
    url = f"{path}?{query}" if query else path
    if body is None:
        return caller.client.get(url, headers=headers)
    return caller.client.post(url, data=body.data, content_type=body.content_type, headers=headers)


def describe(route, caller, method, path, query, body, response) -> dict:
    exception, where = raised_at(getattr(response, "exc_info", None))
    return {"route": route.id, "caller": caller.name, "method": method, "status": response.status_code,
            "path": path[:300], "query": query[:300], "body": repr(body) if method == "POST" else "",
            "exception": exception, "where": where,
            "answer": "" if response.streaming else response.content[:200].decode("utf-8", "replace")}


def one_request(route, caller, method, path, query, body, headers, failures: list, watch: Watch, *,
                collect: bool) -> None:
    """Send it; a 5xx is a failure (raised at once, or collected); a 4xx must leave every table as it was."""
    watch.before()
    savepoint = transaction.savepoint()
    response = send(caller, method, path, query, body, headers)
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)  # a failed statement leaves the transaction unusable
        transaction.set_rollback(False)
        watch.forget()
        failure = describe(route, caller, method, path, query, body, response)
        if SURVEY:
            with open(SURVEY, "a") as out:
                out.write(json.dumps(failure) + "\n")
        if not (collect or SURVEY):
            raise AssertionError("5xx:\n" + json.dumps(failure, indent=2, ensure_ascii=True))
        failures.append(failure)
        return
    transaction.savepoint_commit(savepoint)
    changed = watch.changed()
    if 400 <= response.status_code < 500:
        assert not changed, (f"{route.id}: {caller.name} {method} {path}?{query[:200]} {body!r} was refused "
                             f"({response.status_code}) but these tables changed: {changed}")


def exchange(route, world, callers, requests: list[tuple[dict, str, Body | None]], *, collect: bool = False) -> list:
    """Every caller sends every (path values, query, body or None for a GET); from the same data each time
    (a savepoint rolled back after). Returns the 5xx answers when ``collect``, else raises at the first."""
    failures: list = []
    example = transaction.savepoint()
    try:
        watch = Watch()
        for caller in callers:
            caller.reset()
            for kwargs, query, body in requests:
                headers = credential_headers(caller, world, route, kwargs, body.data if body else b"")
                one_request(route, caller, "POST" if body else "GET", route.build(kwargs), query, body, headers,
                            failures, watch, collect=collect)
    finally:
        transaction.savepoint_rollback(example)
        transaction.set_rollback(False)
    return failures


_READ: dict[str, tuple[list[str], list[str]]] = {}
PROBE_MODES = {"period": "custom", "bucket": "week", "decision": "approve"}  # choices that read more names


def read_by(route, world, callers) -> tuple[list[str], list[str]]:
    """The names the route's view reads on a GET, and on a POST (watched once per route, as the owner and
    the moderator of site A, with no fields and with every known name)."""
    if route.id not in _READ:
        kwargs = {p.name: _site_a(world, p) for p in route.parameters}
        kwargs.update({r.key: "x" for r in route.regexes})
        every = encoded([(name, PROBE_MODES.get(name, "1")) for name in PARAMETER_NAMES])
        form = Body("application/x-www-form-urlencoded", every.encode(), "form")
        site_a = [c for c in callers if c.name in ("owner", "moderator")]
        with names_read() as on_get:
            exchange(route, world, site_a, [(kwargs, "", None), (kwargs, every, None)], collect=True)
        with names_read() as on_post:
            exchange(route, world, site_a, [(kwargs, "", form), (kwargs, every, form)], collect=True)
        _READ[route.id] = sorted(on_get), sorted(on_post - on_get)
    return _READ[route.id]


def _site_a(world, parameter) -> str:
    """A row of site A for a parameter (its comment when nothing more precise is known)."""
    values = world.site_a_values
    return values.get(parameter.name) or values.get(parameter.converter) or values["str"]


def _fuzz(route, world, callers, request, data, *, watch_reads: bool = True) -> None:
    if route.name in NEEDS_SCORER:
        request.getfixturevalue("realtime_scorer")
    read = sorted(set().union(*read_by(route, world, callers))) if watch_reads else []
    kwargs = data.draw(path_values(route, world.path_values), label="path values")
    query = encoded(data.draw(pairs(world.tokens, read), label="query"))
    body = data.draw(bodies(world.tokens, read), label="body")
    exchange(route, world, callers, [(kwargs, query, None), (kwargs, query, body)])


@pytest.mark.parametrize("route", PRODUCT_ROUTES, ids=[route.id for route in PRODUCT_ROUTES])
@NO_5XX
@given(data=st.data())
def test_no_input_gets_a_server_error_and_a_refusal_writes_nothing(route, world, callers, request, data):
    _fuzz(route, world, callers, request, data)


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=[route.id for route in ADMIN_ROUTES])
@NO_5XX_ADMIN
@given(data=st.data())
def test_no_input_gets_a_server_error_from_the_admin(route, world, callers, request, data):
    """The same, with one example per URL: none of the four callers is staff, so the admin turns them all
    away before reading anything."""
    _fuzz(route, world, callers, request, data, watch_reads=False)


@pytest.mark.parametrize("route", PRODUCT_ROUTES, ids=[route.id for route in PRODUCT_ROUTES])
def test_the_sharp_cases_get_no_server_error_anywhere(route, world, callers, request):
    """Issue 14's values at every URL, every run (a few random examples would seldom meet them all): each
    in every name the view reads, one name per request (so an early refusal of one never hides another);
    in every path converter; as a raw JSON body. From the owner of site A (who gets furthest) and, for the
    bodies and paths, the outsider too."""
    if route.name in NEEDS_SCORER:
        request.getfixturevalue("realtime_scorer")
    on_get, on_post = read_by(route, world, callers)
    owner = [c for c in callers if c.name == "owner"]
    both = [c for c in callers if c.name in ("owner", "outsider")]
    site_a = {p.name: _site_a(world, p) for p in route.parameters}
    site_a.update({r.key: "x" for r in route.regexes})
    failures = []
    for sharp in SHARP:
        # A name read on a GET goes in the query; one read only on a POST in the query and in the form.
        fields = [(site_a, encoded(sharp_fields(sharp, names)), None) for names in sharp_groups(on_get)]
        for names in sharp_groups(on_post):
            one = encoded(sharp_fields(sharp, names))
            fields.append((site_a, one, Body("application/x-www-form-urlencoded", one.encode(), "form")))
        failures += exchange(route, world, owner, fields, collect=True)
        raw = Body("application/json", sharp.raw, f"raw: {sharp.label}")
        aimed = {**{p.name: sharp.path for p in route.parameters}, **{r.key: sharp.value for r in route.regexes}}
        requests = [(site_a, "", raw)] + ([(aimed, "", None), (aimed, "", raw)] if aimed else [])
        failures += exchange(route, world, both, requests, collect=True)
    assert not failures, "5xx:\n" + "\n".join(json.dumps(f, ensure_ascii=True) for f in failures)
