"""The filter forms of the queue and audit pages, bound to the query string."""
from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest

from ..selectors.access import user_roles, user_sites


def filter_form_for(request: HttpRequest, form_class: type[forms.Form]) -> tuple[forms.Form, dict[int, str]]:
    """The validated form, its site choices narrowed to the user's, and the user's
    roles by site. Naming a site the user may not see is a 404, as if it did not
    exist; any other field that does not validate (a mistyped score, a stale cursor)
    is dropped and the rest kept."""
    roles = user_roles(user=request.user)
    sites = user_sites(user=request.user, roles=roles)
    form = form_class(request.GET, sites=sites)
    if not form.is_valid():
        if "site" in form.errors:
            raise Http404("No such site.")
        form = form_class({k: v for k, v in request.GET.items() if k not in form.errors}, sites=sites)
        form.is_valid()
    return form, roles
