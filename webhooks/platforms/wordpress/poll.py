"""Polling a WordPress site's REST API for new comments (for sites without a webhook plugin).

Pages through ``/wp-json/wp/v2/comments?after=…&orderby=date_gmt&order=asc``
(``X-WP-TotalPages`` says how many pages) and ingests every comment through
the same mapping as the webhook. The watermark (PlatformConnection.poll_after)
moves only after a page is stored; re-reading a comment is an idempotent upsert,
so the next poll starts 14 hours and 5 minutes before it (time zones, late saves).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.db import transaction

from comments.models import Site
from comments.fields import IngestError, datetime_field, integer_field, parse_json
from comments.services import event_apply

from ...models import PlatformConnection
from .comments import wordpress_event

PER_PAGE = 100
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # a page of 100 comments is far less
# WordPress compares ``after`` with the comment's date in the site's own time
# zone, which may be up to 14 hours off UTC; re-reading is harmless, missing is not.
OVERLAP = dt.timedelta(hours=14, minutes=5)


@dataclass
class PollResult:
    pages: int = 0
    stored: int = 0
    bad: list[str] = field(default_factory=list)


class PollFailed(Exception):
    pass


def _get(url: str, *, params: dict, auth: tuple[str, str] | None) -> requests.Response:
    try:
        response = requests.get(url, params=params, auth=auth, timeout=settings.OUTBOUND_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise PollFailed(f"{url}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise PollFailed(f"{url}: HTTP {response.status_code}")
    return response


def wordpress_poll(*, site: Site, max_pages: int = 1000) -> PollResult:
    connection = PlatformConnection.objects.filter(site=site).first()
    if connection is None or not connection.base_url:
        raise PollFailed(f"site {site.slug} has no WordPress URL (manage.py platform_connect --base-url)")
    url = connection.base_url.rstrip("/") + "/wp-json/wp/v2/comments"
    user, _, password = connection.access_token.partition(":")
    auth = (user, password) if password else None
    after = connection.poll_after - OVERLAP if connection.poll_after else None
    result = PollResult()
    page, total_pages = 1, 1
    while page <= min(total_pages, max_pages):
        params = {"per_page": PER_PAGE, "page": page, "orderby": "date_gmt", "order": "asc"}
        if after:
            params["after"] = after.strftime("%Y-%m-%dT%H:%M:%S")
        response = _get(url, params=params, auth=auth)
        try:
            total_pages = integer_field(response.headers.get("X-WP-TotalPages") or "1", "X-WP-TotalPages",
                                        allow_text=True)
            comments = parse_json(response.content, field="answer", max_bytes=MAX_ANSWER_BYTES)
        except IngestError as bad:
            raise PollFailed(f"{url}: {bad}") from None
        if not isinstance(comments, list):
            raise PollFailed(f"{url}: the answer is not a list of comments")
        newest = connection.poll_after
        with transaction.atomic():
            for raw in comments:
                try:
                    event_apply(site=site, event=wordpress_event(raw))
                    result.stored += 1
                    seen = datetime_field(raw.get("date_gmt"), "date_gmt")
                    if seen and (newest is None or seen > newest):
                        newest = seen
                except IngestError as bad:
                    result.bad.append(f"comment {raw.get('id') if isinstance(raw, dict) else '?'}: {bad}")
            if newest != connection.poll_after:
                PlatformConnection.objects.filter(pk=connection.pk).update(poll_after=newest)
                connection.poll_after = newest
        result.pages += 1
        page += 1
    return result
