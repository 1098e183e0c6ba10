"""Celery tasks: thin and idempotent; ids in, the services do the work."""
from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_init
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from .services import scoring


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError, DatabaseError),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=6,
)
def score_comments(self, comment_ids: list[int]) -> dict:  # woken by name: scoring.SCORE_TASK
    # The task id is the lease holder: a redelivered task takes back what it held.
    result = scoring.scoring_process(holder=self.request.id or "eager", hint_ids=comment_ids)
    return {"scored": len(result.scored), "failed": len(result.failed), "superseded": len(result.superseded)}


@shared_task(acks_late=True)
def sweep_scoring() -> int:
    return scoring.scoring_sweep()


@worker_process_init.connect
def _warm_models(**_kwargs) -> None:
    """Load the models when a worker process starts, not on its first comment."""
    scoring.active_scorers_record()
    connection.close()  # don't share the parent's connection state across forks
