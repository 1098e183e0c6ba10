"""The Perspective endpoint the pages give to clients: the realtime scorer's own
port (the fast door, docs/perspective.md), not the web port that happens to
serve the page."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

_WILDCARD_HOSTS = ("", "0.0.0.0", "::", "[::]")


def perspective_public_endpoint(*, request: HttpRequest) -> str:
    """``PERSPECTIVE_PUBLIC_URL`` when set (behind a proxy only the operator knows
    it); else the realtime scorer's ``PERSPECTIVE_API_LISTEN`` address (a wildcard
    host becomes the host the browser used); else, with that listener off, this
    web process, which then is the only door."""
    public = (settings.PERSPECTIVE_PUBLIC_URL or "").strip()
    if public:
        return public.rstrip("/")
    listen = (settings.PERSPECTIVE_API_LISTEN or "").strip()
    if not listen:
        return request.build_absolute_uri("/v1alpha1")
    host, _, port = listen.rpartition(":")
    if host in _WILDCARD_HOSTS:
        domain, _ = split_domain_port(request.get_host())
        host = f"[{domain}]" if ":" in domain else domain
    return f"http://{host}:{port}/v1alpha1"
