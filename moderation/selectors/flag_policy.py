"""Reading a site's flag policy without writing one."""
from __future__ import annotations

from comments.models import Site

from ..models import FlagPolicy


def flag_policy_read(*, site: Site) -> FlagPolicy:
    """The stored policy, or the defaults unsaved: showing the settings page, or refusing a bad form,
    writes nothing (flags.flag_policy_for creates the row, for the services that change it)."""
    return FlagPolicy.objects.filter(site=site).first() or FlagPolicy(site=site)
