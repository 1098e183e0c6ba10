"""A site's settings page for its owners: policy, word lists, rejection reasons, roles."""
from __future__ import annotations

from typing import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from comments.models import Site

from .. import policy
from ..forms import PolicyForm, ReasonForm, RoleForm
from ..models import RejectionReason, SiteMembership
from ..selectors.access import Role, site_members, user_site
from ..selectors.policy import site_policy
from ..selectors.policy_labels import policy_labels
from ..services import site_settings as services
from ..services.errors import ModerationRefused


def _policy_form(site, data=None) -> PolicyForm:
    current = site_policy(site=site)
    rules = policy.effective_rules(current.rules)
    # Only the labels the running scorers produce get a row; the others are named in a note.
    shown = policy_labels(labels=rules).shown
    form = PolicyForm(data, rules={label: rules[label] for label in shown}, initial={
        "banned_words": "\n".join(current.banned_words),
        "suspect_words": "\n".join(current.suspect_words),
    })
    return form


@login_required
@require_GET
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    site = user_site(user=request.user, slug=slug, role=Role.OWNER)
    return _render(request, site)


def _render(request, site, *, policy_form=None, status=200) -> HttpResponse:
    return render(request, "moderation/site_settings.html", {
        "site": site,
        "policy_form": policy_form or _policy_form(site),
        "policy_labels": policy_labels(labels=policy.effective_rules(site_policy(site=site).rules)),
        "reasons": RejectionReason.objects.filter(site=site),
        "reason_form": ReasonForm(),
        "members": site_members(site=site),
        "role_form": RoleForm(),
        "roles": SiteMembership.Role.choices,
    }, status=status)


def _owner_change(request: HttpRequest, slug: str, change: Callable[[Site], str]) -> HttpResponse:
    """Run one change of the owner's site's settings and go back to the page: with
    the change's own message, or with the refusal's."""
    site = user_site(user=request.user, slug=slug, role=Role.OWNER)
    try:
        messages.success(request, change(site))
    except ModerationRefused as refused:
        messages.error(request, refused.message)
    return redirect("moderation:site_settings", slug=site.slug)


@login_required
@require_POST
def policy_save(request: HttpRequest, slug: str) -> HttpResponse:
    site = user_site(user=request.user, slug=slug, role=Role.OWNER)
    form = _policy_form(site, request.POST)
    if not form.is_valid():
        return _render(request, site, policy_form=form, status=422)

    def change(site: Site) -> str:
        services.site_policy_change(
            # Rules of labels the page does not show are kept as stored.
            user=request.user, site=site, rules={**site_policy(site=site).rules, **form.clean_rules()},
            banned_words=PolicyForm.words(form.cleaned_data["banned_words"]),
            suspect_words=PolicyForm.words(form.cleaned_data["suspect_words"]),
        )
        return "Policy saved; flags were re-evaluated from the stored scores."

    return _owner_change(request, slug, change)


def _cleaned(form, refusal: str) -> dict:
    if not form.is_valid():
        raise ModerationRefused(refusal)
    return form.cleaned_data


@login_required
@require_POST
def reason_add(request: HttpRequest, slug: str) -> HttpResponse:
    def change(site: Site) -> str:
        label = _cleaned(ReasonForm(request.POST), "A reason needs a text.")["label"]
        services.rejection_reason_add(user=request.user, site=site, label=label)
        return "Reason added."

    return _owner_change(request, slug, change)


@login_required
@require_POST
def reason_toggle(request: HttpRequest, slug: str, reason_id: int) -> HttpResponse:
    def change(site: Site) -> str:
        if not RejectionReason.objects.filter(pk=reason_id, site=site).exists():
            raise ModerationRefused("No such reason.")
        reason = services.rejection_reason_set_active(
            user=request.user, site=site, reason_id=reason_id, active=request.POST.get("active") == "1"
        )
        return f"“{reason.label}” is {'offered' if reason.active else 'retired'}."

    return _owner_change(request, slug, change)


@login_required
@require_POST
def role_set(request: HttpRequest, slug: str) -> HttpResponse:
    def change(site: Site) -> str:
        data = _cleaned(RoleForm(request.POST), "Give a username and a role.")
        membership = services.membership_set(user=request.user, site=site, username=data["username"], role=data["role"])
        return f"{membership.user.get_username()} is now {membership.get_role_display().lower()}."

    return _owner_change(request, slug, change)


@login_required
@require_POST
def role_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    def change(site: Site) -> str:
        services.membership_remove(user=request.user, site=site, membership_id=membership_id)
        return "Role removed."

    return _owner_change(request, slug, change)
