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
    result = rollups_update()
    return {"rebuilt": result.rebuilt, "site_days": result.site_days, "articles": result.articles,
            "seconds": round(result.seconds, 3), "failed_sites": sorted(result.failed)}
