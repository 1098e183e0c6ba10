"""Threads stay trees through the webhook doors and the worker (issue 14,
item 3): a reply's parent in another article is a 400 naming the platform's
field, a delivery that slipped past the door is refused once (dead, with the
error, never retried), and cycles and early tombstones end up as trees."""
import json

import pytest

from comments.models import Comment
from webhooks.models import Delivery
from webhooks.services.deliveries import delivery_process
from webhooks.services.secrets import secret_rotate
from webhooks.signing import hex_hmac

from tests.comments.tree_checks import assert_forest

from .conftest import Sender, comment_event
from .fixtures import fixture
from .helpers import process_all

pytestmark = pytest.mark.django_db


def _comments():
    return sorted(Comment.objects.values_list("external_id", "article__external_id", "parent__external_id", "path"))


def test_generic_reply_to_a_stored_parent_in_another_article_is_400_naming_the_field(sender, site):
    sender.post(comment_event("p", article="a1"))
    assert process_all() == ["done"]
    before = (_comments(), Delivery.objects.count())
    response = sender.post(comment_event("r", article="a2", parent="p"))
    assert response.status_code == 400
    assert response.json() == {"error": "the parent comment belongs to another article", "field": "data.parent_id"}
    assert (_comments(), Delivery.objects.count()) == before


def test_generic_reply_to_a_parent_in_the_same_article_is_still_accepted(sender, site):
    sender.post(comment_event("p", article="a1"))
    process_all()
    assert sender.post(comment_event("r", article="a1", parent="p")).status_code == 202
    assert sender.post(comment_event("early", article="a2", parent="not-yet")).status_code == 202


def test_wordpress_reply_to_a_stored_parent_on_another_post_is_400_naming_parent(client, site):
    wp = Sender(client, site, secret_rotate(site=site, purpose="wordpress"))
    assert wp.post(fixture("wordpress", "comment"), platform="wordpress").status_code == 202
    process_all()
    reply = {**fixture("wordpress", "comment_reply"), "post": 8}
    response = wp.post({"comment": reply}, platform="wordpress")
    assert (response.status_code, response.json()["field"]) == (400, "parent")
    assert not Comment.objects.filter(external_id="32").exists() and Delivery.objects.count() == 1


def test_coral_reply_whose_ancestor_is_stored_on_another_story_is_400_naming_ancestor_ids(client, site):
    secret = secret_rotate(site=site, purpose="coral", value="whsec_coral_generated_secret")

    def send(payload):
        body = json.dumps(payload).encode()
        return client.post(f"/webhooks/{site.slug}/coral/", data=body, content_type="application/json",
                           HTTP_X_CORAL_SIGNATURE=f"sha256={hex_hmac(secret=secret, body=body)}")

    Comment.objects.create(site=site, article=site.articles.create(external_id="story-1"), external_id="comment-1",
                           body="x", content_hash="x", created_at="2026-11-20T08:05:00Z", path="0" * 17)
    payload = fixture("coral", "comment_reply_created")
    payload["data"]["storyID"] = "story-2"
    response = send(payload)
    assert (response.status_code, response.json()["field"]) == (400, "data.ancestorIDs")
    assert not Delivery.objects.exists()
    assert send(fixture("coral", "comment_reply_created")).status_code == 202  # same story: fine


def test_a_stored_delivery_whose_parent_turned_out_elsewhere_is_refused_once_not_retried(sender, site, settings):
    settings.DELIVERY_RETRY_SECONDS = 0
    # The reply passes the door while its parent is not stored yet, then the
    # parent is stored under another article first (a race, or an old delivery).
    assert sender.post(comment_event("r", article="a2", parent="p"), msg_id="reply").status_code == 202
    assert sender.post(comment_event("p", article="a1"), msg_id="parent").status_code == 202
    parent = Delivery.objects.get(delivery_id="parent")
    reply = Delivery.objects.get(delivery_id="reply")
    assert delivery_process(delivery_pk=parent.pk, holder="t") == "done"
    assert delivery_process(delivery_pk=reply.pk, holder="t") == "dead"
    reply.refresh_from_db()
    assert (reply.state, reply.attempts) == ("dead", 1)
    assert reply.last_error == "refused: data.parent_id: the parent comment belongs to another article"
    assert not Comment.objects.filter(external_id="r").exists()
    assert process_all() == ["skipped", "skipped"]  # nothing is due again


def test_a_reply_cycle_through_the_worker_is_stored_as_a_tree(sender, site):
    for external_id, parent in (("A", "C"), ("B", "A"), ("C", "B")):
        sender.post(comment_event(external_id, parent=parent))
    assert set(process_all()) == {"done"}
    rows = assert_forest(site)
    assert [c.parent_refused for c in rows.values()].count(Comment.ParentRefused.CYCLE) == 1


def test_a_tombstone_from_the_worker_adopts_the_reply_that_came_first(sender, site):
    sender.post(comment_event("r", parent="c1"))
    sender.post({"type": "comment.deleted", "data": {"id": "c1", "article": {"id": "a1"}}})
    sender.post(comment_event("c1"))
    assert set(process_all()) == {"done"}
    rows = assert_forest(site)
    assert rows["r"].parent == rows["c1"] and rows["c1"].status == Comment.Status.REMOVED
