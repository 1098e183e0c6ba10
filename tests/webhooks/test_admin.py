"""Admin: deliveries with their errors and a replay action; dead letters and their delivery log."""
import pytest

from comments.models import Comment
from tests.factories import UserFactory
from webhooks.models import Delivery, OutboundAttempt, OutboundEvent

from .conftest import comment_event
from .helpers import process_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_dead_delivery_shows_its_error_and_is_replayed_from_admin(sender, admin_client, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 1
    sender.post({"type": "comment.deleted", "data": {"id": "late"}}, msg_id="m1")
    assert process_all() == ["dead"]
    page = admin_client.get("/admin/webhooks/delivery/?state__exact=dead").content.decode()
    assert "m1" in page and "unknown comment" in page
    sender.post(comment_event("late"), msg_id="m2")
    process_all()
    dead = Delivery.objects.get(delivery_id="m1")
    response = admin_client.post("/admin/webhooks/delivery/", {"action": "replay", "_selected_action": [dead.pk]})
    assert response.status_code == 302
    assert Delivery.objects.get(pk=dead.pk).state == "pending"
    process_all()
    assert Comment.objects.get(external_id="late").status == "removed"


def test_a_dead_letter_shows_its_delivery_log_and_can_be_sent_again(site, admin_client):
    event = OutboundEvent.objects.create(site=site, message_id="msg_x", event_type="comment.moderated", payload={},
                                         url="https://platform.example/hook", state="dead", attempts=12,
                                         next_attempt_at="2026-11-20T08:00:00Z", last_error="HTTP 500: oops")
    OutboundAttempt.objects.create(event=event, status_code=500, error="HTTP 500: <b>oops</b>")
    listing = admin_client.get("/admin/webhooks/outboundevent/?state__exact=dead").content.decode()
    assert "msg_x" in listing and "Dead letter" in listing
    detail = admin_client.get(f"/admin/webhooks/outboundevent/{event.pk}/change/").content.decode()
    assert "&lt;b&gt;oops&lt;/b&gt;" in detail and "<b>oops</b>" not in detail
    admin_client.post("/admin/webhooks/outboundevent/", {"action": "retry", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert (event.state, event.attempts) == ("pending", 0)
