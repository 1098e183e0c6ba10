"""The one back-off formula for retried work."""
from __future__ import annotations

import datetime as dt

_DOUBLINGS_MAX = 62  # 2**62 times any base is past every cap; stops a float overflow on absurd counts


def backoff_delay(*, attempts: int, base_seconds: float, cap_seconds: float) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try: base, 2 x base,
    4 x base, ... never more than ``cap_seconds``."""
    doublings = min(_DOUBLINGS_MAX, max(0, attempts - 1))
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2**doublings))
