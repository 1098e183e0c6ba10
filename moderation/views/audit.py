"""The audit log page: read-only, filterable, newest first."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..forms import AuditFilterForm
from ..selectors.audit import AuditFilters, audit_events
from .filter_forms import filter_form_for


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form, roles = filter_form_for(request, AuditFilterForm)
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
