"""The flag policy of a site, as other rooms read it."""
from __future__ import annotations

from ..models import FlagPolicy


def site_policy(*, site_id: int) -> FlagPolicy:
    """The site's policy; an unsaved default one while the site has none (reading never creates it)."""
    return FlagPolicy.objects.filter(site_id=site_id).first() or FlagPolicy(site_id=site_id)
