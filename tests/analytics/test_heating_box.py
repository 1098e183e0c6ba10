"""The heating-threads box is analytics' fragment (/analytics/heating/), which the moderation
queue loads with htmx: the same threads for the same people, and moderation imports nothing of analytics."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from analytics.services.rollups import rollups_update
from tests.factories import SiteFactory, UserFactory, logged_in, member, scored_comment

from .conftest import days_ago

pytestmark = pytest.mark.django_db
BOX = "/analytics/heating/"


def heating_thread(site, prefix: str) -> None:
    """Two authors trading ever ruder replies: a thread that heats up."""
    for i, tox in enumerate([0.05, 0.3, 0.6, 0.92]):
        scored_comment(site, f"{prefix}{i}", article=f"{prefix}-story", author=f"u{i % 2}",
                       parent=f"{prefix}{i - 1}" if i else "", toxicity={"toxicity": tox},
                       created_at=days_ago(0, 1) + dt.timedelta(minutes=i))


@pytest.fixture
def two_hot_sites(site):
    other = SiteFactory(slug="elsewhere", name="Elsewhere")
    heating_thread(site, "h")
    heating_thread(other, "x")
    rollups_update()
    return site, other


def offered(page: str) -> str:
    """The URL the queue page asks htmx to load the box from, as the browser reads it."""
    slot = re.search(r'<div id="heating-threads-slot" hx-get="([^"]+)" hx-trigger="load" hx-swap="outerHTML">', page)
    assert slot, "the queue page does not offer the heating box"
    return slot.group(1).replace("&amp;", "&")


def test_a_moderator_gets_the_box_for_their_sites_only(two_hot_sites, moderator):
    response = logged_in(moderator).get(BOX)
    assert response.status_code == 200
    box = response.content.decode()
    assert 'id="heating-threads"' in box and "Title of h-story" in box and "toxicity rose" in box
    assert "Title of x-story" not in box and "<html" not in box
    # Each thread links to the queue filtered to its article.
    assert "/queue/?article=" in box


def test_the_site_filter_narrows_the_box_and_a_site_not_theirs_is_a_404(two_hot_sites, moderator):
    site, other = two_hot_sites
    client = logged_in(moderator)
    assert client.get(BOX, {"site": other.slug}).status_code == 404
    assert client.get(BOX, {"site": "no-such-site"}).status_code == 404
    # From a query string, not a path converter: anything that is not a slug is no site (a NUL was a 500).
    for not_a_slug in ("a\x00b", "a b", "ü", "x" * 300, ""):
        assert client.get(BOX, {"site": not_a_slug}).status_code in (200, 404), not_a_slug
    both = member(other, "moderator", "both")
    member(site, "moderator", "both")
    narrowed = logged_in(both).get(BOX, {"site": other.slug}).content.decode()
    assert "Title of x-story" in narrowed and "Title of h-story" not in narrowed


def test_an_outsider_is_refused_and_an_anonymous_visitor_sent_to_log_in(two_hot_sites):
    site, _ = two_hot_sites
    outsider = logged_in(UserFactory(username="outsider"))
    assert outsider.get(BOX).status_code == 403
    assert outsider.get(BOX, {"site": site.slug}).status_code == 404
    response = Client().get(BOX)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_queue_page_offers_the_box_with_its_site_filter(two_hot_sites, moderator):
    site, _ = two_hot_sites
    client = logged_in(moderator)
    page = client.get("/queue/").content.decode()
    assert offered(page) == BOX
    # The threads themselves come with the fragment, not with the page.
    assert 'id="heating-threads"' not in page and "toxicity rose" not in page
    filtered = client.get("/queue/", {"site": site.slug}).content.decode()
    assert offered(filtered) == f"{BOX}?site={site.slug}"
    assert "Title of h-story" in client.get(offered(filtered)).content.decode()


def test_only_a_queue_with_sites_offers_the_box(two_hot_sites, moderator):
    assert offered(logged_in(moderator).get("/queue/").content.decode()) == BOX
    page = logged_in(UserFactory(username="outsider")).get("/queue/").content.decode()
    assert "heating-threads-slot" not in page


def test_the_box_is_html_under_the_strict_policy(two_hot_sites, moderator):
    response = logged_in(moderator).get(BOX)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script" not in response.content.decode()
