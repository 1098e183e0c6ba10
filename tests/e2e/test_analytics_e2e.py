"""End to end in chromium: an owner opens the dashboard, switches the period
(htmx), follows a top article to its page; wide and narrow screens."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from analytics.services.rollups import rollups_update
from comments.models import Comment
from moderation.models import RejectionReason
from moderation.services.decisions import decision_make
from tests.factories import SiteFactory, member, scored_comment

from .conftest import new_context
from .test_queue_e2e import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_with_history():
    site = SiteFactory(slug="gazette", name="Gazette")
    owner = member(site, "owner", "owner")
    moderator = member(site, "moderator", "moderator")
    now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    spans = [{"start": 0, "end": 4, "family": "agent", "role": "agent", "text": "They", "weight": 0.9}]
    steps = [("ann", 0.03, 0.0), ("bob", 0.2, 0.0), ("ann", 0.55, 0.0), ("bob", 0.93, 0.0)]
    for i, (author, tox, _) in enumerate(steps):
        scored_comment(site, f"d{i}", article="bridge", author=author, parent=f"d{i - 1}" if i else "",
                       body=f"Reply {i} <b>not bold</b>", toxicity={"toxicity": tox, "insult": tox},
                       created_at=now - dt.timedelta(hours=5 - i))
    scored_comment(site, "f0", article="recount", author="cy", body="They rigged the recount.", framing=0.9,
                   spans=spans, created_at=now - dt.timedelta(days=3))
    scored_comment(site, "f1", article="recount", author="di", parent="f0", body="They always do.", framing=0.8,
                   spans=spans, created_at=now - dt.timedelta(days=3, hours=-1))
    for day in range(1, 20):
        scored_comment(site, f"calm{day}", article=f"story{day % 4}", author=f"reader{day % 6}",
                       created_at=now - dt.timedelta(days=day, hours=2))
    reason = RejectionReason.objects.filter(site=site).first()
    decision_make(user=moderator, comment=Comment.objects.get(external_id="d3"), action="reject", expected_version=0,
                  reason=reason)
    decision_make(user=moderator, comment=Comment.objects.get(external_id="f1"), action="approve", expected_version=0)
    rollups_update()
    return site


@pytest.mark.parametrize("width", [1280, 390])
def test_owner_reads_the_dashboard_and_an_article(browser, live_server, site_with_history, screenshots, width):
    context = new_context(browser, viewport={"width": width, "height": 900})
    try:
        page = _log_in(context.new_page(), live_server.url, "owner")
        expect(page.locator("#heating-threads")).to_contain_text("Ann and Bob traded 3 replies")
        page.click("nav.main-nav >> text=Analytics")
        page.click(".a-sites >> text=Gazette")
        page.wait_for_url("**/analytics/gazette/")
        expect(page.locator(".kpis").first).to_contain_text("Received")
        expect(page.locator("svg.chart").first).to_be_visible()
        expect(page.locator(".heating")).to_contain_text("toxicity rose")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=str(screenshots / f"analytics-dashboard-{width}.png"), full_page=True)

        # The period switch swaps the body in place and keeps the URL in step.
        page.check("input[name=period][value='30d']")
        expect(page.locator(".a-updated")).to_contain_text("30 days")
        assert "period=30d" in page.url
        received = page.locator(".kpis dd").first.inner_text()
        assert int(received) == Comment.objects.filter(site=site_with_history).count()
        start = (dt.date.today() - dt.timedelta(days=2)).isoformat()
        page.fill("input[name=from]", start)
        page.locator("input[name=from]").dispatch_event("change")
        expect(page).to_have_url(re.compile(rf"period=custom.*from={start}"))
        expect(page.locator(".a-updated")).to_contain_text(f"{dt.date.fromisoformat(start):%b %-d, %Y} –")

        page.click(".a-rank a >> text=Title of bridge")
        page.wait_for_url("**/articles/*/")
        expect(page.locator("h1")).to_contain_text("Title of bridge")
        expect(page.locator(".a-tree").last).to_contain_text("<b>not bold</b>")  # shown as text, not markup
        expect(page.locator("svg.chart").first).to_be_visible()
        expect(page.locator(".kpis")).to_contain_text("Depth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=str(screenshots / f"analytics-article-{width}.png"), full_page=True)
    finally:
        context.close()
