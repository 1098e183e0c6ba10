"""Which sites a user may see, and with which role. Every room's views scope
access through these: a site or comment the user may not see is a 404 (its
existence is not revealed); a page their role does not cover is a 403."""
from __future__ import annotations

import re
from typing import Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from comments.models import Article, Author, Comment, Site

from ..models import ROLE_RANK, SiteMembership

Role = SiteMembership.Role

# What Django's <slug:> path converter accepts, for slugs that arrive in a query string.
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")


def user_roles(*, user) -> dict[int, str]:
    """Site id to role for every site the user may see. Django staff are owners everywhere."""
    if not user.is_authenticated or not user.is_active:
        return {}
    if user.is_staff:
        return {site_id: Role.OWNER for site_id in Site.objects.values_list("pk", flat=True)}
    return dict(SiteMembership.objects.filter(user=user).values_list("site_id", "role"))


def user_sites(*, user, role: str = Role.MODERATOR, roles: Mapping[int, str] | None = None) -> QuerySet[Site]:
    """The sites on which the user's role covers ``role``, by name. A view that has read
    ``user_roles`` already passes them as ``roles`` rather than reading them twice."""
    if roles is None:
        roles = user_roles(user=user)
    return Site.objects.filter(pk__in=[pk for pk, found in roles.items() if role_allows(found, role)]).order_by("name")


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


def user_site(*, user, slug: str, role: str) -> Site:
    """The site named by ``slug`` for a page that needs ``role``: Http404 when the user has
    no role on it (or it does not exist), PermissionDenied when their role is lower.
    ``slug`` may come from a query string, so anything that is not a slug is simply no site."""
    if not SLUG.fullmatch(slug or ""):
        raise Http404("No such site.")
    site = get_object_or_404(Site, slug=slug)
    found = user_role(user=user, site_id=site.pk)
    if found is None:
        raise Http404("No such site.")
    if not role_allows(found, role):
        raise PermissionDenied("Your role on this site does not cover this page.")
    return site


def user_comment(*, user, pk: int) -> tuple[Comment, str]:
    """The comment and the user's role on its site; Http404 when its site is not theirs to see."""
    comment = get_object_or_404(Comment.objects.select_related("site", "article", "author"), pk=pk)
    role = user_role(user=user, site_id=comment.site_id)
    if role is None:
        raise Http404("No such comment.")
    return comment, role


def user_author(*, user, pk: int) -> Author:
    """The author, when their site is the user's to see; Http404 otherwise."""
    author = get_object_or_404(Author.objects.select_related("site"), pk=pk)
    if user_role(user=user, site_id=author.site_id) is None:
        raise Http404("No such author.")
    return author


def on_sites(*, site_ids: Iterable[int], article_id: int | None = None, author_id: int | None = None) -> bool:
    """Whether the article and the author named (either may be left out) are on one of these sites:
    a filter naming one elsewhere is a 404, as if it did not exist."""
    site_ids = list(site_ids)
    if article_id and not Article.objects.filter(pk=article_id, site_id__in=site_ids).exists():
        return False
    return not author_id or Author.objects.filter(pk=author_id, site_id__in=site_ids).exists()


def user_comments(*, roles: Mapping[int, str], comment_ids: Iterable[int]) -> dict[int, Comment]:
    """The comments among ``comment_ids`` on sites the user may see (``roles`` from ``user_roles``);
    the others are left out, exactly as if they did not exist."""
    return {c.pk: c for c in Comment.objects.filter(pk__in=list(comment_ids), site_id__in=list(roles))}
