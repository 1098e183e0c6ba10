"""The generic endpoint: Standard Webhooks signatures, our event schema, delivery semantics."""
import json
import time

import pytest

from comments.models import Comment
from moderation.models import CommentReport, CommentScoring
from webhooks.models import Delivery
from webhooks.services.deliveries import delivery_process, delivery_replay
from webhooks.services.secrets import secret_rotate

from tests.factories import SiteFactory

from .conftest import comment_event
from .helpers import process_all

pytestmark = pytest.mark.django_db


def test_signed_delivery_is_stored_answered_202_and_processed_into_a_comment(sender, site):
    response = sender.post(comment_event("c1", body="Hello there"), msg_id="msg_1")
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "delivery": "msg_1"}
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.source, delivery.event_type) == ("pending", "generic", "comment.created")
    assert json.loads(delivery.body)["data"]["body"] == "Hello there"
    assert delivery.headers["webhook-id"] == "msg_1"
    assert not Comment.objects.exists()  # the work happens in the task
    assert process_all() == ["done"]
    comment = Comment.objects.get(site=site, external_id="c1")
    assert comment.body == "Hello there"
    assert CommentScoring.objects.get(pk=comment.pk).state == "pending"  # scoring is asked for
    assert Delivery.objects.get().state == "done"


def test_the_same_delivery_id_twice_is_answered_200_and_changes_nothing(sender):
    assert sender.post(comment_event("c1"), msg_id="msg_dup").status_code == 202
    again = sender.post(comment_event("c1", body="different"), msg_id="msg_dup")
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert Delivery.objects.count() == 1
    process_all()
    assert Comment.objects.get().body == "Text of c1"


def test_the_same_comment_in_two_deliveries_is_one_comment(sender):
    sender.post(comment_event("c1"), msg_id="m1")
    sender.post(comment_event("c1"), msg_id="m2")
    assert process_all() == ["done", "done"]
    assert Comment.objects.count() == 1
    assert Comment.objects.get().edit_count == 0


def test_a_reply_before_its_parent_is_linked_when_the_parent_arrives(sender):
    sender.post(comment_event("reply", parent="parent"), msg_id="m1")
    sender.post(comment_event("parent"), msg_id="m2")
    process_all()
    reply = Comment.objects.get(external_id="reply")
    assert reply.parent.external_id == "parent"
    assert reply.depth == 1


def test_an_edit_before_its_create_keeps_the_edited_text(sender):
    sender.post(comment_event("c1", body="edited text", event_type="comment.edited",
                              edited_at="2026-11-20T09:00:00Z"), msg_id="m1")
    sender.post(comment_event("c1", body="first text"), msg_id="m2")
    process_all()
    assert Comment.objects.get().body == "edited text"


def test_a_delete_before_its_create_leaves_the_comment_removed(sender):
    sender.post({"type": "comment.deleted", "data": {"id": "c1", "article": {"id": "a1"}}}, msg_id="m1")
    sender.post(comment_event("c1"), msg_id="m2")
    process_all()
    assert Comment.objects.get().status == "removed"


def test_a_delete_of_an_unknown_comment_without_article_is_retried_until_the_comment_exists(sender, settings):
    settings.DELIVERY_RETRY_SECONDS = 0
    sender.post({"type": "comment.deleted", "data": {"id": "c1"}}, msg_id="m1")
    assert process_all() == ["failed"]
    failed = Delivery.objects.get()
    assert failed.state == "failed" and "unknown comment" in failed.last_error and failed.next_attempt_at
    sender.post(comment_event("c1"), msg_id="m2")
    assert process_all() == ["failed", "done"]  # the delete is still early; the create lands
    assert process_all() == ["done", "skipped"]  # the retry finds the comment
    assert Comment.objects.get().status == "removed"


def test_a_delivery_that_keeps_failing_is_dead_and_can_be_replayed(sender, settings):
    settings.DELIVERY_RETRY_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 2
    sender.post({"type": "comment.deleted", "data": {"id": "ghost"}}, msg_id="m1")
    assert process_all() == ["failed"]
    assert process_all() == ["dead"]
    assert process_all() == ["skipped"]
    dead = Delivery.objects.get()
    assert dead.state == "dead" and dead.attempts == 2
    sender.post(comment_event("ghost"), msg_id="m2")
    process_all()
    assert delivery_replay(delivery_pk=dead.pk)
    assert delivery_process(delivery_pk=dead.pk, holder="admin") == "done"
    assert Comment.objects.get(external_id="ghost").status == "removed"


def test_a_claimed_delivery_is_not_processed_by_another_task(sender):
    sender.post(comment_event("c1"), msg_id="m1")
    pk = Delivery.objects.get().pk
    Delivery.objects.filter(pk=pk).update(state="processing", claimed_by="task-a")
    assert delivery_process(delivery_pk=pk, holder="task-b") == "skipped"
    assert delivery_process(delivery_pk=pk, holder="task-a") == "done"  # a redelivered task takes back its claim


def test_a_comment_reported_event_reaches_the_reported_tab(sender, site):
    sender.post(comment_event("c1"), msg_id="m1")
    sender.post({"type": "comment.reported", "data": {"id": "c1", "reason": "spam", "reporter": "reader-7"}}, msg_id="m2")
    assert process_all() == ["done", "done"]
    report = CommentReport.objects.get()
    assert (report.comment.external_id, report.reason, report.reporter, report.site_id) == ("c1", "spam", "reader-7", site.pk)


