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
    # The task id is the lease holder: a redelivered task takes back what it held.
    statuses = deliveries.deliveries_process_batch(hint_pk=delivery_pk, holder=self.request.id or "eager")
    return {status: sum(1 for o in statuses.values() if o == status) for status in set(statuses.values())}


@shared_task(**RETRY)
def send_outbound(self, event_pk: int) -> str:
    return outbound.outbound_send(event_pk=event_pk, holder=self.request.id or "eager")


@shared_task(acks_late=True)
def sweep_deliveries() -> int:
    return deliveries.deliveries_sweep()


@shared_task(acks_late=True)
def sweep_outbound() -> int:
    return outbound.outbound_sweep()
