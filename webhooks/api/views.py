"""The read API: JSON for platforms and scripts, a bearer token per site.
webhooks/api/openapi.json describes every answer; the tests validate them against it."""
from __future__ import annotations

import json
from functools import wraps
from pathlib import Path

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from comments.fields import IngestError, identifier_field, integer_field
from moderation.selectors.standing import comment_for_standing, comment_standing, decision_as_dict, decisions_after

from ..services.tokens import api_token_site
from .cursors import CursorInvalid, cursor_decode, cursor_encode

SCHEMA_PATH = Path(__file__).with_name("openapi.json")
MAX_LIMIT = 500


def _error(status: int, message: str, field: str | None = None) -> JsonResponse:
    response = JsonResponse({"error": message} if field is None else {"error": message, "field": field}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="threadwarden"'
    return response


def token_required(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        site = api_token_site(token=token.strip()) if scheme.lower() == "bearer" else None
        if site is None:
            return _error(401, "a valid bearer token for a site is required")
        return view(request, site, *args, **kwargs)

    return wrapper


@require_GET
def openapi_schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(json.loads(SCHEMA_PATH.read_text()))


@require_GET
@token_required
def comment_detail(request: HttpRequest, site, external_id: str) -> JsonResponse:
    try:
        external_id = identifier_field(external_id, "external_id")
    except IngestError as bad:
        return _error(400, bad.message, field=bad.field)
    comment = comment_for_standing(site_id=site.pk, external_id=external_id)
    if comment is None:
        return _error(404, "no such comment on this site")
    return JsonResponse(comment_standing(comment=comment))


@require_GET
@token_required
def decision_list(request: HttpRequest, site) -> JsonResponse:
    try:
        after = cursor_decode(request.GET.get("cursor", ""))
    except CursorInvalid:
        return _error(400, "is not a cursor this API gave out", field="cursor")
    try:
        limit = integer_field(request.GET.get("limit") or "100", "limit", minimum=1, maximum=MAX_LIMIT, allow_text=True)
    except IngestError as bad:
        return _error(400, bad.message, field=bad.field)
    decisions = decisions_after(site_id=site.pk, after_id=after, limit=limit)
    last = decisions[-1].pk if decisions else after
    return JsonResponse({
        "decisions": [decision_as_dict(decision) for decision in decisions],
        "next_cursor": cursor_encode(last),
        "has_more": len(decisions) == limit,
    })
