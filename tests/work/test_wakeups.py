"""Wake-ups by task name, after commit, through one broker switch (work/wakeups.py)."""
import base64
import json
import logging

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import transaction

from work import wakeups


@pytest.fixture
def ingest_queue():
    """The real Redis the test settings point Celery at; the ingest queue emptied around each test."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("ingest")
    yield client
    client.delete("ingest")


def queued(client) -> list[tuple[str, list]]:
    messages = [json.loads(raw) for raw in client.lrange("ingest", 0, -1)]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


@pytest.fixture
def unreachable():
    app = Celery("unreachable", broker="redis://127.0.0.1:9/0", set_as_current=False)
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    app.conf.task_publish_retry_policy = {"max_retries": 0}
    yield app
    wakeups.broker_reset()


def test_a_wake_up_is_sent_by_task_name_and_routed_by_the_settings(ingest_queue):
    assert wakeups.wake("webhooks.tasks.process_delivery", 7) is True
    assert queued(ingest_queue) == [("webhooks.tasks.process_delivery", [7])]


def test_a_dead_broker_is_said_once_and_not_tried_again_for_a_while(unreachable, caplog, ingest_queue):
    with caplog.at_level(logging.WARNING, logger="work.wakeups"):
        assert wakeups.wake("unreachable.noop", 1, app=unreachable) is False
        assert wakeups.broker_down()
        assert wakeups.wake("webhooks.tasks.process_delivery", 2) is False  # any task, any app: not even tried
    assert [r.getMessage().startswith("the broker is down") for r in caplog.records] == [True]
    assert queued(ingest_queue) == []
    wakeups.broker_reset()
    assert wakeups.wake("webhooks.tasks.process_delivery", 3) is True


@pytest.mark.django_db
def test_a_wake_up_after_commit_is_sent_only_when_the_transaction_commits(ingest_queue, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        wakeups.wake_after_commit("webhooks.tasks.process_delivery", 1)
        raise RuntimeError("rolled back")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            wakeups.wake_after_commit("webhooks.tasks.process_delivery", 2)
            assert queued(ingest_queue) == []  # not before the commit
    assert queued(ingest_queue) == [("webhooks.tasks.process_delivery", [2])]


@pytest.mark.django_db
def test_a_refused_wake_up_after_commit_is_reported_to_the_caller(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(wakeups, "wake", lambda task_name, *args: False)
    refused = []
    with django_capture_on_commit_callbacks(execute=True):
        wakeups.wake_after_commit("webhooks.tasks.process_delivery", 3, refused=lambda: refused.append(3))
    assert refused == [3]


def test_every_task_a_service_wakes_by_name_is_a_registered_task():
    from config.celery import app
    from moderation.services import scoring
    from webhooks.services import deliveries, outbound

    app.loader.import_default_modules()
    names = {scoring.SCORE_TASK, deliveries.PROCESS_TASK, outbound.SEND_TASK}
    assert names <= set(app.tasks)
