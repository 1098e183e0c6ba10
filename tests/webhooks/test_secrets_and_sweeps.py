"""Secrets shown once and never shown again; sweeps that wake workers for what the database says is waiting."""
import datetime as dt
import io
import logging

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory
from webhooks.models import Delivery, SigningSecret
from work import wakeups
from webhooks.services.deliveries import deliveries_sweep, delivery_process

from .conftest import comment_event

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_new_secret_once_and_admin_shows_only_its_hint(site, client, caplog):
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command("webhook_secret", "--site", site.slug, "--purpose", "generic", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret not in caplog.text
    stored = SigningSecret.objects.get()
    assert secret not in str(stored) and secret not in repr(stored)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/webhooks/signingsecret/{stored.pk}/change/").content.decode()
    assert stored.hint in page and secret not in page


def test_rotating_keeps_the_old_secret_for_the_overlap(site):
    call_command("webhook_secret", "--site", site.slug, "--purpose", "outbound", stdout=io.StringIO())
    call_command("webhook_secret", "--site", site.slug, "--purpose", "outbound", "--overlap-hours", "2", stdout=io.StringIO())
    old, new = SigningSecret.objects.order_by("created_at")
    assert new.expires_at is None
    assert dt.timedelta(hours=1.9) < old.expires_at - timezone.now() <= dt.timedelta(hours=2)


def test_a_lost_wake_up_is_sent_again_by_the_sweep(sender, monkeypatch, settings):
    woken = []
    monkeypatch.setattr(wakeups, "wake", lambda task, pk: woken.append(pk) or True)
    sender.post(comment_event("c1"), msg_id="m1")
    delivery = Delivery.objects.get()
    assert deliveries_sweep() == 0  # just enqueued: not stale yet
    Delivery.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=settings.DELIVERY_STALE_SECONDS + 1))
    assert deliveries_sweep() == 1 and woken == [delivery.pk]


def test_a_broker_that_was_down_at_receipt_leaves_the_delivery_for_the_sweep(
    sender, monkeypatch, django_capture_on_commit_callbacks
):
    woken = []
    monkeypatch.setattr(wakeups, "wake", lambda task, pk: woken.append(pk) or False)
    with django_capture_on_commit_callbacks(execute=True):
        assert sender.post(comment_event("c1"), msg_id="m1").status_code == 202
    assert Delivery.objects.get().enqueued_at is None  # the failed wake-up is written down
    monkeypatch.setattr(wakeups, "wake", lambda task, pk: woken.append(pk) or True)
    assert deliveries_sweep() == 1


def test_an_expired_claim_counts_as_a_failed_try_and_is_retried(sender, settings, monkeypatch):
    monkeypatch.setattr(wakeups, "wake", lambda task, pk: True)
    settings.DELIVERY_RETRY_SECONDS = 0
    sender.post(comment_event("c1"), msg_id="m1")
    Delivery.objects.update(state="processing", claimed_by="dead-worker",
                            claimed_at=timezone.now() - dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS + 1))
    deliveries_sweep()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 1, "worker lease expired")
    assert deliveries_sweep() == 1  # its retry is due at the next sweep
    assert delivery_process(delivery_pk=delivery.pk, holder="new-worker") == "done"


def test_waking_through_an_unreachable_broker_gives_up_quickly_and_says_so():
    import time

    from celery import Celery

    # Not the current app: the rest of the suite keeps publishing through config.celery.
    app = Celery("unreachable", broker="redis://127.0.0.1:9/0", set_as_current=False)
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    app.conf.task_publish_retry_policy = {"max_retries": 0}

    started = time.monotonic()
    try:
        assert wakeups.wake("unreachable.noop", 1, app=app) is False
        assert wakeups.wake("unreachable.noop", 2, app=app) is False  # backing off: not even tried
    finally:
        wakeups.broker_reset()
    assert time.monotonic() - started < 10


def test_the_sweep_sends_one_wake_up_per_batch_and_tasks_take_due_retries_along(sender, monkeypatch, settings):
    from webhooks.services.deliveries import deliveries_process_batch

    woken = []
    monkeypatch.setattr(wakeups, "wake", lambda task, pk: woken.append(pk) or True)
    settings.DELIVERY_BATCH_SIZE = 2
    settings.DELIVERY_RETRY_SECONDS = 0
    for n in range(5):
        sender.post(comment_event(f"c{n}"), msg_id=f"m{n}")
    Delivery.objects.filter(delivery_id="m0").update(state="failed", attempts=1, next_attempt_at=timezone.now())
    Delivery.objects.update(enqueued_at=None)
    assert deliveries_sweep() == 5
    assert len(woken) == 3  # batches of two
    outcomes = deliveries_process_batch(hint_pk=woken[0], holder="t")
    assert sorted(Delivery.objects.filter(pk__in=outcomes).values_list("delivery_id", flat=True)) == ["m0", "m1"]
