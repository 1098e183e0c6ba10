"""Which sites a user may see, and with which role."""
from __future__ import annotations

from django.db.models import QuerySet

from comments.models import Site

from ..models import ROLE_RANK, SiteMembership

Role = SiteMembership.Role


def user_roles(*, user) -> dict[int, str]:
    """Site id to role for every site the user may see. Django staff are owners everywhere."""
    if not user.is_authenticated or not user.is_active:
        return {}
    if user.is_staff:
        return {site_id: Role.OWNER for site_id in Site.objects.values_list("pk", flat=True)}
    return dict(SiteMembership.objects.filter(user=user).values_list("site_id", "role"))


def user_sites(*, user) -> QuerySet[Site]:
    return Site.objects.filter(pk__in=list(user_roles(user=user))).order_by("name")


def role_allows(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[needed]


def site_members(*, site: Site) -> QuerySet[SiteMembership]:
    return SiteMembership.objects.filter(site=site).select_related("user").order_by("user__username")


def user_role(*, user, site_id: int) -> str | None:
    """The user's role on one site; None when the site is not theirs to see."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff:
        return Role.OWNER
    return SiteMembership.objects.filter(user=user, site_id=site_id).values_list("role", flat=True).first()
