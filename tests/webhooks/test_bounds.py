"""Issue 14, "one boundary, one rule", at the webhook doors and the read API:
out-of-range dates, integers too long for Python, nesting too deep, NUL in
ids and empty bodies are a 400 naming the field, with nothing stored."""
import json

import pytest

from comments.models import Article, Comment
from webhooks.models import Delivery
from webhooks.services.tokens import api_token_create

from .conftest import comment_event
from .fixtures import fixture
from .test_fuzz import post, secrets  # noqa: F401  (signed posts for every platform; the secrets fixture)
from .test_read_api import validate

pytestmark = pytest.mark.django_db
BIG = "9" * 4301  # one digit over Python's int_max_str_digits


def refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field, response.json()
    assert not Delivery.objects.exists() and not Comment.objects.exists() and not Article.objects.exists()


def with_raw(document: dict, placeholder: str, raw: str) -> bytes:
    """The document as JSON with the string ``placeholder`` replaced by raw JSON text (a number Python cannot read)."""
    text = json.dumps(document)
    assert f'"{placeholder}"' in text
    return text.replace(f'"{placeholder}"', raw).encode()


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2026-02-30T00:00:00Z",
                                   "1969-12-31T23:59:59Z", "2100-01-01T00:00:01Z"])
@pytest.mark.parametrize("name", ["created_at", "edited_at"])
def test_a_comment_date_out_of_range_or_impossible_is_refused(sender, value, name):
    event = comment_event("c1", event_type="comment.edited" if name == "edited_at" else "comment.created", **{name: value})
    refused(sender.post(event), f"data.{name}")


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "0001-01-01"])
def test_an_article_date_out_of_range_is_refused(sender, value):
    event = {"type": "article.upserted", "data": {"id": "a1", "title": "T", "published_at": value}}
    refused(sender.post(event), "data.published_at")


def test_dates_inside_the_range_with_any_offset_are_accepted(sender):
    assert sender.post(comment_event("c1", created_at="2099-12-31T23:00:00-00:59")).status_code == 202
    assert sender.post(comment_event("c2", created_at="1970-01-01T05:00:00+05:00")).status_code == 202
    assert sender.post(comment_event("c3", created_at="2026-11-20")).status_code == 202


def test_the_date_range_is_a_setting(sender, settings):
    import datetime as dt

    settings.INPUT_DATE_MAX = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    refused(sender.post(comment_event("c1", created_at="2031-01-01T00:00:00Z")), "data.created_at")


@pytest.mark.parametrize("name", ["id", "parent_id"])
def test_an_integer_id_of_over_4300_digits_is_refused(sender, name):
    event = comment_event("c1", parent="p1")
    event["data"][name] = "BIG"
    refused(sender.post(None, body=with_raw(event, "BIG", BIG)), f"data.{name}")


def test_an_integer_of_over_4300_digits_in_a_field_nobody_reads_is_harmless(sender):
    event = comment_event("c1", extra="BIG")
    assert sender.post(None, body=with_raw(event, "BIG", BIG)).status_code == 202
    from .helpers import process_all

    assert process_all() == ["done"]
    assert Comment.objects.get().body == "Text of c1"


def test_a_body_nested_50000_deep_is_refused(sender):
    body = b'{"type": "comment.created", "data": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = sender.post(None, body=body)
    assert response.status_code == 400 and response.json()["field"] == "body"
    assert "nested deeper" in response.json()["error"]
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("body", [None, "", "   ", "\n\r\n"])
@pytest.mark.parametrize("event_type", ["comment.created", "comment.edited"])
def test_an_empty_comment_body_is_refused(sender, body, event_type):
    event = comment_event("c1", event_type=event_type)
    event["data"]["body"] = body
    response = sender.post(event)
    refused(response, "data.body")
    assert response.json()["error"] == ("is required" if body is None else "must not be empty")


def test_a_missing_comment_body_is_refused(sender):
    event = comment_event("c1")
    del event["data"]["body"]
    refused(sender.post(event), "data.body")


@pytest.mark.parametrize("value", ["c\x00", "c\x01", "c\x7f", "c\n1"])
def test_ids_with_control_characters_are_refused(sender, value):
    refused(sender.post(comment_event(value)), "data.id")


# The platform adapters ---------------------------------------------------


