"""Wake-up calls to the workers, by task name, never waiting on a dead broker.

The database holds the work; a message only says "look". So a service never
imports a task: it names it, and the Celery app routes it (CELERY_TASK_ROUTES).
When a publish fails, this process stops trying for BROKER_BACKOFF_SECONDS
(ingestion must not wait on a dead broker once per comment), says so once in
the log, and the periodic sweeps send what was missed.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from celery import Celery, current_app
from django.db import transaction

logger = logging.getLogger(__name__)
BROKER_BACKOFF_SECONDS = 5.0
_broker_down_until = 0.0  # per process: time.monotonic() before which no publish is tried


def broker_down() -> bool:
    """True while this process is backing off after a failed publish."""
    return time.monotonic() < _broker_down_until


def broker_reset() -> None:
    """Forget a failed publish (tests; a process that knows the broker is back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def wake(task_name: str, *args, app: Celery | None = None) -> bool:
    """Send ``task_name(*args)`` now. False when the broker is down (or was, a
    moment ago): the caller's rows stay waiting and a sweep sends it later."""
    global _broker_down_until
    if broker_down():
        return False
    try:
        (app or current_app).send_task(task_name, args=list(args))
    except Exception as error:  # any broker failure; the database still has the work
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("the broker is down (sending %s failed: %s); not trying for %.0f s, the sweeps catch up",
                       task_name, error, BROKER_BACKOFF_SECONDS)
        return False
    return True


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction commits (at once outside
    one); if it raises, the error is logged and the commit stands."""
    transaction.on_commit(callback, robust=True)


def wake_after_commit(task_name: str, *args, refused: Callable[[], None] | None = None) -> None:
    """Wake a worker once the rows it needs are committed (a worker must never
    look before they exist). ``refused`` runs when the broker refuses the
    wake-up, e.g. to write down that it is still to be sent."""

    def send() -> None:
        if not wake(task_name, *args) and refused is not None:
            refused()

    after_commit(send)
