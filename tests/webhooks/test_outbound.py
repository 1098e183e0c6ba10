"""Outbound comment.moderated events: outbox in the decision's transaction,
Standard Webhooks signatures, retries with backoff, dead letters. A real local receiver."""
import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from moderation.models import Review
from moderation.services.decisions import decision_make, decision_undo_last
from tests.factories import member, scored_comment
from webhooks.models import OutboundEndpoint, OutboundEvent
from webhooks.services.outbound import outbound_retry, outbound_send, outbound_sweep, retry_delay
from webhooks.services.secrets import secret_rotate
from webhooks.signing import standard_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(site):
    return member(site, "moderator", "moderator")


@pytest.fixture
def outbound_secret(site, receiver):
    OutboundEndpoint.objects.create(site=site, url=receiver.url + "/hooks/threadwarden")
    return secret_rotate(site=site, purpose="outbound")


def send_due(holder: str = "test") -> list[str]:
    return [outbound_send(event_pk=pk, holder=holder) for pk in OutboundEvent.objects.order_by("pk").values_list("pk", flat=True)]


def test_approving_sends_a_signed_comment_moderated_event(site, moderator, receiver, outbound_secret):
    held = scored_comment(site, "c1", toxicity={"threat": 0.9})
    OutboundEvent.objects.all().delete()  # the auto-hold's own event is tested below
    decision_make(user=moderator, comment=held, action="approve", expected_version=0)
    event = OutboundEvent.objects.get()
    assert event.state == "pending"
    assert send_due() == ["delivered"]
    sent = receiver.requests[-1]
    assert sent["path"] == "/hooks/threadwarden"
    standard_verify(secrets_=[outbound_secret], msg_id=sent["headers"]["webhook-id"],
                    timestamp=sent["headers"]["webhook-timestamp"], signature_header=sent["headers"]["webhook-signature"],
                    body=sent["body"], tolerance=300)
    payload = json.loads(sent["body"])
    assert payload["type"] == "comment.moderated"
    assert payload["data"] | {"event_id": None} == {
        "id": "c1", "article_id": "a1", "action": "approved", "status": "visible", "reason": "",
        "moderator": "moderator", "decision_id": held.decisions.get().pk, "event_id": None,
    }
    assert sent["headers"]["webhook-id"] == payload["data"]["event_id"] == event.message_id
    event.refresh_from_db()
    assert (event.state, event.attempts, event.log.get().status_code) == ("delivered", 1, 200)


def test_rejecting_sends_the_reason(site, moderator, receiver, outbound_secret):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    reason = site.rejection_reasons.get(code="spam-or-advertising")
    decision_make(user=moderator, comment=item, action="reject", expected_version=0, reason=reason)
    send_due()
    data = json.loads(receiver.requests[-1]["body"])["data"]
    assert (data["action"], data["status"], data["reason"]) == ("rejected", "removed", "Spam or advertising")


def test_an_auto_hold_sends_held(site, receiver, outbound_secret):
    scored_comment(site, "c1", toxicity={"threat": 0.9})
    assert send_due() == ["delivered"]
    data = json.loads(receiver.requests[-1]["body"])["data"]
    assert (data["action"], data["status"], data["moderator"]) == ("held", "held", None)


def test_an_undo_sends_undone_with_the_status_restored(site, moderator, receiver, outbound_secret):
    held = scored_comment(site, "c1", toxicity={"threat": 0.9})
    decision_make(user=moderator, comment=held, action="approve", expected_version=0)
    decision_undo_last(user=moderator)
    send_due()
    data = json.loads(receiver.requests[-1]["body"])["data"]
    assert (data["action"], data["status"]) == ("undone", "held")


def test_escalating_sends_nothing(site, moderator, outbound_secret):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="escalate", expected_version=0)
    assert not OutboundEvent.objects.exists()


def test_a_site_without_an_endpoint_gets_no_events(site, moderator):
    item = scored_comment(site, "c1", toxicity={"threat": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    assert not OutboundEvent.objects.exists()


def test_the_outbox_row_rolls_back_with_its_decision(site, moderator, outbound_secret):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    with pytest.raises(RuntimeError), transaction.atomic():
        decision_make(user=moderator, comment=item, action="approve", expected_version=0)
        assert OutboundEvent.objects.count() == 1
        raise RuntimeError("the request failed after the decision")
    assert not OutboundEvent.objects.exists()
    assert not Review.objects.filter(state="approved").exists()


def test_a_failing_receiver_is_retried_with_exponential_backoff(site, moderator, receiver, outbound_secret):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    receiver.statuses = [500, 503]
    before = timezone.now()
    assert send_due() == ["retry"]
    event = OutboundEvent.objects.get()
    assert event.state == "pending" and event.attempts == 1 and "HTTP 500" in event.last_error
    assert event.next_attempt_at >= before + dt.timedelta(seconds=60)
    assert send_due() == ["skipped"]  # not due yet
    OutboundEvent.objects.update(next_attempt_at=timezone.now())
    assert send_due() == ["retry"]
    event.refresh_from_db()
    assert event.next_attempt_at - timezone.now() > dt.timedelta(seconds=110)  # 2 minutes after the second failure
    OutboundEvent.objects.update(next_attempt_at=timezone.now())
    assert send_due() == ["delivered"]
    assert [row.status_code for row in event.log.all()] == [500, 503, 200]


def test_backoff_grows_to_hours_and_is_capped():
    delays = [retry_delay(n).total_seconds() for n in range(1, 13)]
    assert delays[:4] == [60, 120, 240, 480]
    assert max(delays) == 4 * 3600
    assert sum(delays) > 12 * 3600


def test_after_the_last_attempt_an_event_is_a_dead_letter_and_can_be_sent_again(site, moderator, receiver,
                                                                                 outbound_secret, settings):
    settings.OUTBOUND_MAX_ATTEMPTS = 2
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    receiver.statuses = [500, 500]
    send_due()
    OutboundEvent.objects.update(next_attempt_at=timezone.now())
    assert send_due() == ["dead"]
    assert OutboundEvent.objects.get().state == "dead"
    assert outbound_sweep() == 0  # dead letters are not retried by themselves
    assert outbound_retry(event_pk=OutboundEvent.objects.get().pk)
    assert send_due() == ["delivered"]


def test_an_unreachable_receiver_is_retried(site, moderator, outbound_secret):
    OutboundEndpoint.objects.filter(site=site).update(url="http://127.0.0.1:9/nothing-listens")
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    assert send_due() == ["retry"]
    assert "ConnectionError" in OutboundEvent.objects.get().last_error


def test_during_rotation_events_carry_both_signatures(site, moderator, receiver, outbound_secret):
    new = secret_rotate(site=site, purpose="outbound")
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    send_due()
    headers = receiver.requests[-1]["headers"]
    assert len(headers["webhook-signature"].split()) == 2
    for secret in (outbound_secret, new):
        standard_verify(secrets_=[secret], msg_id=headers["webhook-id"], timestamp=headers["webhook-timestamp"],
                        signature_header=headers["webhook-signature"], body=receiver.requests[-1]["body"], tolerance=300)
