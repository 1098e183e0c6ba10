"""Access checks every view runs: an item or site the user may not see is a
404 (its existence is not revealed); a page their role does not cover is a 403."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from comments.models import Comment, Site

from ..selectors.access import role_allows, user_role


def site_for(user, slug: str, *, role: str) -> Site:
    site = get_object_or_404(Site, slug=slug)
    found = user_role(user=user, site_id=site.pk)
    if found is None:
        raise Http404("No such site.")
    if not role_allows(found, role):
        raise PermissionDenied("Your role on this site does not cover this page.")
    return site


def comment_for(user, pk: int) -> tuple[Comment, str]:
    """The comment and the user's role on its site."""
    comment = get_object_or_404(Comment.objects.select_related("site", "article", "author"), pk=pk)
    role = user_role(user=user, site_id=comment.site_id)
    if role is None:
        raise Http404("No such comment.")
    return comment, role