@pytest.mark.parametrize("platform, name, path, field", [
    ("discourse", "post_created", ["post", "created_at"], "post.created_at"),
    ("discourse", "post_edited", ["post", "updated_at"], "post.updated_at"),
    ("discourse", "topic_created", ["topic", "created_at"], "topic.created_at"),
    ("wordpress", "comment", ["date_gmt"], "date_gmt"),
])
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2026-02-30T10:00:00"])
def test_platform_dates_out_of_range_are_refused(client, site, secrets, platform, name, path, field, value):
    document = fixture(platform, name)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    refused(post(client, site, secrets, platform, json.dumps(document).encode(), fixture_name=name), field)


@pytest.mark.parametrize("platform, name, path, field", [
    ("discourse", "post_created", ["post", "id"], "post.id"),
    ("discourse", "post_created", ["post", "topic_id"], "post.topic_id"),
    ("discourse", "post_created_reply", ["post", "reply_to_post_number"], "post.reply_to_post_number"),
    ("discourse", "topic_created", ["topic", "id"], "topic.id"),
    ("wordpress", "comment", ["id"], "id"),
    ("wordpress", "comment_reply", ["parent"], "parent"),
    ("coral", "comment_created", ["id"], "id"),
    ("coral", "comment_created", ["data", "commentID"], "data.commentID"),
])
@pytest.mark.parametrize("raw", [BIG, "9" * 40])
def test_platform_integers_too_long_or_too_large_are_refused(client, site, secrets, platform, name, path, field, raw):
    document = fixture(platform, name)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = "BIG"
    if platform == "coral" and raw != BIG:
        raw = json.dumps("9" * 300)  # Coral's ids are strings: too long
    refused(post(client, site, secrets, platform, with_raw(document, "BIG", raw), fixture_name=name), field)


@pytest.mark.parametrize("platform", ["discourse", "wordpress", "coral"])
def test_platform_bodies_nested_too_deep_are_refused(client, site, secrets, platform):
    body = b'{"post": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    response = post(client, site, secrets, platform, body)
    assert response.status_code == 400 and response.json()["field"] == "body"
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("rendered", ["", "   ", "<p></p>\n", "<p> <br/> </p>"])
def test_a_wordpress_comment_without_text_is_refused(client, site, secrets, rendered):
    document = fixture("wordpress", "comment")
    document["content"]["rendered"] = rendered
    refused(post(client, site, secrets, "wordpress", json.dumps(document).encode()), "content.rendered")


def test_a_trashed_wordpress_comment_without_text_is_still_a_deletion(client, site, secrets):
    document = fixture("wordpress", "comment_trashed")
    document.setdefault("content", {})["rendered"] = ""
    assert post(client, site, secrets, "wordpress", json.dumps(document).encode()).status_code == 202


def test_coral_ancestor_ids_with_a_nul_are_refused(client, site, secrets):
    document = fixture("coral", "comment_reply_created")
    document["data"]["ancestorIDs"] = ["comment\x00-1"]
    refused(post(client, site, secrets, "coral", json.dumps(document).encode()), "data.ancestorIDs.0")


# The read API ------------------------------------------------------------


@pytest.fixture
def auth(site):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(site=site, name='bounds')}"}


@pytest.mark.parametrize("external_id", ["%00", "c%00x", "%01", "x" * 256])
def test_the_read_api_refuses_ids_it_cannot_hold(client, auth, external_id):
    response = client.get(f"/api/v1/comments/{external_id}", **auth)
    assert response.status_code == 400
    assert validate(response, "/comments/{external_id}")["field"] == "external_id"


@pytest.mark.parametrize("limit", ["²", "%C2%B2", "1_0", "٣", "9" * 30, "0", "501", "-1", BIG])
def test_the_read_api_refuses_limits_that_are_not_plain_numbers_in_range(client, auth, limit):
    response = client.get(f"/api/v1/decisions?limit={limit}", **auth)
    assert response.status_code == 400
    assert validate(response, "/decisions")["field"] == "limit"


@pytest.mark.parametrize("number", ["²", "9" * 25, "1_0", "-1"])
def test_the_read_api_refuses_forged_cursors(client, auth, number):
    import base64

    cursor = base64.urlsafe_b64encode(f"d:{number}".encode()).decode().rstrip("=")
    response = client.get("/api/v1/decisions", {"cursor": cursor}, **auth)
    assert response.status_code == 400
    assert validate(response, "/decisions")["field"] == "cursor"
