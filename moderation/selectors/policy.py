"""The one read of "the flag policy for this site".

A site that never saved a policy has none stored; every reader gets an
unsaved default instead (no rules of its own, no words, no framing terms), so
reading never writes a row and "no policy" means the same everywhere: the
defaults of ``moderation.policy``. Changing a policy is
``services.flags.flag_policy_update``.
"""
from __future__ import annotations

from typing import Iterable

from comments.models import Site

from ..models import FlagPolicy


def site_policies(*, site_ids: Iterable[int]) -> dict[int, FlagPolicy]:
    """Each site's flag policy, one query for all of them; an unsaved default for a site without one."""
    wanted = set(site_ids)
    stored = {found.site_id: found for found in FlagPolicy.objects.filter(site_id__in=wanted)}
    return {site_id: stored.get(site_id) or FlagPolicy(site_id=site_id) for site_id in wanted}


def site_policy(*, site: Site) -> FlagPolicy:
    """The site's flag policy, or an unsaved default."""
    found = site_policies(site_ids=[site.pk])[site.pk]
    found.site = site  # the caller's row, so following it costs no query
    return found
