"""Sending wake-up calls to the workers without ever waiting on a dead broker.
The database holds the work; a failed publish only delays it until the sweep."""
from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)
BROKER_BACKOFF_SECONDS = 5.0
_broker_down_until = 0.0


def wake(task, *args) -> bool:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        task.delay(*args)
    except Exception as error:  # any broker failure
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("could not enqueue %s: %s", task.name, error)
        return False
    return True
