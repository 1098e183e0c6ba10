"""Coral Talk webhooks (ids only), with the text fetched from a local server
that answers Coral's GraphQL API as Coral does."""
import json

import pytest

from comments.models import Article, Comment
from webhooks.models import Delivery, PlatformConnection
from webhooks.services.deliveries import delivery_replay
from webhooks.services.secrets import secret_rotate
from webhooks.signing import hex_hmac

from .fixtures import fixture
from .helpers import process_all

pytestmark = pytest.mark.django_db
CORAL_COMMENTS = {
    "comment-1": {"id": "comment-1", "body": "<p>The &quot;delay&quot; was announced in May.</p>",
                  "createdAt": "2026-11-20T08:05:00.000Z", "parent": None,
                  "author": {"id": "user-9", "username": "coralreader"},
                  "story": {"id": "story-1", "url": "https://coral-news.example/2026/bridge",
                            "metadata": {"title": "Bridge repairs delayed"}}},
    "comment-2": {"id": "comment-2", "body": "Source?", "createdAt": "2026-11-20T08:06:00.000Z",
                  "parent": {"id": "comment-1"}, "author": {"id": "user-3", "username": "skeptic"},
                  "story": {"id": "story-1", "url": "https://coral-news.example/2026/bridge",
                            "metadata": {"title": "Bridge repairs delayed"}}},
}


@pytest.fixture
def coral_secret(site):
    # Coral generates the signing secret; the site gives it to us.
    return secret_rotate(site=site, purpose="coral", value="whsec_coral_generated_secret")


@pytest.fixture
def coral_api(site, receiver):
    def respond(path, body):
        variables = json.loads(body)["variables"]
        return {"data": {"comment": CORAL_COMMENTS.get(variables["id"])}}

    receiver.responder = respond
    PlatformConnection.objects.create(site=site, base_url=receiver.url, access_token="coral-access-token")
    return receiver


@pytest.fixture
def send(client, site, coral_secret):
    def post(payload, *, signatures=None):
        body = json.dumps(payload).encode()
        header = signatures or f"sha256={hex_hmac(secret=coral_secret, body=body)}"
        return client.post(f"/webhooks/{site.slug}/coral/", data=body, content_type="application/json",
                           HTTP_X_CORAL_SIGNATURE=header)

    return post


def test_story_created_stores_the_story(send, site):
    assert send(fixture("coral", "story_created")).status_code == 202
    process_all()
    assert Article.objects.get(site=site, external_id="story-1").url == "https://coral-news.example/2026/bridge"


def test_comment_created_fetches_the_text_with_the_sites_token(send, site, coral_api):
    assert send(fixture("coral", "comment_created")).status_code == 202
    assert process_all() == ["done"]
    comment = Comment.objects.get(site=site, external_id="comment-1")
    assert comment.body == 'The "delay" was announced in May.'
    assert (comment.author.display_name, comment.article.title) == ("coralreader", "Bridge repairs delayed")
    request = coral_api.requests[-1]
    assert request["path"] == "/api/graphql" and request["headers"]["authorization"] == "Bearer coral-access-token"
    assert json.loads(request["body"])["variables"] == {"id": "comment-1"}


def test_comment_reply_created_is_threaded_under_its_parent(send, site, coral_api):
    send(fixture("coral", "comment_reply_created"))
    send(fixture("coral", "comment_created"))
    process_all()
    assert Comment.objects.get(external_id="comment-2").parent.external_id == "comment-1"


def test_without_a_token_the_ids_are_stored_and_processed_once_it_is_given(send, site, receiver, settings):
    settings.DELIVERY_RETRY_SECONDS = 0
    assert send(fixture("coral", "comment_created")).status_code == 202
    assert process_all() == ["failed"]
    delivery = Delivery.objects.get()
    assert "no Coral connection" in delivery.last_error and json.loads(delivery.body)["data"]["commentID"] == "comment-1"
    receiver.responder = lambda path, body: {"data": {"comment": CORAL_COMMENTS["comment-1"]}}
    PlatformConnection.objects.create(site=site, base_url=receiver.url, access_token="t")
    assert process_all() == ["done"]
    assert Comment.objects.filter(external_id="comment-1").exists()
    assert delivery_replay(delivery_pk=delivery.pk)  # and a replay changes nothing
    assert process_all() == ["done"] and Comment.objects.count() == 1


def test_during_rotation_any_of_several_signatures_verifies(send, site, coral_api, coral_secret):
    payload = fixture("coral", "comment_created")
    body = json.dumps(payload).encode()
    header = f"sha256={hex_hmac(secret='an-older-secret', body=body)},sha256={hex_hmac(secret=coral_secret, body=body)}"
    assert send(payload, signatures=header).status_code == 202


def test_a_wrong_signature_is_401(send):
    assert send(fixture("coral", "comment_created"), signatures="sha256=" + "0" * 64).status_code == 401


def test_a_comment_event_without_its_comment_id_is_400(send):
    payload = fixture("coral", "comment_created")
    del payload["data"]["commentID"]
    response = send(payload)
    assert response.status_code == 400 and response.json()["field"] == "data.commentID"
