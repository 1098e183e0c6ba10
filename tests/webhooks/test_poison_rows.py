"""A poison row never blocks the others: an inbound delivery or an outbound
event that cannot be read back (or whose processing raises) fails alone with
its error, the rest of its batch completes, it is retried, then dead; admin
and the read API keep answering."""
import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_upsert
from moderation.services.decisions import decision_make
from tests.factories import comment_input, member, scored_comment
from tests.support.unreadable import make_unreadable
from webhooks.models import Delivery, OutboundEndpoint, OutboundEvent
from work import wakeups
from webhooks.services.deliveries import deliveries_process_batch, deliveries_sweep
from webhooks.services.outbound import outbound_send, outbound_sweep
from webhooks.services.secrets import secret_rotate
from webhooks.services.tokens import api_token_create

from .conftest import comment_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


def test_a_delivery_batch_completes_around_an_unreadable_delivery_and_an_edit_of_an_unreadable_comment(
        sender, settings, monkeypatch, staff_client):
    monkeypatch.setattr(wakeups, "wake", lambda task, pk: True)
    settings.DELIVERY_RETRY_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 2
    old = comment_upsert(site=sender.site, data=comment_input("old")).comment
    make_unreadable(old)
    for n in range(5):
        sender.post(comment_event(f"c{n}"), msg_id=f"m{n}")
    sender.post(comment_event("old", body="edited text", event_type="comment.edited"), msg_id="edit-old")
    broken = Delivery.objects.get(delivery_id="m2")
    make_unreadable(broken, "received_at")

    outcomes = deliveries_process_batch(hint_pk=Delivery.objects.get(delivery_id="m0").pk, holder="t1")
    by_id = dict(Delivery.objects.values_list("pk", "delivery_id"))
    assert {by_id[pk]: outcome for pk, outcome in outcomes.items()} == {
        "m0": "done", "m1": "done", "m2": "failed", "m3": "done", "m4": "done", "edit-old": "failed"}
    assert set(Comment.objects.values_list("external_id", flat=True)) == {"old", "c0", "c1", "c3", "c4"}
    failed = dict(Delivery.objects.filter(state="failed").values_list("delivery_id", "last_error"))
    assert set(failed) == {"m2", "edit-old"} and all("timestamp too large" in error for error in failed.values())

    # Retried (each in its own savepoint, so still alone), then dead: not taken again.
    outcomes = deliveries_process_batch(hint_pk=broken.pk, holder="t2")
    assert sorted(outcomes.values()) == ["dead", "dead"]
    assert deliveries_sweep() == 0
    assert deliveries_process_batch(hint_pk=broken.pk, holder="t3") == {}

    response = staff_client.get(reverse("admin:webhooks_delivery_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "edit-old" in page and "timestamp too large" in page  # the dead one, with its error
    assert f"#{broken.pk} received_at=10000-01-01 04:59:59+00" in page  # the unreadable one, named


@pytest.fixture
def outbound(site, receiver):
    OutboundEndpoint.objects.create(site=site, url=receiver.url + "/hooks")
    secret_rotate(site=site, purpose="outbound")
    moderator = member(site, "moderator", "moderator")
    for n in range(3):
        item = scored_comment(site, f"c{n}", toxicity={"toxicity": 0.9})
        decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    return list(OutboundEvent.objects.order_by("pk"))


def send_due(holder: str) -> list[str]:
    return [outbound_send(event_pk=pk, holder=holder) for pk in OutboundEvent.objects.order_by("pk").values_list("pk", flat=True)]


def test_outbound_events_are_sent_around_one_that_cannot_be_read_back(outbound, settings, staff_client):
    settings.OUTBOUND_MAX_ATTEMPTS = 2
    first, broken, last = outbound
    make_unreadable(broken)
    assert send_due("t1") == ["delivered", "retry", "delivered"]
    state, attempts, error = OutboundEvent.objects.filter(pk=broken.pk).values_list("state", "attempts", "last_error").get()
    assert (state, attempts) == ("pending", 1) and "timestamp too large" in error
    OutboundEvent.objects.filter(pk=broken.pk).update(next_attempt_at=timezone.now())
    assert send_due("t2") == ["skipped", "dead", "skipped"]
    assert outbound_sweep() == 0  # a dead letter is not taken again
    response = staff_client.get(reverse("admin:webhooks_outboundevent_changelist"))
    assert response.status_code == 200 and f"#{broken.pk} created_at=10000-01-01 04:59:59+00" in response.content.decode()


def test_an_outbound_send_whose_worker_died_counts_as_a_try_and_ends_dead(outbound, settings):
    settings.OUTBOUND_MAX_ATTEMPTS = 2
    event = outbound[0]
    lease = dt.timedelta(seconds=settings.OUTBOUND_TIMEOUT_SECONDS * 3 + 31)
    for attempt in (1, 2):
        OutboundEvent.objects.filter(pk=event.pk).update(state="sending", claimed_by="dead", claimed_at=timezone.now())
        outbound_sweep(now=timezone.now() + lease)
        event.refresh_from_db()
        assert (event.attempts, event.last_error) == (attempt, "worker lease expired")
    assert event.state == "dead"
    assert outbound_sweep(now=timezone.now() + dt.timedelta(days=1)) == 2  # the two others, never the dead one


def test_the_read_api_answers_for_a_comment_that_cannot_be_read_back(client, site):
    token = api_token_create(site=site, name="platform")
    moderator = member(site, "moderator", "moderator")
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    make_unreadable(item)
    make_unreadable(item.article, "published_at")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.get("/api/v1/comments/c1", **headers)
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["review"]["state"]) == ("c1", "approved")
    response = client.get("/api/v1/decisions", **headers)
    assert response.status_code == 200 and [d["comment_id"] for d in response.json()["decisions"]] == ["c1"]
