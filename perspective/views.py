"""The web process's doors: the Perspective-compatible API (an adapter over
``door.py``, scoring through the realtime scorer's Redis list) and Coral's
external moderation endpoint. Both answer JSON only; comment text is never
rendered."""
from __future__ import annotations

import logging
from functools import partial

from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from comments.models import Site
from comments.services import comment_upsert

from . import door
from .errors import PerspectiveError
from .services.analyze import job_result, site_framing_terms
from .services.coral import CoralRefused, coral_decide, parse_request, signature_valid
from .services.keys import api_key_authenticate
from .services.suggest import suggest_score

logger = logging.getLogger(__name__)

# What each step of a call is in the web process: the services themselves, blocking.
WEB_STEPS = {
    door.Authenticate: api_key_authenticate,
    door.FramingTerms: site_framing_terms,
    door.Score: job_result,
    door.Store: comment_upsert,
    door.Suggest: suggest_score,
}


def _read(request: HttpRequest, *, limit: int) -> bytes:
    # From the stream, not request.body: the form cap (DATA_UPLOAD_MAX_MEMORY_SIZE) is not this surface's.
    return request.read(limit + 1)


def _served(request: HttpRequest, endpoint: str) -> HttpResponse:
    call = door.Call(
        endpoint=endpoint, method=request.method,
        query_string=get_bytes_from_wsgi(request.META, "QUERY_STRING", ""),
        key_header=request.headers.get("X-Goog-Api-Key", ""), content_length=request.META.get("CONTENT_LENGTH"),
    )
    answer = door.run(call, {**WEB_STEPS, door.ReadBody: partial(_read, request)})
    response = JsonResponse(answer.payload, status=answer.status)
    for name, value in answer.headers:
        response[name] = value
    return response


@csrf_exempt
def analyze_view(request: HttpRequest) -> HttpResponse:
    return _served(request, door.ANALYZE)


@csrf_exempt
def suggest_view(request: HttpRequest) -> HttpResponse:
    return _served(request, door.SUGGEST)


def _coral_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
def coral_moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """Coral's external moderation phase for one site: 204 (nothing to do) or 200 with actions and status."""
    if request.method != "POST":
        return _coral_error("use POST", 405)
    limit = door.max_body_bytes()
    declared = door.declared_length(request.META.get("CONTENT_LENGTH"))
    if declared is None:
        return _coral_error("Content-Length: must be a whole number of bytes", 400)
    raw = _read(request, limit=limit) if declared <= limit else None  # read nothing of what is declared too large
    if raw is None or len(raw) > limit:
        return _coral_error(f"the body is larger than {limit} bytes", 413)
    site = Site.objects.filter(slug=slug).first()
    # An unknown site and a bad signature look the same from outside.
    if site is None or not signature_valid(site=site, body=raw, header=request.headers.get("X-Coral-Signature", "")):
        return _coral_error("missing or invalid X-Coral-Signature", 401)
    try:
        decision = coral_decide(site=site, request=parse_request(raw))
    except CoralRefused as refused:
        return _coral_error(refused.message, refused.status)
    except PerspectiveError as error:
        logger.warning("coral moderation for %s: %s", site.slug, error.message)
        return _coral_error(error.message, error.code)
    if decision is None:
        return HttpResponse(status=204)
    return JsonResponse(decision)
