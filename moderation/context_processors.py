"""What every page's header needs: the sites whose settings the user may open."""
from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def navigation(request) -> dict:
    def owned_sites():
        from comments.models import Site

        from .selectors.access import Role, user_roles

        roles = user_roles(user=request.user)
        return list(Site.objects.filter(pk__in=[pk for pk, role in roles.items() if role == Role.OWNER]).order_by("name"))

    # Lazy: pages that never show the menu never run the query.
    return {"owned_sites": SimpleLazyObject(owned_sites)}
