"""Discourse webhooks (Admin → API → Webhooks, content type application/json).

Headers: X-Discourse-Event (post_created, …), X-Discourse-Event-Id,
X-Discourse-Event-Type, X-Discourse-Instance and X-Discourse-Event-Signature:
``sha256=<hex HMAC-SHA256(secret, body)>``. Bodies: ``{"post": {...}}`` or
``{"topic": {...}}``. A reply names its parent by ``reply_to_post_number``,
a number within the topic: the adapter keeps (topic, post number) → post id
and, for a parent not seen yet, stores the reply waiting for
``discourse:<topic>#<number>``, renamed to the post's id when it arrives.
"""
from __future__ import annotations

from typing import Any, Mapping

from comments.models import Article, Site
from comments.fields import MAX_BIGINT, IngestError, datetime_field, identifier_field, integer_field, text_field
from comments.schema import MAX_BODY_CHARS, ArticleInput, AuthorInput, CommentInput
from comments.services import article_upsert, comment_awaiting_rename, comment_remove, comment_restore, comment_upsert

from ...models import DiscoursePost
from ...signing import sha256_header_verify
from ..base import Accepted, require_header, require_object
from ..text import html_to_text

POST_EVENTS = ("post_created", "post_edited", "post_destroyed", "post_recovered")
TOPIC_EVENTS = ("topic_created",)
MAX_POST_NUMBER = 2**31 - 1  # DiscoursePost.post_number; ids are bigints


def _int(value: Any, field: str, *, minimum: int = 1, maximum: int = MAX_BIGINT) -> int:
    return integer_field(value, field, minimum=minimum, maximum=maximum)


def _slug(value: Any, field: str) -> str:
    return text_field(value if isinstance(value, str) else None, field, max_chars=200)


def _topic_url(headers: Mapping[str, str], slug: str, topic_id: int) -> str:
    instance = (headers.get("x-discourse-instance") or "").rstrip("/")
    if not instance.startswith(("http://", "https://")) or len(instance) > 1000:
        return ""
    return f"{instance}/t/{slug or 'topic'}/{topic_id}"


def _article(post: dict, headers: Mapping[str, str]) -> ArticleInput:
    topic_id = post["topic_id"]
    return ArticleInput(
        external_id=str(topic_id),
        title=text_field(post.get("topic_title"), "post.topic_title", max_chars=500),
        url=_topic_url(headers, _slug(post.get("topic_slug"), "post.topic_slug"), topic_id),
    )


def parse_post(payload: Any) -> dict:
    post = require_object(require_object(payload, "body").get("post"), "post")
    _int(post.get("id"), "post.id")
    _int(post.get("topic_id"), "post.topic_id")
    _int(post.get("post_number"), "post.post_number", maximum=MAX_POST_NUMBER)
    if post.get("reply_to_post_number") is not None:
        _int(post["reply_to_post_number"], "post.reply_to_post_number", minimum=0, maximum=MAX_POST_NUMBER)
    _slug(post.get("topic_slug"), "post.topic_slug")
    if post.get("raw") is None and post.get("cooked") is None:
        raise IngestError("post.raw", "is required (or post.cooked)")
    text_field(post.get("raw") if post.get("raw") is not None else post.get("cooked"), "post.raw", max_chars=MAX_BODY_CHARS, strip=False)
    datetime_field(post.get("created_at"), "post.created_at")
    datetime_field(post.get("updated_at"), "post.updated_at")
    identifier_field(post.get("user_id"), "post.user_id", required=False)
    text_field(post.get("username"), "post.username", max_chars=200)
    return post


def parse_topic(payload: Any) -> dict:
    topic = require_object(require_object(payload, "body").get("topic"), "topic")
    _int(topic.get("id"), "topic.id")
    _slug(topic.get("slug"), "topic.slug")
    text_field(topic.get("title"), "topic.title", max_chars=500)
    datetime_field(topic.get("created_at"), "topic.created_at")
    return topic


def placeholder(topic_id: int, post_number: int) -> str:
    return f"discourse:{topic_id}#{post_number}"


def _post_apply(*, site: Site, event: str, post: dict, headers: Mapping[str, str]) -> None:
    article_input = _article(post, headers)
    external_id = str(post["id"])
    if event == "post_destroyed":
        comment_remove(site=site, external_id=external_id, article=article_input)
        return
    # One post of a topic at a time: a reply and its parent processed at once
    # must not both miss each other.
    article = article_upsert(site=site, data=article_input)
    Article.objects.select_for_update().filter(pk=article.pk).first()
    topic_id, number = post["topic_id"], post["post_number"]
    DiscoursePost.objects.get_or_create(site=site, topic_id=topic_id, post_number=number, defaults={"post_id": post["id"]})
    comment_awaiting_rename(site=site, old=placeholder(topic_id, number), new=external_id)
    parent = ""
    if post.get("reply_to_post_number"):
        known = DiscoursePost.objects.filter(site=site, topic_id=topic_id, post_number=post["reply_to_post_number"]).first()
        parent = str(known.post_id) if known else placeholder(topic_id, post["reply_to_post_number"])
    raw = post.get("raw")
    body = raw if raw is not None else html_to_text(post.get("cooked") or "")
    user_id = post.get("user_id")
    comment_upsert(site=site, data=CommentInput(
        external_id=external_id,
        article=article_input,
        body=text_field(body, "post.raw", max_chars=MAX_BODY_CHARS, strip=False).strip("\r\n"),
        author=AuthorInput(external_id=identifier_field(user_id, "post.user_id"),
                           display_name=text_field(post.get("username"), "post.username", max_chars=200))
        if user_id is not None else None,
        parent_external_id=parent if parent != external_id else "",
        created_at=datetime_field(post.get("created_at"), "post.created_at"),
        edited_at=datetime_field(post.get("updated_at"), "post.updated_at") if event == "post_edited" else None,
        original=event == "post_created",
    ))
    if event == "post_recovered":
        comment_restore(site=site, external_id=external_id)


class DiscoursePlatform:
    name = "discourse"
    stored_headers = ("x-discourse-event", "x-discourse-event-id", "x-discourse-event-type", "x-discourse-instance")

    def verify(self, *, headers, body, secrets) -> None:
        sha256_header_verify(secrets_=secrets, header=headers.get("x-discourse-event-signature", ""), body=body)

    def accept(self, *, headers, payload) -> Accepted | None:
        event = require_header(headers, "x-discourse-event")
        if event in POST_EVENTS:
            parse_post(payload)
        elif event in TOPIC_EVENTS:
            parse_topic(payload)
        else:
            return None  # ping, and events the site subscribed to that we do not use
        return Accepted(delivery_id=require_header(headers, "x-discourse-event-id"), event_type=event)

    def apply(self, *, site, headers, payload) -> None:
        event = headers["x-discourse-event"]
        if event in TOPIC_EVENTS:
            topic = parse_topic(payload)
            article_upsert(site=site, data=ArticleInput(
                external_id=str(topic["id"]), title=text_field(topic.get("title"), "topic.title", max_chars=500),
                url=_topic_url(headers, _slug(topic.get("slug"), "topic.slug"), topic["id"]),
                published_at=datetime_field(topic.get("created_at"), "topic.created_at"),
            ))
            return
        _post_apply(site=site, event=event, post=parse_post(payload), headers=headers)
