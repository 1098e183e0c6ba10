"""The thresholds the rollups and the dashboards count against: the site's
flag policy with the defaults filled in. One module both read, so the
rollups, thread heat and the pages never disagree (and never import each other for it)."""
from __future__ import annotations

from moderation import policy
from moderation.selectors.policy import site_policies

from .periods import LABELS


def site_thresholds(*, site_id: int) -> dict[str, float]:
    effective = policy.effective_rules(site_policies(site_ids=[site_id])[site_id].rules or {})
    return {label: float(effective.get(label, {}).get("threshold", 1.0)) for label in LABELS}
