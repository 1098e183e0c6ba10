"""The Content-Security-Policy header on every HTML page.

Comment text is hostile: if an escaping bug ever let markup through, the
policy still refuses to run it. Every script is a static file (htmx and
queue.js), there is no inline script, no inline event handler and no eval
(htmx runs with allowEval off, see templates/base.html); every style is a
static file too, so styles need no 'unsafe-inline' either. Django 5.2 has no
CSP of its own (6.0 will), hence this small middleware.
"""
from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response and _is_html(response) and not _debug_page(response):
            response["Content-Security-Policy"] = policy
        return response


def _debug_page(response: HttpResponse) -> bool:
    """Django's own DEBUG error pages (404, 500) are inline styles and scripts: leave them readable."""
    return settings.DEBUG and response.status_code in (404, 500)


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml")
