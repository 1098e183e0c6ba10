"""Per-site rate limit on inbound deliveries: a fixed window counter in Redis,
shared by every web process. When Redis is unreachable the limit is not
enforced (logged): refusing every platform's deliveries would be worse."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
_clients: dict[str, redis.Redis] = {}


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int = 0


def _client() -> redis.Redis:
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        target = "unix://" + url[len("redis+socket://"):] if url.startswith("redis+socket://") else url
        client = _clients[url] = redis.Redis.from_url(target, socket_timeout=0.5, socket_connect_timeout=0.5)
    return client


def rate_limit_hit(*, site_id: int, now: float | None = None) -> RateDecision:
    limit, window = settings.WEBHOOK_RATE_LIMIT, settings.WEBHOOK_RATE_WINDOW
    if limit <= 0:
        return RateDecision(allowed=True)
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"threadwarden:webhooks:rate:{site_id}:{slot}"
    try:
        pipe = _client().pipeline()
        pipe.incr(key)
        pipe.expire(key, window * 2)
        count = pipe.execute()[0]
    except redis.RedisError as error:
        logger.warning("rate limit not enforced, Redis unreachable: %s", error)
        return RateDecision(allowed=True)
    if count > limit:
        return RateDecision(allowed=False, retry_after=max(1, int((slot + 1) * window - now + 0.999)))
    return RateDecision(allowed=True)
