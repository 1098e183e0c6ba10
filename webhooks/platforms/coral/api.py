"""Fetching a comment's text from Coral's GraphQL API (``POST /api/graphql``
with ``Authorization: Bearer <access token>``); webhooks carry ids only."""
from __future__ import annotations

import requests
from django.conf import settings

from comments.fields import IngestError, parse_json

from ...models import PlatformConnection

COMMENT_QUERY = """
query ThreadwardenComment($id: ID!) {
  comment(id: $id) {
    id
    body
    createdAt
    parent { id }
    author { id username }
    story { id url metadata { title } }
  }
}
"""


MAX_ANSWER_BYTES = 4 * 1024 * 1024  # one comment and its story


class CoralUnavailable(Exception):
    """Coral could not be asked (no token, network, error answer): retried later."""


def coral_comment_fetch(*, connection: PlatformConnection | None, comment_id: str) -> dict:
    if connection is None or not connection.access_token:
        raise CoralUnavailable("no Coral connection (URL and access token) is configured for this site")
    try:
        response = requests.post(
            connection.base_url.rstrip("/") + "/api/graphql",
            json={"query": COMMENT_QUERY, "variables": {"id": comment_id}},
            headers={"Authorization": f"Bearer {connection.access_token}"},
            timeout=settings.OUTBOUND_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        raise CoralUnavailable(f"Coral API unreachable: {type(error).__name__}") from None
    if response.status_code != 200:
        raise CoralUnavailable(f"Coral API answered HTTP {response.status_code}")
    try:
        answer = parse_json(response.content, field="answer", max_bytes=MAX_ANSWER_BYTES)
    except IngestError:
        raise CoralUnavailable("Coral API answered with something that is not JSON (or too large or deep)") from None
    comment = ((answer or {}).get("data") or {}).get("comment") if isinstance(answer, dict) else None
    if not isinstance(comment, dict):
        errors = answer.get("errors") if isinstance(answer, dict) else None
        raise IngestError("data.commentID", f"Coral does not know comment {comment_id!r}: {str(errors)[:200]}")
    return comment
