"""Deliveries processed by real Celery workers on a private Redis, with a worker killed midway."""
import json
import random

import pytest
from django.db.models import Count

from comments.models import Comment
from moderation.models import CommentScoring, Score
from tests.moderation.test_worker_resilience import environment, private_redis, workers  # noqa: F401 (fixtures)
from tests.support.processes import wait_for
from webhooks.models import Delivery
from work import wakeups

from .conftest import comment_event

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def done() -> int:
    return Delivery.objects.filter(state="done").count()


def test_a_worker_killed_midway_loses_and_doubles_nothing(sender, monkeypatch, private_redis, tiny_detoxify, workers):
    # This process publishes to another Redis than the workers': its wake-ups
    # count as lost (the broker-down path) and the workers' sweep finds the work.
    monkeypatch.setattr(wakeups, "wake", lambda task, *args: False)
    rng = random.Random(6)
    events = []
    for n in range(240):
        parent = f"c{n - 1}" if n % 4 else None
        events.append((f"m{n}", comment_event(f"c{n}", parent=parent, article=f"a{n // 8}")))
    for n in range(0, 240, 20):  # replies sent before their parents
        events[n], events[n + 1] = events[n + 1], events[n]
    events += rng.sample(events, 24)  # exact duplicates: same delivery id
    codes = [sender.post(event, msg_id=msg_id).status_code for msg_id, event in events]
    assert codes.count(202) == 240 and codes.count(200) == 24

    env = environment(redis_url=private_redis.url, checkpoint=tiny_detoxify.checkpoint,
                      hf_dir=tiny_detoxify.hf_config_dir, DELIVERY_SWEEP_SECONDS=1, SCORING_SWEEP_SECONDS=1,
                      SCORING_STALE_SECONDS=2, SCORING_LEASE_SECONDS=8, DELIVERY_STALE_SECONDS=2, DELIVERY_LEASE_SECONDS=5,
                      WEBHOOK_RATE_LIMIT=0)
    first = workers(env, "worker1", beat=True, queues="ingest,score,celery")
    wait_for(lambda: done() >= 40, timeout=120, interval=0.05, what="a first share of deliveries")
    first.kill()
    assert done() < 240
    workers(env, "worker2", beat=True, queues="ingest,score,celery")
    wait_for(lambda: done() == 240, timeout=240, interval=0.5, what="every delivery to be processed")
    wait_for(lambda: CommentScoring.objects.filter(state="done").count() == 240, timeout=240, interval=0.5,
             what="every comment to be scored")

    assert Comment.objects.count() == 240
    assert Comment.objects.filter(awaiting_parent_external_id="").count() == 240  # every early reply adopted
    assert Comment.objects.filter(parent__isnull=False).count() == 180
    per_kind = Score.objects.values("comment", "kind").annotate(n=Count("id"))
    assert len(per_kind) == 480 and {row["n"] for row in per_kind} == {1}
    assert not Delivery.objects.exclude(state="done").exists()
    assert json.loads(Delivery.objects.get(delivery_id="m7").body)["data"]["id"] == "c7"

