"""The site settings page's API keys and Coral secrets (owners only)."""
from __future__ import annotations

from typing import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from comments.models import Site
from moderation.selectors.access import Role, user_site
from moderation.services.errors import ModerationRefused

from .public_endpoint import perspective_public_endpoint
from .services.coral_secrets import coral_secret_add as add_secret
from .services.coral_secrets import coral_secret_remove as remove_secret
from .services.keys import api_key_issue, api_key_revoke


def _back(request, site, *, ok: str = "", refused: str = "") -> HttpResponse:
    (messages.error if refused else messages.success)(request, refused or ok)
    return redirect("moderation:site_settings", slug=site.slug)


def _removal(request, slug: str, remove: Callable[[Site], bool], *, ok: str, refused: str) -> HttpResponse:
    """An owner removing something of the site's: ``remove`` says whether there was one to remove."""
    site = user_site(user=request.user, slug=slug, role=Role.OWNER)
    return _back(request, site, ok=ok) if remove(site) else _back(request, site, refused=refused)


@login_required
@require_POST
def key_issue(request: HttpRequest, slug: str) -> HttpResponse:
    site = user_site(user=request.user, slug=slug, role=Role.OWNER)
    try:
        key, raw = api_key_issue(user=request.user, site=site, name=request.POST.get("name", ""))
    except ModerationRefused as refused:
        return _back(request, site, refused=refused.message)
    # Shown once, in this response only: not in a message, a redirect or a log.
    response = render(request, "perspective/key_issued.html", {"site": site, "key": key, "raw": raw,
                                                                "endpoint": perspective_public_endpoint(request=request)},
                      status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def key_revoke(request: HttpRequest, slug: str, key_id: int) -> HttpResponse:
    return _removal(request, slug, lambda site: api_key_revoke(user=request.user, site=site, key_id=key_id),
                    ok="Key revoked; calls with it are refused from now on.",
                    refused="That key was already revoked (or is not this site's).")


@login_required
@require_POST
def coral_secret_add(request: HttpRequest, slug: str) -> HttpResponse:
    site = user_site(user=request.user, slug=slug, role=Role.OWNER)
    try:
        add_secret(user=request.user, site=site, secret=request.POST.get("secret", ""))
    except ModerationRefused as refused:
        return _back(request, site, refused=refused.message)
    return _back(request, site, ok="Coral signing secret added.")


@login_required
@require_POST
def coral_secret_remove(request: HttpRequest, slug: str, secret_id: int) -> HttpResponse:
    return _removal(request, slug, lambda site: remove_secret(user=request.user, site=site, secret_id=secret_id),
                    ok="Coral signing secret removed.", refused="No such secret.")
