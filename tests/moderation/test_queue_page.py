"""The queue page: tabs and counts, order, filters, keyset pages, fragments, live news."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from moderation.models import Flag
from moderation.selectors.queue import Cursor, QueueFilters, queue_page
from moderation.services.claims import claim_take
from moderation.services.decisions import decision_make
from moderation.services.reports import report_submit
from tests.factories import SiteFactory, logged_in, member, minutes, scored_comment

pytestmark = pytest.mark.django_db


def ids_in(html: str, comments) -> list[int]:
    """The given comments in the order the page shows them."""
    positions = {c.pk: html.find(f'id="item-{c.pk}"') for c in comments}
    return [pk for pk, at in sorted(positions.items(), key=lambda kv: kv[1]) if at >= 0]


def test_tabs_show_live_counts_per_state(site, moderator):
    review = scored_comment(site, "r1", toxicity={"toxicity": 0.9})
    scored_comment(site, "r2", toxicity={"toxicity": 0.95})
    held = scored_comment(site, "h1", toxicity={"threat": 0.8})
    approved = scored_comment(site, "r3", toxicity={"insult": 0.9})
    decision_make(user=moderator, comment=approved, action="approve", expected_version=0)
    report_submit(comment=review, reporter="reader-1", reason="rude")
    client = logged_in(moderator)
    page = client.get("/queue/").content.decode()
    assert 'hx-trigger="load, every' in page  # the counts come with the first poll, right after the page
    html = client.get(reverse("moderation:poll"), {"tab": "needs_review"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every' in html  # and the poll does not fire itself again at once
    counts = {tab: html.split(f'id="count-{tab}">')[1].split("<")[0] for tab in
              ("needs_review", "held", "escalated", "reported", "approved", "rejected", "all")}
    assert counts == {"needs_review": "2", "held": "1", "escalated": "0", "reported": "1", "approved": "1",
                      "rejected": "0", "all": "4"}
    assert Flag.objects.get(comment=held).state == Flag.State.HELD


def test_items_are_sorted_by_priority_then_age(site, moderator):
    old_mild = scored_comment(site, "m1", toxicity={"toxicity": 0.85}, created_at=minutes(1))
    threat = scored_comment(site, "t1", toxicity={"threat": 0.9, "toxicity": 0.3})
    identity = scored_comment(site, "i1", toxicity={"identity_attack": 0.9})
    same_a = scored_comment(site, "s1", toxicity={"insult": 0.95})
    same_b = scored_comment(site, "s2", toxicity={"insult": 0.95})
    html = logged_in(moderator).get("/queue/?tab=all").content.decode()
    assert ids_in(html, [old_mild, threat, identity, same_a, same_b]) == [
        threat.pk, identity.pk, same_a.pk, same_b.pk, old_mild.pk
    ]


def test_filters_narrow_the_queue(site, moderator):
    other_site = SiteFactory(slug="other")
    member_of_both = moderator
    from moderation.models import SiteMembership
    SiteMembership.objects.create(user=member_of_both, site=other_site, role="moderator")
    toxic = scored_comment(site, "c1", body="a rude remark", toxicity={"toxicity": 0.97}, author="ann",
                           created_at=timezone.now() - dt.timedelta(days=3))
    framing = scored_comment(site, "c2", body="they hide the truth", framing=0.85, article="a2", author="ben")
    elsewhere = scored_comment(other_site, "c3", body="another rude remark", toxicity={"toxicity": 0.85})
    all_three = [toxic, framing, elsewhere]
    client = logged_in(member_of_both)

    def shown(query: str) -> set[int]:
        return set(ids_in(client.get(f"/queue/?tab=all&{query}").content.decode(), all_three))

    assert shown("") == {toxic.pk, framing.pk, elsewhere.pk}
    assert shown("site=other") == {elsewhere.pk}
    assert shown(f"article={framing.article_id}") == {framing.pk}
    assert shown("reason=label:conspiracy_framing") == {framing.pk}
    assert shown("reason=label:toxicity") == {toxic.pk, elsewhere.pk}
    assert shown("min=0.9") == {toxic.pk}  # any reason's score
    assert shown("reason=label:toxicity&max=0.9") == {elsewhere.pk}
    assert shown("label=conspiracy_framing&min=0.5&max=1") == {framing.pk}
    assert shown(f"author={toxic.author_id}") == {toxic.pk}
    assert shown(f"posted_to={(timezone.now() - dt.timedelta(days=2)).date()}") == {toxic.pk}
    assert shown(f"posted_from={timezone.now().date()}") == {framing.pk, elsewhere.pk}
    assert shown("q=rude") == {toxic.pk, elsewhere.pk}
    assert shown("q=Ben") == {framing.pk}


def test_keyset_pages_cover_every_item_once_in_order(site, moderator, settings):
    settings.QUEUE_PAGE_SIZE = 4
    comments = [scored_comment(site, f"c{i}", toxicity={"toxicity": 0.8 + i * 0.01}) for i in range(10)]
    client = logged_in(moderator)
    seen, url, pages = [], "/queue/", 0
    while url:
        html = client.get(url).content.decode()
        seen.extend(ids_in(html, comments))
        pages += 1
        url = ("/queue/?" + html.split('id="next-page" href="?')[1].split('"')[0].replace("&amp;", "&")
               if 'id="next-page"' in html else "")
    assert pages == 3
    expected = [c.pk for c in sorted(comments, key=lambda c: (-c.flag.priority, c.flag.created_at, c.pk))]
    assert seen == expected


def test_a_deep_page_starts_right_after_its_cursor(site, moderator):
    comments = [scored_comment(site, f"c{i}", toxicity={"toxicity": 0.9}) for i in range(6)]
    filters = QueueFilters(site_ids=(site.pk,))
    everything = queue_page(tab="needs_review", filters=filters, size=100).comment_ids
    cursor = queue_page(tab="needs_review", filters=filters, size=3).next_cursor
    assert queue_page(tab="needs_review", filters=filters, after=cursor, size=100).comment_ids == everything[3:]
    assert len(comments) == len(everything)


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(site, moderator, settings):
    for i in range(30):
        scored_comment(site, f"c{i}", toxicity={"toxicity": 0.9}, author=f"author{i % 7}", parent="" if i < 5 else "c0")
    client = logged_in(moderator)
    counts = []
    for size in (5, 25):
        settings.QUEUE_PAGE_SIZE = size
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/queue/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_tampered_cursor_is_ignored(site, moderator):
    scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    assert Cursor.decode("not-a-cursor") is None
    assert logged_in(moderator).get("/queue/?after=%%%garbage").status_code == 200


def test_htmx_requests_get_fragments_and_plain_requests_the_whole_page(site, moderator, settings):
    settings.QUEUE_PAGE_SIZE = 1
    scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    scored_comment(site, "c2", toxicity={"toxicity": 0.95})
    client = logged_in(moderator)
    full = client.get("/queue/").content.decode()
    assert "<html" in full and 'id="queue-list"' in full
    listing = client.get("/queue/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-list").content.decode()
    assert "<html" not in listing and 'id="queue-list"' in listing and 'hx-swap-oob="true"' in listing
    cursor = full.split('id="next-page" href="?')[1].split('"')[0].replace("&amp;", "&")
    more = client.get("/queue/?" + cursor, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-pager").content.decode()
    assert "<html" not in more and 'id="queue-list"' not in more and more.count('class="q-item') == 1


def test_the_poll_brings_new_flagged_items_and_other_moderators_claims(site, moderator):
    colleague = member(site, "moderator", "colleague")
    shown = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    since = timezone.now()
    fresh = scored_comment(site, "c2", toxicity={"toxicity": 0.99})
    claim_take(comment=shown, user=colleague)
    response = logged_in(moderator).get(
        reverse("moderation:poll"), {"tab": "needs_review", "since": since.isoformat(), "shown": str(shown.pk)},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    incoming = html.split('id="incoming"')[1]
    assert f'id="item-{fresh.pk}"' in incoming and f'id="item-{shown.pk}"' not in incoming
    assert f'id="live-{shown.pk}" hx-swap-oob="true"' in html and "colleague is reviewing" in html
    assert 'id="count-needs_review">2<' in html


def test_decided_items_move_to_their_tabs(site, moderator):
    senior = member(site, "senior", "senior")
    approved = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    escalated = scored_comment(site, "c2", toxicity={"toxicity": 0.9})
    rejected = scored_comment(site, "c3", toxicity={"toxicity": 0.9})
    reason = site.rejection_reasons.first()
    decision_make(user=moderator, comment=approved, action="approve", expected_version=0)
    decision_make(user=moderator, comment=escalated, action="escalate", expected_version=0)
    decision_make(user=senior, comment=rejected, action="reject", expected_version=0, reason=reason)
    client = logged_in(moderator)
    every = [approved, escalated, rejected]
    assert ids_in(client.get("/queue/").content.decode(), every) == []
    assert ids_in(client.get("/queue/?tab=approved").content.decode(), every) == [approved.pk]
    assert ids_in(client.get("/queue/?tab=escalated").content.decode(), every) == [escalated.pk]
    assert ids_in(client.get("/queue/?tab=rejected").content.decode(), every) == [rejected.pk]
    assert Comment.objects.get(pk=rejected.pk).status == Comment.Status.REMOVED


def test_reported_comments_without_a_flag_are_in_the_reported_tab(site, moderator):
    quiet = scored_comment(site, "c1", body="a calm comment")
    assert not Flag.objects.filter(comment=quiet).exists()
    report_submit(comment=quiet, reporter="reader-9", reason="spam")
    html = logged_in(moderator).get("/queue/?tab=reported").content.decode()
    assert ids_in(html, [quiet]) == [quiet.pk] and "1 report" in html


def test_the_fallback_model_is_named_in_a_banner(site, moderator):
    from moderation.models import ActiveScorer
    ActiveScorer.objects.create(kind="toxicity", scorer="profanity-check", version="1.9.1",
                                fallback_reason="Detoxify's weights could not be loaded")
    html = logged_in(moderator).get("/queue/").content.decode()
    assert "Fallback model scoring toxicity: profanity-check 1.9.1" in html
    assert "Detoxify&#x27;s weights could not be loaded" in html


def test_counts_stop_at_the_cap(site, moderator, settings):
    settings.QUEUE_COUNT_CAP = 3
    for i in range(4):
        scored_comment(site, f"c{i}", toxicity={"toxicity": 0.9})
    html = logged_in(moderator).get(reverse("moderation:poll"), {"tab": "needs_review"}, HTTP_HX_REQUEST="true")
    assert 'id="count-needs_review">3+<' in html.content.decode()
