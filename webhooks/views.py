"""The inbound webhook endpoint: verify, cap, validate, store, answer 202.
The work happens in a task (webhooks.tasks.process_delivery)."""
from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from comments.models import Site
from comments.fields import IngestError, integer_field
from comments.selectors import parent_in_other_article

from .platforms.base import parse_json
from .platforms.registry import PLATFORMS
from .services.deliveries import delivery_store
from .services.ratelimit import rate_limit_hit
from .services.secrets import secrets_current
from .signing import SignatureInvalid

logger = logging.getLogger(__name__)


def _error(status: int, message: str, field: str | None = None, **extra) -> JsonResponse:
    body = {"error": message}
    if field is not None:
        body["field"] = field
    response = JsonResponse(body, status=status)
    for name, value in extra.items():
        response[name.replace("_", "-")] = value
    return response


def _read_body(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is over WEBHOOK_MAX_BODY_BYTES (read no further than that)."""
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = integer_field(request.META.get("CONTENT_LENGTH") or "0", "Content-Length", allow_text=True)
    except IngestError:
        declared = 0  # read no more than the limit anyway
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


# One answer for "no such site or platform", "no secret configured" and "bad
# signature": a different status or text for each would tell a stranger which
# site slugs exist and which platforms they use. The reason goes to the log.
UNAUTHORIZED = "signature: missing or invalid"


@csrf_exempt
@require_POST
def receive(request: HttpRequest, site_slug: str, platform_name: str) -> JsonResponse:
    # The size cap comes first, for every site alike, so it reveals nothing either.
    body = _read_body(request)
    if body is None:
        return _error(413, f"body is larger than {settings.WEBHOOK_MAX_BODY_BYTES} bytes")
    platform = PLATFORMS.get(platform_name)
    site = Site.objects.filter(slug=site_slug).first() if platform else None
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        if site is None:
            raise SignatureInvalid("unknown site or platform")
        secrets = secrets_current(site=site, purpose=platform.name)
        if not secrets:
            raise SignatureInvalid(f"no {platform.name} signing secret is configured for this site")
        platform.verify(headers=headers, body=body, secrets=secrets)
    except SignatureInvalid as invalid:
        logger.info("webhook refused for %r/%r: %s", site_slug, platform_name, invalid)
        return _error(401, UNAUTHORIZED)
    limited = rate_limit_hit(site_id=site.pk)
    if not limited.allowed:
        return _error(429, "too many deliveries for this site", retry_after=str(limited.retry_after))
    try:
        payload = parse_json(body)
        accepted = platform.accept(headers=headers, payload=payload)
    except IngestError as bad:
        return _error(400, bad.message, field=bad.field)
    named = accepted.parent if accepted is not None else None
    if named and parent_in_other_article(site=site, article_external_id=named.article_external_id,
                                         parent_external_id=named.parent_external_id):
        return _error(400, "the parent comment belongs to another article", field=named.field)
    if accepted is None:
        return JsonResponse({"status": "ignored"}, status=200)
    stored = delivery_store(
        site=site, source=platform.name, accepted=accepted, body=body.decode("utf-8"),
        headers={name: headers[name] for name in platform.stored_headers if name in headers},
    )
    if not stored.created:
        return JsonResponse({"status": "duplicate", "delivery": accepted.delivery_id}, status=200)
    return JsonResponse({"status": "accepted", "delivery": accepted.delivery_id}, status=202)
