"""The periodic rollup: thin; the watermark in the database says what is left to do."""
from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from .services.rollups import rollups_update


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError, DatabaseError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=3,
)
def update_rollups() -> dict:
    outcome = rollups_update()
    return {"rebuilt": outcome.rebuilt, "site_days": outcome.site_days, "articles": outcome.articles,
            "seconds": round(outcome.seconds, 3), "failed_sites": sorted(outcome.failed)}
