"""Hostile text in chromium: one very long word wraps instead of widening the
page; a page of 100,000-character bodies is cut and stays light; the
Content-Security-Policy blocks nothing the product needs, and does block
what it should."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect

from comments.models import Article, Author
from tests.factories import SiteFactory, member, scored_comment

from . import conftest
from .conftest import new_context
from .test_queue_e2e import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH = 1280


def word(n: int) -> str:
    """One word of n characters (as long as the field holds), with markup that must stay text."""
    return "W" * (n - 8) + "<i>x</i>"


@pytest.fixture
def page_as(browser, live_server):
    contexts = []

    def open_as(username: str):
        context = new_context(browser, viewport={"width": WIDTH, "height": 900})
        contexts.append(context)
        return _log_in(context.new_page(), live_server.url, username)

    yield open_as
    for context in contexts:
        context.close()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_one_long_word_in_title_name_and_body_wraps_on_the_queue_item_and_admin_pages(page_as, live_server, e2e_scoring):
    site = SiteFactory(slug="news", name="News")
    comment = scored_comment(site, "c1", body=word(5_000), toxicity={"toxicity": 0.9})
    reply = scored_comment(site, "c2", body=word(5_000), parent="c1", toxicity={"toxicity": 0.9})
    Article.objects.filter(pk=comment.article_id).update(title=word(500))  # the column holds 500
    Author.objects.filter(site=site).update(display_name=word(200))  # and 200
    member(site, "moderator", "moderator")
    page = page_as("moderator")
    expect(page.locator(f"#item-{comment.pk} .where bdi")).to_contain_text("<i>x</i>")  # shown as text, not markup
    for path in ("/queue/", f"/queue/items/{reply.pk}/"):
        page.goto(live_server.url + path)
        assert overflow(page) <= 0, f"{path} is {overflow(page)} px wider than the {WIDTH} px window"
    page.locator(".thread-button").first.click()  # the whole thread, the long parent included
    expect(page.locator(".whole-thread li")).to_have_count(2)
    assert overflow(page) <= 0

    User.objects.create_superuser("root", "root@example.com", "pw")
    admin = page_as("root")
    for path in ("/admin/comments/comment/", "/admin/comments/article/", "/admin/comments/author/",
                 f"/admin/comments/article/{comment.article_id}/change/"):
        admin.goto(live_server.url + path)
        assert overflow(admin) <= 0, f"{path} is {overflow(admin)} px wider than the {WIDTH} px window"


def test_twenty_100k_bodies_are_cut_and_show_all_brings_the_whole_text(page_as, live_server, e2e_scoring, record_property):
    site = SiteFactory(slug="news", name="News")
    body = ("lorem ipsum " * 10_000)[:99_980] + " <b>THE-END</b>"
    comments = [scored_comment(site, f"c{n}", body=body, toxicity={"toxicity": 0.9}) for n in range(20)]
    member(site, "moderator", "moderator")
    page = page_as("moderator")
    expect(page.locator("#queue-items > .q-item")).to_have_count(20)
    size = page.evaluate("new XMLSerializer().serializeToString(document).length")
    record_property("queue_document_chars", size)
    print(f"queue page with 20 x 100,000-character bodies: {size:,} characters of document")
    assert size < 20 * (settings.QUEUE_BODY_PREVIEW_CHARS + 8_000)
    assert page.locator(".q-text.is-cut").count() == 20
    assert overflow(page) <= 0

    first = comments[0].pk
    page.locator(f"#body-{first} .show-all a").click()
    expect(page.locator(f"#body-{first} .q-text")).to_contain_text("<b>THE-END</b>")  # whole, and as text
    expect(page.locator(f"#body-{first} .show-all")).to_have_count(0)
    assert page.locator(f"#body-{first} b").count() == 0


def test_an_inline_handler_is_blocked_and_reported(browser, live_server):
    """The check every e2e test relies on can fail: an inline handler is blocked and reported."""
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login/")
        page.evaluate("""() => {
            const button = document.createElement("button");
            button.id = "evil";
            button.setAttribute("onclick", "document.title = 'ran'");
            document.body.appendChild(button);
        }""")
        with page.expect_console_message(lambda message: "csp-violation" in message.text):
            page.click("#evil")
        assert page.title() != "ran"
        reported = conftest._watched[-1]
        assert any("csp-violation" in line and "script-src" in line for line in reported), reported
        reported.clear()  # expected here: not a failure of this test
    finally:
        context.close()
