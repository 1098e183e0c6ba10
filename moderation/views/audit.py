"""The audit log page: read-only, filterable, newest first."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..forms import AuditFilterForm
from ..selectors.access import user_roles, user_sites
from ..selectors.audit import AuditFilters, audit_events


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    roles = user_roles(user=request.user)
    sites = user_sites(user=request.user, roles=roles)
    form = AuditFilterForm(request.GET, sites=sites)
    if not form.is_valid():
        if "site" in form.errors:
            raise Http404("No such site.")
        form = AuditFilterForm({k: v for k, v in request.GET.items() if k not in form.errors}, sites=sites)
        form.is_valid()
    data = form.cleaned_data
    site = data.get("site")
    filters = AuditFilters(
        site_ids=(site.pk,) if site else tuple(roles),
        actor=data.get("actor") or "",
        action=data.get("action") or "",
        comment_id=data.get("comment"),
        since=data.get("since"),
        until=data.get("until"),
    )
    events, older = audit_events(filters=filters, before_id=data.get("before"))
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "moderation/audit.html", {
        "form": form, "events": events, "older": older, "query": query.urlencode(),
    })
