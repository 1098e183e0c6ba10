"""The Perspective-compatible API (``?key=`` per site) and Coral's external
moderation endpoint. Both answer JSON only; comment text is never rendered."""
from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from comments.fields import IngestError, integer_field
from comments.models import Site

from .errors import PerspectiveError, invalid_key, missing_key
from .schema import MAX_BODY_BYTES as API_BODY_LIMIT
from .schema import load_body, parse_analyze, parse_suggest
from .services.analyze import analyze, models_used
from .services.coral import MAX_BODY_BYTES, CoralRefused, coral_decide, parse_request, signature_valid
from .services.keys import api_key_authenticate
from .services.suggest import suggest_response, suggest_score

logger = logging.getLogger(__name__)


def _declared_length(request: HttpRequest) -> int | None:
    """Content-Length, or None when it is not a plain number."""
    try:
        return integer_field(request.META.get("CONTENT_LENGTH") or "0", "Content-Length", allow_text=True)
    except IngestError:
        return None


def _body(request: HttpRequest, limit: int) -> bytes:
    declared = _declared_length(request)
    if declared is None:
        raise PerspectiveError("Content-Length must be a whole number of bytes.")
    if declared > limit:
        raise PerspectiveError(f"Request body is larger than {limit} bytes.", code=413)
    return request.body


def _authenticated(request: HttpRequest):
    raw = request.GET.get("key") or request.headers.get("X-Goog-Api-Key", "")
    if not raw:
        raise missing_key()
    key = api_key_authenticate(raw=raw)
    if key is None:
        raise invalid_key()
    return key


def _perspective(handler):
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        try:
            if request.method != "POST":
                raise PerspectiveError("Use POST.", code=405)
            key = _authenticated(request)
            body = load_body(_body(request, API_BODY_LIMIT))
            return handler(key, body)
        except PerspectiveError as error:
            return error.response()

    return view


@_perspective
def analyze_view(key, body: dict) -> HttpResponse:
    response, result = analyze(site=key.site, request=parse_analyze(body))
    answer = JsonResponse(response)
    answer["X-Scored-By"] = models_used(result)
    return answer


@_perspective
def suggest_view(key, body: dict) -> HttpResponse:
    request = parse_suggest(body)
    suggest_score(key=key, request=request)
    return JsonResponse(suggest_response(request))


def _coral_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
def coral_moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """Coral's external moderation phase for one site: 204 (nothing to do) or 200 with actions and status."""
    if request.method != "POST":
        return _coral_error("use POST", 405)
    declared = _declared_length(request)
    if declared is None:
        return _coral_error("Content-Length: must be a whole number of bytes", 400)
    if declared > MAX_BODY_BYTES:
        return _coral_error(f"the body is larger than {MAX_BODY_BYTES} bytes", 413)
    site = Site.objects.filter(slug=slug).first()
    raw = request.body
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
