"""A database that refuses connections gets 503 + Retry-After, never a 500,
and nothing is written (config/overload.py)."""
from __future__ import annotations

import json
import socket
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError, connection, connections, transaction

from comments.models import Site
from tests.factories import SiteFactory, logged_in, member, scored_comment
from webhooks.models import Delivery
from webhooks.services.secrets import secret_rotate
from webhooks.services.tokens import api_token_create
from webhooks.signing import standard_headers

from config.overload import is_database_refusal

# The connection is closed and reopened against a refusing server, so these
# tests cannot run inside the usual per-test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    """A local port nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def connection_limited_role():
    """A role PostgreSQL itself refuses with 53300 "too many connections for
    role" (CONNECTION LIMIT 0): a real refusal that costs the shared server
    nothing, unlike filling up max_connections."""
    name = f"tw_refused_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}" LOGIN CONNECTION LIMIT 0')
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP ROLE IF EXISTS "{name}"')


@contextmanager
def refusing(kind: str):
    """The default connection, closed and pointed at a database that refuses; restored after."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    with connection_limited_role() as role:
        conn.close()
        if kind == "closed port":
            conn.settings_dict.update(HOST="127.0.0.1", PORT=closed_port())
        else:
            conn.settings_dict.update(USER=role, PASSWORD="")
        try:
            yield
        finally:
            conn.close()
            conn.settings_dict.clear()
            conn.settings_dict.update(saved)


@pytest.fixture(params=["closed port", "too many connections"])
def refusal(request):
    return request.param


def signed(secret: str, payload: dict, msg_id: str) -> dict:
    body = json.dumps(payload).encode()
    headers = standard_headers(secrets_=[secret], msg_id=msg_id, body=body)
    return {"data": body, "content_type": "application/json",
            **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}}


EVENT = {"type": "comment.created", "data": {
    "id": "c1", "article": {"id": "a1", "url": "https://news.example/a1", "title": "A"},
    "author": {"id": "u1", "name": "Una"}, "body": "Hello", "created_at": "2026-11-20T08:05:00Z"}}


def test_a_webhook_while_the_database_refuses_is_503_json_with_retry_after_and_stores_nothing(client, refusal, settings):
    settings.DATABASE_RETRY_AFTER_SECONDS = 7
    site = SiteFactory(slug="news")
    secret = secret_rotate(site=site, purpose="generic")
    with refusing(refusal):
        response = client.post("/webhooks/news/generic/", **signed(secret, EVENT, "msg_1"))
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"] == "application/json"
    assert response.json()["retry_after"] == 7
    assert not Delivery.objects.exists()
    # The platform's retry, once the database answers again, is taken.
    assert client.post("/webhooks/news/generic/", **signed(secret, EVENT, "msg_1")).status_code == 202
    assert Delivery.objects.count() == 1


def test_the_read_api_while_the_database_refuses_is_503_json(client, refusal):
    token = api_token_create(site=SiteFactory(slug="news"), name="platform")
    with refusing(refusal):
        response = client.get("/api/v1/decisions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["error"]


def test_the_queue_while_the_database_refuses_is_a_plain_503_page(refusal):
    site = Site.objects.create(slug="news", name="News")
    scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    client = logged_in(member(site, "moderator", "mod"))
    with refusing(refusal):
        response = client.get("/queue/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b"Threadwarden is busy" in response.content
    assert response["Content-Security-Policy"]  # an HTML page like any other


def test_a_query_error_is_not_mistaken_for_overload():
    """A statement cancelled by statement_timeout is a real psycopg error, but not a refusal to connect."""
    with pytest.raises(OperationalError) as cancelled, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 10")
            cursor.execute("SELECT pg_sleep(1)")
    assert isinstance(cancelled.value.__cause__, psycopg.errors.QueryCanceled)
    assert not is_database_refusal(cancelled.value)


def test_a_refused_connection_is_recognised(refusal):
    with refusing(refusal):
        with pytest.raises(OperationalError) as refused:
            connection.ensure_connection()
    assert is_database_refusal(refused.value)
