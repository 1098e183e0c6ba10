"""What every page's header needs: the sites whose settings the user may open."""
from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .selectors.access import Role, user_sites


def navigation(request) -> dict:
    # Lazy: pages that never show the menu never run the query.
    return {"owned_sites": SimpleLazyObject(lambda: list(user_sites(user=request.user, role=Role.OWNER)))}
