"""Celery tasks: thin and idempotent; ids in, the services do the work."""
from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from .services import deliveries, outbound

RETRY = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError, DatabaseError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY)
def process_delivery(self, delivery_pk: int) -> dict:
    # The task id is the claim: a redelivered task takes back what it held.
    outcomes = deliveries.deliveries_process_batch(hint_pk=delivery_pk, claimer=self.request.id or "eager")
    return {outcome: sum(1 for o in outcomes.values() if o == outcome) for outcome in set(outcomes.values())}


@shared_task(**RETRY)
def send_outbound(self, event_pk: int) -> str:
    return outbound.outbound_send(event_pk=event_pk, claimer=self.request.id or "eager")


@shared_task(acks_late=True)
def sweep_deliveries() -> int:
    return deliveries.deliveries_sweep()


@shared_task(acks_late=True)
def sweep_outbound() -> int:
    return outbound.outbound_sweep()
