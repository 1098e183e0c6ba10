"""Very long bodies are cut at QUEUE_BODY_PREVIEW_CHARS with "show all": a
page of them stays light, and the whole text is one click away, escaped."""
from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import SiteFactory, logged_in, member, scored_comment

pytestmark = pytest.mark.django_db

LONG = 100_000


def long_body(tag: str) -> str:
    """100,000 characters, hostile markup at the start and past the cut."""
    head = f"<script>alert('{tag}-head')</script> "
    tail = f" <script>alert('{tag}-tail')</script> THE-END-{tag}"
    middle = ("word " * LONG)[:LONG - len(head) - len(tail)]
    return head + middle + tail


@pytest.fixture
def site():
    return SiteFactory(slug="news", name="News")


@pytest.fixture
def moderator(site):
    return member(site, "moderator", "moderator")


def test_a_queue_page_of_twenty_100k_bodies_is_cut_and_stays_light(site, moderator):
    comments = [scored_comment(site, f"c{n}", body=long_body(f"c{n}"), toxicity={"toxicity": 0.9}) for n in range(20)]
    html = logged_in(moderator).get("/queue/").content.decode()
    assert all(f'id="item-{c.pk}"' in html for c in comments)
    # Each card: the preview plus its markup, nowhere near 20 x 100,000 characters.
    assert len(html) < 20 * (settings.QUEUE_BODY_PREVIEW_CHARS + 8_000)
    assert html.count(f"Show all {LONG} characters") == 20
    assert "THE-END" not in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;c0-head&#x27;)" in html
    assert f'hx-get="/queue/items/{comments[0].pk}/text/"' in html


def test_the_preview_length_is_a_setting(site, moderator, settings):
    settings.QUEUE_BODY_PREVIEW_CHARS = 50
    scored_comment(site, "short", body="x" * 50, toxicity={"toxicity": 0.9})
    scored_comment(site, "long", body="y" * 51, toxicity={"toxicity": 0.9})
    html = logged_in(moderator).get("/queue/").content.decode()
    assert "x" * 50 in html and "y" * 50 + "…" in html and "y" * 51 not in html
    assert html.count("Show all") == 1


def test_show_all_returns_the_whole_text_escaped_and_takes_no_claim(site, moderator):
    from moderation.models import Claim

    comment = scored_comment(site, "c1", body=long_body("c1"), toxicity={"toxicity": 0.9})
    response = logged_in(moderator).get(f"/queue/items/{comment.pk}/text/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<div class="q-body" id="body-{comment.pk}">')  # replaces the cut body in place
    assert "THE-END-c1" in html and "Show all" not in html
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;c1-tail&#x27;)&lt;/script&gt;" in html
    assert not Claim.objects.exists()


def test_the_items_own_page_shows_the_whole_body(site, moderator):
    comment = scored_comment(site, "c1", body=long_body("c1"), toxicity={"toxicity": 0.9})
    html = logged_in(moderator).get(f"/queue/items/{comment.pk}/").content.decode()
    assert "THE-END-c1" in html and "<script>alert" not in html


def test_show_all_is_refused_to_a_user_without_a_role_on_the_site(site):
    comment = scored_comment(site, "c1", body=long_body("c1"), toxicity={"toxicity": 0.9})
    outsider = member(SiteFactory(slug="other"), "owner", "outsider")
    assert logged_in(outsider).get(f"/queue/items/{comment.pk}/text/").status_code == 404


def test_long_parents_and_replies_in_the_context_and_thread_are_cut_with_a_link(site, moderator):
    parent = scored_comment(site, "p", body=long_body("p"))
    reply = scored_comment(site, "r", body="short reply", parent="p", toxicity={"toxicity": 0.9})
    scored_comment(site, "rr", body=long_body("rr"), parent="r")
    client = logged_in(moderator)
    for path in (f"/queue/items/{reply.pk}/open/", f"/queue/items/{reply.pk}/thread/"):
        html = client.get(path).content.decode()
        assert "THE-END" not in html and len(html) < 3 * settings.QUEUE_BODY_PREVIEW_CHARS + 10_000, path
        assert f'href="/queue/items/{parent.pk}/">show all {LONG} characters' in html, path


def test_the_analytics_article_page_cuts_long_bodies(site):
    comment = scored_comment(site, "c1", body=long_body("c1"))
    owner = member(site, "owner", "owner")
    html = logged_in(owner).get(f"/analytics/news/articles/{comment.article_id}/").content.decode()
    assert "THE-END" not in html and f"show all {LONG} characters" in html


def test_one_long_word_in_title_name_and_body_reaches_the_page_whole_and_escaped(site, moderator, settings):
    """As long as each field holds (title 500, name 200, body 5,000): tests/e2e checks it wraps."""
    from comments.models import Article, Author

    settings.QUEUE_BODY_PREVIEW_CHARS = 10_000
    def word(n):
        return "W" * (n - 8) + "<i>x</i>"

    comment = scored_comment(site, "c1", body=word(5_000), toxicity={"toxicity": 0.9})
    Article.objects.filter(pk=comment.article_id).update(title=word(500))
    Author.objects.filter(pk=comment.author_id).update(display_name=word(200))
    html = logged_in(moderator).get("/queue/").content.decode()
    for n in (5_000, 500, 200):
        assert "W" * (n - 8) + "&lt;i&gt;x&lt;/i&gt;" in html
    assert "<i>x</i>" not in html
