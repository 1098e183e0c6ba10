"""Discourse webhooks, with payloads shaped as Discourse sends them (webhooks/platforms/discourse/fixtures)."""
import json

import pytest

from comments.models import Article, Comment
from webhooks.models import Delivery
from webhooks.services.secrets import secret_rotate
from webhooks.signing import hex_hmac

from .fixtures import fixture
from .helpers import process_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def discourse_secret(site):
    return secret_rotate(site=site, purpose="discourse")


@pytest.fixture
def send(client, site, discourse_secret):
    counter = iter(range(1, 10_000))

    def post(event: str, payload: dict, *, secret: str | None = None, event_id: str | None = None, signature=None):
        body = json.dumps(payload).encode()
        headers = {
            "HTTP_X_DISCOURSE_INSTANCE": "https://forum.example",
            "HTTP_X_DISCOURSE_EVENT_ID": event_id or str(next(counter)),
            "HTTP_X_DISCOURSE_EVENT_TYPE": "topic" if event.startswith("topic") else "post",
            "HTTP_X_DISCOURSE_EVENT": event,
            "HTTP_X_DISCOURSE_EVENT_SIGNATURE": signature or f"sha256={hex_hmac(secret=secret or discourse_secret, body=body)}",
        }
        return client.post(f"/webhooks/{site.slug}/discourse/", data=body, content_type="application/json", **headers)

    return post


def test_topic_created_stores_the_topic_as_an_article(send, site):
    assert send("topic_created", fixture("discourse", "topic_created")).status_code == 202
    process_all()
    article = Article.objects.get(site=site, external_id="81")
    assert (article.title, article.url) == ("Bridge repairs delayed again",
                                            "https://forum.example/t/bridge-repairs-delayed-again/81")


def test_post_created_stores_the_raw_text_author_and_topic(send, site):
    assert send("post_created", fixture("discourse", "post_created")).status_code == 202
    process_all()
    comment = Comment.objects.get(site=site, external_id="1201")
    assert comment.body == "The council said the same thing last spring & nothing happened."
    assert (comment.author.external_id, comment.author.display_name) == ("12", "una")
    assert comment.article.external_id == "81" and comment.article.title == "Bridge repairs delayed again"


def test_a_reply_names_its_parent_by_post_number(send, site):
    send("post_created", fixture("discourse", "post_created"))
    send("post_created", fixture("discourse", "post_created_reply"))
    process_all()
    assert Comment.objects.get(external_id="1202").parent.external_id == "1201"


def test_a_reply_before_its_parent_is_linked_when_the_parent_arrives(send, site):
    send("post_created", fixture("discourse", "post_created_reply"))
    process_all()
    early = Comment.objects.get(external_id="1202")
    assert early.parent is None and early.awaiting_parent_external_id == "discourse:81#2"
    send("post_created", fixture("discourse", "post_created"))
    process_all()
    reply = Comment.objects.get(external_id="1202")
    assert (reply.parent.external_id, reply.depth, reply.awaiting_parent_external_id) == ("1201", 1, "")


def test_post_edited_updates_the_text(send, site):
    send("post_created", fixture("discourse", "post_created"))
    send("post_edited", fixture("discourse", "post_edited"))
    process_all()
    comment = Comment.objects.get(external_id="1201")
    assert (comment.body, comment.edit_count) == ("The council said the same thing last spring. Nothing happened.", 1)


def test_post_destroyed_removes_and_post_recovered_restores(send, site):
    send("post_created", fixture("discourse", "post_created_reply"))
    send("post_destroyed", fixture("discourse", "post_destroyed"))
    process_all()
    assert Comment.objects.get(external_id="1202").status == "removed"
    send("post_recovered", fixture("discourse", "post_created_reply"))
    process_all()
    assert Comment.objects.get(external_id="1202").status == "visible"


def test_a_destroy_before_the_create_leaves_the_post_removed(send, site):
    send("post_destroyed", fixture("discourse", "post_destroyed"))
    send("post_created", fixture("discourse", "post_created_reply"))
    process_all()
    assert Comment.objects.get(external_id="1202").status == "removed"


def test_a_ping_is_answered_and_not_stored(send):
    response = send("ping", fixture("discourse", "ping"))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert not Delivery.objects.exists()


def test_the_same_event_id_twice_is_a_duplicate(send):
    assert send("post_created", fixture("discourse", "post_created"), event_id="77").status_code == 202
    assert send("post_created", fixture("discourse", "post_created"), event_id="77").status_code == 200
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize("signature", ["sha256=00", "sha1=abc", "", "sha256="])
def test_a_bad_signature_is_401(send, signature):
    response = send("post_created", fixture("discourse", "post_created"), signature=signature or "none")
    assert response.status_code == 401
    assert not Delivery.objects.exists()


def test_a_post_without_its_topic_id_is_400_naming_it(send):
    payload = fixture("discourse", "post_created")
    del payload["post"]["topic_id"]
    response = send("post_created", payload)
    assert response.status_code == 400 and response.json()["field"] == "post.topic_id"


def test_an_old_discourse_without_raw_gives_the_text_of_cooked(send, site):
    payload = fixture("discourse", "post_created")
    del payload["post"]["raw"]
    send("post_created", payload)
    process_all()
    assert Comment.objects.get(external_id="1201").body == "The council said the same thing last spring & nothing happened."
