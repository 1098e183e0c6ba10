"""Sites whose rollup raised: recorded with the error, retried alone, then left alone.

One site's failure (a value the database holds but Python cannot process, a
bug met by one site's data) must not stop the other sites' rollups, and must
not be retried every minute forever. The rollup runs each site in its own
savepoint and records a failure here; the next runs recompute that site
whole, alone; after ANALYTICS_MAX_ATTEMPTS failed tries it is ``failed`` and
skipped until someone retries it (admin action, or ``analytics_rollup
--rebuild --site SLUG``).
"""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from ..models import RollupFailure

State = RollupFailure.State


def rollup_failure_record(*, site_id: int, error: str) -> str:
    """Count a failed try of the site's rollup; returns the site's state now."""
    now = timezone.now()
    row, _ = RollupFailure.objects.get_or_create(site_id=site_id, defaults={"failed_at": now})
    attempts = row.attempts + 1
    state = State.FAILED if attempts >= settings.ANALYTICS_MAX_ATTEMPTS else State.RETRYING
    RollupFailure.objects.filter(pk=row.pk).update(state=state, attempts=attempts, last_error=error[:4000], failed_at=now)
    return state


def rollup_failure_clear(*, site_id: int) -> None:
    """The site's rollup succeeded whole: nothing is missing any more."""
    RollupFailure.objects.filter(site_id=site_id).delete()


def rollup_failure_retry(*, site_id: int) -> bool:
    """Admin: try a site that was given up on again, with a fresh set of tries."""
    return bool(RollupFailure.objects.filter(site_id=site_id).update(state=State.RETRYING, attempts=0))


def rollup_sites_retrying() -> set[int]:
    return set(RollupFailure.objects.filter(state=State.RETRYING).values_list("site_id", flat=True))


def rollup_sites_given_up() -> set[int]:
    return set(RollupFailure.objects.filter(state=State.FAILED).values_list("site_id", flat=True))
