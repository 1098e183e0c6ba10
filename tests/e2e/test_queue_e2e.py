"""End to end in chromium: log in, triage the sample article's comments with the
keyboard, undo, two moderators' claims, live arrivals, narrow and wide screens."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from comments.models import Comment, Site
from moderation import policy
from moderation.models import Review
from moderation.services.flags import flag_policy_update
from moderation.services.scoring import scoring_process
from tests.factories import member, scored_comment

from .conftest import SAMPLE, new_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sample(e2e_scoring):
    """The sample article imported and scored by the real pipeline; a site
    policy that flags its comments by words, so the test does not depend on
    the tiny model's random scores."""
    if not SAMPLE.exists():
        pytest.fail(f"the sample article is missing: {SAMPLE}")
    call_command("import_article", str(SAMPLE), "--site", "vt", verbosity=0)
    site = Site.objects.get(slug="vt")
    flag_policy_update(site=site, rules={label: {"action": "off"} for label in policy.DEFAULT_RULES},
                       suspect_words=["Kurdish", "terrorist", "terrorists"])
    ids = list(Comment.objects.filter(site=site).values_list("pk", flat=True))
    scoring_process(holder="e2e", hint_ids=ids)
    assert site.flags.count() == 3
    return site


@pytest.fixture
def log_in(browser, live_server):
    """Log a user in, in a browser context of their own; closed after the test so no page keeps polling."""
    contexts = []

    def open_as(username: str, *, width: int = 1280, height: int = 900):
        context = new_context(browser, viewport={"width": width, "height": height})
        contexts.append(context)
        return _log_in(context.new_page(), live_server.url, username)

    yield open_as
    for context in contexts:
        context.close()


def _log_in(page, base_url: str, username: str):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/queue/")
    return page


def current_pk(page) -> int:
    return int(page.locator(".q-item.is-current").get_attribute("data-pk"))


def test_a_moderator_triages_the_sample_comments_with_the_keyboard_and_undoes(log_in, live_server, sample, screenshots):
    member(sample, "moderator", "moderator")
    page = log_in("moderator")
    cards = page.locator("#queue-items > .q-item")
    expect(cards).to_have_count(3)
    expect(page.locator("#count-needs_review")).to_have_text("3")
    first = current_pk(page)
    expect(page.locator(f"#live-{first} .claim.mine")).to_have_text("you hold this")
    page.keyboard.press("j")
    second = current_pk(page)
    assert second != first
    page.keyboard.press("k")
    assert current_pk(page) == first
    page.screenshot(path=str(screenshots / "queue-1280.png"))

    page.keyboard.press("a")  # approve the first
    expect(cards).to_have_count(2)
    expect(page.locator("#toast")).to_contain_text("Approved")
    page.keyboard.press("r")  # reject the next, with the first reason
    expect(page.locator(".q-item.is-current details.reject .reason-menu")).to_be_visible()
    page.keyboard.press("1")
    expect(cards).to_have_count(1)
    expect(page.locator("#toast")).to_contain_text("Rejected")
    page.keyboard.press("e")  # escalate the last
    expect(cards).to_have_count(0)
    expect(page.locator("#count-needs_review")).to_have_text("0")

    states = dict(Review.objects.filter(site=sample).values_list("comment_id", "state"))
    assert sorted(states.values()) == ["approved", "escalated", "rejected"]
    assert states[first] == "approved"

    page.keyboard.press("u")  # undo the escalation: the item comes back
    expect(page.locator("#toast")).to_contain_text("Undone: 1 decision")
    expect(cards).to_have_count(1)
    assert Review.objects.get(state="open").comment.site == sample

    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()


def test_selected_items_are_decided_together_and_undone_together(log_in, live_server, sample):
    member(sample, "moderator", "moderator")
    page = log_in("moderator")
    cards = page.locator("#queue-items > .q-item")
    expect(cards).to_have_count(3)
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text("Approved 2 items.")
    expect(cards).to_have_count(1)
    assert Review.objects.filter(state="approved").count() == 2
    page.keyboard.press("u")
    expect(page.locator("#toast")).to_contain_text("Undone: 2 decisions")
    expect(cards).to_have_count(3)


def test_two_moderators_see_each_others_claims_and_the_later_decision_is_refused(log_in, live_server, sample):
    member(sample, "moderator", "moderator")
    member(sample, "moderator", "colleague")
    first = log_in("moderator")
    held_by_first = current_pk(first)
    expect(first.locator(f"#live-{held_by_first} .claim.mine")).to_be_visible()

    second = log_in("colleague")
    expect(second.locator(f"#live-{held_by_first} .claim.other")).to_have_text("moderator is reviewing")
    second.locator(f"#item-{held_by_first}").click()
    second.locator(f"#item-{held_by_first} button[value=approve]").click()
    expect(second.locator(f"#item-{held_by_first} .refusal")).to_contain_text("moderator is reviewing this comment")

    # The second moderator moves on and claims the next item; the first sees it live.
    second.keyboard.press("j")
    held_by_second = current_pk(second)
    assert held_by_second != held_by_first
    expect(first.locator(f"#live-{held_by_second} .claim.other")).to_have_text("colleague is reviewing", timeout=10_000)

    first.keyboard.press("a")
    expect(first.locator(f"#item-{held_by_first}")).to_have_count(0)
    expect(second.locator(f"#live-{held_by_first} .decided")).to_contain_text("approved by moderator", timeout=10_000)
    assert Review.objects.get(pk=held_by_first).decided_by.username == "moderator"


def test_new_flagged_items_appear_in_the_open_queue_without_a_reload(log_in, live_server, sample):
    member(sample, "moderator", "moderator")
    page = log_in("moderator")
    expect(page.locator("#queue-items > .q-item")).to_have_count(3)
    fresh = scored_comment(sample, "late-1", body="Fresh threat arrives", toxicity={"threat": 0.99}, article="a-late")
    flag_policy_update(site=sample, suspect_words=["Kurdish", "terrorist", "terrorists", "Fresh"])
    expect(page.locator(f"#queue-items > #item-{fresh.pk}")).to_be_visible(timeout=10_000)
    expect(page.locator("#count-needs_review")).to_have_text("4")


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_pages_stay_usable_on_wide_and_narrow_screens(log_in, live_server, sample, width, height, screenshots):
    member(sample, "owner", "owner")
    page = log_in("owner", width=width, height=height)
    item = current_pk(page)
    for path in ("/queue/", f"/queue/items/{item}/", "/audit/", "/sites/vt/settings/"):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(screenshots / f"{path.strip('/').replace('/', '-') or 'root'}-{width}.png"), full_page=True)
    page.goto(live_server.url + "/queue/")
    approve = page.locator(f"#item-{item} button[value=approve]")
    approve.scroll_into_view_if_needed()
    expect(approve).to_be_in_viewport()
    approve.click()
    expect(page.locator(f"#item-{item}")).to_have_count(0)