def test_a_bad_signature_is_401_and_stores_nothing(sender):
    response = sender.post(comment_event("c1"), secret="whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
    assert response.status_code == 401
    assert "signature" in response.json()["error"]
    assert not Delivery.objects.exists()


def test_a_missing_signature_is_401(client, site, generic_secret):
    response = client.post("/webhooks/news/generic/", data=json.dumps(comment_event("c1")), content_type="application/json")
    assert response.status_code == 401
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_outside_five_minutes_is_401_with_the_reason_in_the_log(sender, skew, caplog):
    with caplog.at_level("INFO", logger="webhooks.views"):
        response = sender.post(comment_event("c1"), timestamp=int(time.time()) + skew)
    assert response.status_code == 401
    assert response.json() == {"error": "signature: missing or invalid"}
    assert "window" in caplog.text


def test_a_tampered_body_is_401(sender, client, site):
    from webhooks.signing import standard_headers

    headers = standard_headers(secrets_=[sender.secret], msg_id="m1", body=b'{"type": "comment.created"}')
    response = client.post("/webhooks/news/generic/", data=b'{"type": "comment.deleted"}', content_type="application/json",
                           **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    assert response.status_code == 401


def test_a_body_over_256_kb_is_413(sender):
    response = sender.post(None, body=b'{"pad": "' + b"x" * (256 * 1024) + b'"}')
    assert response.status_code == 413
    assert not Delivery.objects.exists()


def test_malformed_json_is_400_naming_the_body(sender):
    response = sender.post(None, body=b'{"type": "comment.created", ')
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert not Delivery.objects.exists()


def test_a_missing_field_is_400_naming_the_field(sender):
    event = comment_event("c1")
    del event["data"]["body"]
    response = sender.post(event)
    assert response.status_code == 400
    assert response.json() == {"error": "is required", "field": "data.body"}
    assert not Delivery.objects.exists()


def test_an_unknown_event_type_is_400_naming_the_type(sender):
    response = sender.post({"type": "comment.exploded", "data": {}})
    assert response.status_code == 400
    assert response.json()["field"] == "type"


def test_an_unknown_site_or_platform_is_answered_exactly_like_a_bad_signature(sender, site):
    """Otherwise a stranger could probe which site slugs exist (and which platforms they use)."""
    SiteFactory(slug="no-secrets")  # a real site with no secret for any platform
    bad = "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
    answers = []
    for slug, platform, secret in [("news", "generic", bad), ("nowhere", "generic", bad), ("news", "nothing", bad),
                                   ("no-secrets", "generic", bad), ("news", "wordpress", bad), ("nowhere", "generic", None)]:
        sender.site = type(site)(slug=slug)
        response = sender.post(comment_event("c1"), secret=secret, platform=platform)
        answers.append((response.status_code, response["Content-Type"], response.content))
    assert set(answers) == {(401, "application/json", b'{"error": "signature: missing or invalid"}')}
    assert not Delivery.objects.exists()


def test_the_size_cap_is_the_same_for_an_unknown_site(sender, site):
    sender.site = type(site)(slug="nowhere")
    response = sender.post(None, body=b'{"pad": "' + b"x" * (256 * 1024) + b'"}')
    assert response.status_code == 413


def test_get_is_not_allowed(client, site):
    assert client.get("/webhooks/news/generic/").status_code == 405


def test_past_the_rate_limit_deliveries_get_429_with_retry_after(sender, settings):
    settings.WEBHOOK_RATE_LIMIT = 3
    codes = [sender.post(comment_event(f"c{n}")).status_code for n in range(5)]
    assert codes == [202, 202, 202, 429, 429]
    limited = sender.post(comment_event("c9"))
    assert 1 <= int(limited["Retry-After"]) <= settings.WEBHOOK_RATE_WINDOW
    assert Delivery.objects.count() == 3


def test_after_rotation_both_secrets_verify_during_the_overlap(sender, site):
    old = sender.secret
    new = secret_rotate(site=site, purpose="generic")
    assert sender.post(comment_event("c1"), secret=old).status_code == 202
    assert sender.post(comment_event("c2"), secret=new).status_code == 202


def test_after_the_overlap_only_the_new_secret_verifies(sender, site):
    import datetime as dt

    old = sender.secret
    new = secret_rotate(site=site, purpose="generic", overlap=dt.timedelta(0))
    assert sender.post(comment_event("c1"), secret=old).status_code == 401
    assert sender.post(comment_event("c2"), secret=new).status_code == 202


def test_a_task_processes_its_delivery_and_the_oldest_pending_ones_in_order(sender, settings):
    from webhooks.services.deliveries import deliveries_process_batch

    settings.DELIVERY_BATCH_SIZE = 3
    sender.post(comment_event("reply", parent="parent"), msg_id="m1")
    sender.post(comment_event("parent"), msg_id="m2")
    sender.post(comment_event("other"), msg_id="m3")
    sender.post(comment_event("busy"), msg_id="m4")
    sender.post(comment_event("last"), msg_id="m5")
    by_id = dict(Delivery.objects.values_list("delivery_id", "pk"))
    Delivery.objects.filter(delivery_id="m4").update(state="processing", claimed_by="another-task")
    outcomes = deliveries_process_batch(hint_pk=by_id["m5"], holder="task-1")
    assert outcomes == {by_id["m1"]: "done", by_id["m2"]: "done", by_id["m5"]: "done"}
    assert Comment.objects.get(external_id="reply").parent.external_id == "parent"
    assert set(Delivery.objects.exclude(state="done").values_list("delivery_id", "state")) == {
        ("m3", "pending"), ("m4", "processing")}
