import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import SiteFactory
from webhooks.signing import standard_headers
from webhooks.services.secrets import secret_rotate


@pytest.fixture(autouse=True)
def _rate_limit_isolated(settings):
    """Each test starts with its own empty rate-limit windows."""
    import redis

    settings.WEBHOOK_RATE_LIMIT = 10_000
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter("threadwarden:webhooks:rate:*"):
        client.delete(key)


@pytest.fixture
def site():
    return SiteFactory(slug="news", name="News")


@pytest.fixture
def generic_secret(site):
    return secret_rotate(site=site, purpose="generic")


class Sender:
    """Signs and posts deliveries the way a platform would."""

    def __init__(self, client, site, secret: str):
        self.client, self.site, self.secret = client, site, secret
        self.counter = 0

    def post(self, payload, *, msg_id: str | None = None, secret: str | None = None, timestamp: int | None = None,
             body: bytes | None = None, platform: str = "generic", headers: dict | None = None):
        self.counter += 1
        body = body if body is not None else json.dumps(payload).encode()
        msg_id = msg_id or f"msg_test_{self.counter}"
        signed = standard_headers(secrets_=[secret or self.secret], msg_id=msg_id, body=body, timestamp=timestamp)
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in {**signed, **(headers or {})}.items()}
        return self.client.post(f"/webhooks/{self.site.slug}/{platform}/", data=body,
                                content_type="application/json", **extra)


@pytest.fixture
def sender(client, site, generic_secret):
    return Sender(client, site, generic_secret)


def comment_event(external_id: str, *, body: str | None = None, parent: str | None = None, article: str = "a1",
                  event_type: str = "comment.created", **extra) -> dict:
    data = {
        "id": external_id,
        "article": {"id": article, "url": f"https://news.example/{article}", "title": f"Story {article}"},
        "parent_id": parent,
        "author": {"id": "u1", "name": "Una"},
        "body": body if body is not None else f"Text of {external_id}",
        "created_at": "2026-11-20T08:05:00Z",
        **extra,
    }
    return {"type": event_type, "data": data}


class Receiver:
    """A real local HTTP server that records what it is sent and answers with the next queued status."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.responses: dict[str, object] = {}  # path → JSON to answer GETs/POSTs with
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in (receiver.extra_headers.get(self.path.split("?")[0]) or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self._answer(status, receiver.responder(self.path, body) if receiver.responder else {"ok": True})

            def do_GET(self):
                receiver.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": b""})
                payload = receiver.responder(self.path, b"") if receiver.responder else {}
                self._answer(200, payload)

            def log_message(self, *args):
                pass

        self.responder = None
        self.extra_headers: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()
