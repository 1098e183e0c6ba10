"""A database that refuses a connection is overload, not a bug: answer 503
with Retry-After (JSON for the machine doors, a plain page for people)
instead of a 500, so platforms retry their deliveries later."""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

# Paths answered in JSON: the webhook door, the read API, the Perspective-compatible API, Coral's moderation phase.
JSON_PREFIXES = ("/webhooks/", "/api/", "/v1alpha1/", "/coral/")

# SQLSTATE classes that mean "no connection for you now": 08 connection
# exception, 53 insufficient resources (53300 too many connections), 57P01-03
# the server is shutting down or starting up. Query errors (a deadlock, a
# statement timeout) keep their 500: they are not a refusal to serve.
_REFUSAL_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03")
_SQLITE_REFUSALS = ("database is locked", "unable to open database file")


def is_database_refusal(exc: BaseException) -> bool:
    """Whether the error is the database refusing (or losing) a connection."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    cause = exc.__cause__ or exc
    module = type(cause).__module__.split(".")[0]
    if module == "psycopg_pool":  # PoolTimeout, TooManyRequests: the pool is exhausted
        return True
    if module == "psycopg":
        sqlstate = getattr(cause, "sqlstate", None)
        # A failed connect (refused, timed out, "too many clients") carries no SQLSTATE of a statement.
        return sqlstate is None or sqlstate.startswith(_REFUSAL_SQLSTATES)
    if module == "sqlite3":
        return str(cause).startswith(_SQLITE_REFUSALS)
    return False


def overloaded_response(request: HttpRequest) -> HttpResponse:
    retry_after = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    if request.path.startswith(JSON_PREFIXES) or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"error": "the service is overloaded; retry later", "retry_after": int(retry_after)}, status=503,
        )
    else:
        response = HttpResponse(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Busy · Threadwarden</title>"
            "<h1>Threadwarden is busy</h1><p>The database is not taking more connections right now. "
            f"Nothing was changed. Try again in {int(retry_after)} seconds.</p></html>",
            status=503, content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOverloadMiddleware:
    """Turns a database refusal raised by a view into 503 + Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_refusal(exception):
            return None
        logger.warning("database refused a connection for %s %s: %s", request.method, request.path, exception)
        return overloaded_response(request)
