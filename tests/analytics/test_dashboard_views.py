"""The dashboards, their CSV exports and who may see what."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from analytics.services.rollups import rollups_rebuild, rollups_update
from comments.models import Article
from tests.factories import SiteFactory, UserFactory, logged_in, member, scored_comment

from .conftest import days_ago, decide

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def ready(busy_site):
    rollups_rebuild()
    return busy_site


def test_owner_sees_discussion_and_moderation(ready, owner):
    page = logged_in(owner).get("/analytics/news/").content.decode()
    assert "Discussion" in page and "Moderation" in page
    assert "<svg" in page and "Most rejections" in page


def test_moderator_sees_only_the_moderation_part(ready, moderator):
    client = logged_in(moderator)
    page = client.get("/analytics/news/").content.decode()
    assert "Moderation" in page and "Decisions per moderator" in page
    assert 'id="h-overview"' not in page and "Most comments" not in page
    assert client.get("/analytics/news/?format=csv&table=activity").status_code == 404
    assert client.get("/analytics/news/?format=csv&table=moderators").status_code == 200


def test_a_site_without_a_role_is_not_found(ready):
    outsider = UserFactory(username="outsider")
    client = logged_in(outsider)
    assert client.get("/analytics/news/").status_code == 404
    assert client.get("/analytics/").status_code == 403
    article = Article.objects.get(external_id="a1")
    assert client.get(f"/analytics/news/articles/{article.pk}/").status_code == 404


def test_logged_out_is_sent_to_log_in(ready):
    from django.test import Client

    response = Client().get("/analytics/news/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_article_page_is_for_owners(ready, owner, moderator):
    article = Article.objects.get(external_id="a1")
    assert logged_in(owner).get(f"/analytics/news/articles/{article.pk}/").status_code == 200
    assert logged_in(moderator).get(f"/analytics/news/articles/{article.pk}/").status_code == 403


def test_an_article_of_another_site_is_not_found_under_this_one(ready, owner):
    other = SiteFactory(slug="other")
    scored_comment(other, "x1", article="foreign")
    foreign = Article.objects.get(site=other)
    assert logged_in(owner).get(f"/analytics/news/articles/{foreign.pk}/").status_code == 404


def test_all_sites_shows_owned_sites_in_full_and_moderated_ones_for_moderation(ready, owner):
    other = SiteFactory(slug="other", name="Other")
    member(other, "moderator", "owner")  # the owner of "news" only moderates "other"
    moderator_there = member(other, "moderator", "mod2")
    scored_comment(other, "o1", article="oa", created_at=days_ago(0, 3), toxicity={"toxicity": 0.95})
    scored_comment(other, "o2", article="oa", created_at=days_ago(0, 4))
    from comments.models import Comment

    decide(moderator_there, Comment.objects.get(external_id="o1"), "reject")
    rollups_update()
    client = logged_in(owner)
    activity = rows(client.get("/analytics/?format=csv&table=activity"))
    assert sum(int(row[1]) for row in activity[1:]) == 6  # only "news" comments
    backlog = rows(client.get("/analytics/?format=csv&table=backlog"))
    assert sum(int(row[2]) for row in backlog[1:]) == 3  # decisions on flags of both sites
    page = client.get("/analytics/").content.decode()
    assert "Other" in page and "News" in page


def test_csv_matches_the_rollups(ready, owner):
    data = rows(logged_in(owner).get("/analytics/news/?format=csv&table=activity&period=7d"))
    assert data[0] == ["bucket", "received", "flagged", "held", "approved", "rejected", "removed"]
    assert len(data) == 1 + 7
    totals = [sum(int(row[i]) for row in data[1:]) for i in range(1, 7)]
    assert totals == [6, 4, 1, 1, 2, 2]


def test_csv_of_an_unknown_table_is_not_found(ready, owner):
    assert logged_in(owner).get("/analytics/news/?format=csv&table=nope").status_code == 404


def test_csv_neutralises_spreadsheet_formulas(ready, owner):
    scored_comment(ready, "f1", article="evil", created_at=days_ago(0, 5))
    Article.objects.filter(external_id="evil").update(title='=HYPERLINK("http://x","click")')
    rollups_update()
    data = rows(logged_in(owner).get("/analytics/news/?format=csv&table=articles_most"))
    titles = [row[0] for row in data[1:]]
    assert "'=HYPERLINK(\"http://x\",\"click\")" in titles


def test_hostile_titles_and_bodies_are_escaped(ready, owner):
    scored_comment(ready, "h1", article="xss", body="<script>alert(1)</script>", created_at=days_ago(0, 5))
    Article.objects.filter(external_id="xss").update(title="<img src=x onerror=alert(1)>")
    rollups_update()
    client = logged_in(owner)
    page = client.get("/analytics/news/").content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    article = Article.objects.get(external_id="xss")
    page = client.get(f"/analytics/news/articles/{article.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_period_switch_by_htmx_returns_the_body_only(ready, owner):
    response = logged_in(owner).get("/analytics/news/?period=30d&bucket=week", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="a-body"') and "<html" not in page
    assert "30 days" in page and "by week" in page


def test_a_custom_period_and_garbage_fall_back_sensibly(ready, owner):
    client = logged_in(owner)
    page = client.get("/analytics/news/?period=custom&from=2026-01-01&to=2026-03-31&bucket=month").content.decode()
    assert "Jan 1, 2026 – Mar 31, 2026" in page and "by month" in page
    page = client.get("/analytics/news/?period=custom&from=nonsense&to=&bucket=fortnight").content.decode()
    assert "7 days" in page


@pytest.mark.parametrize("query", [
    "period=custom&from=0001-01-01&to=0001-02-01", "period=custom&from=0001-01-01&to=0001-02-01&bucket=week",
    "period=custom&from=9999-12-01&to=9999-12-31", "period=custom&from=9999-12-01&to=9999-12-31&bucket=week",
    "period=custom&from=0001-01-01&to=9999-12-31&bucket=week", "period=custom&from=2026-02-30&to=2026-03-31",
    "period=custom&from=0001-01-01&to=9999-12-31&bucket=week&format=csv&table=activity",
])
def test_a_custom_period_in_year_1_or_9999_shows_the_default_period_not_a_500(ready, owner, query):
    response = logged_in(owner).get(f"/analytics/news/?{query}")
    assert response.status_code in (200, 404)
    if "format=csv" not in query:
        assert "7 days" in response.content.decode()
    article = Article.objects.get(external_id="a1")
    assert logged_in(owner).get(f"/analytics/news/articles/{article.pk}/?{query}").status_code in (200, 404)


def test_the_article_page_shows_the_tree_scores_and_framing_evidence(ready, owner):
    spans = [{"start": 0, "end": 4, "family": "agent", "text": "They", "role": "agent", "weight": 0.9}]
    scored_comment(ready, "fr1", article="a1", author="gus", body="They planned it all.", parent="c1",
                   framing=0.9, spans=spans, created_at=days_ago(0, 6))
    article = Article.objects.get(external_id="a1")
    page = logged_in(owner).get(f"/analytics/news/articles/{article.pk}/").content.decode()
    assert "Conspiracy framing found" in page and "agent: “They”" in page
    assert page.count('class="a-tree"') == 2 and "<svg" in page
    # c1 at the top level with two replies (c2, fr1): depth 2, breadth 2.
    assert '<dt>Depth</dt><dd title="levels of replies, the top level counted">2</dd>' in page
    assert '<dt>Breadth</dt><dd title="most comments on one level">2</dd>' in page


def test_the_bucket_follows_the_period_until_one_is_chosen(ready, owner):
    client = logged_in(owner)
    page = client.get("/analytics/news/?period=365d&bucket=", HTTP_HX_REQUEST="true").content.decode()
    assert "by month" in page and '<option value="">Auto (month)</option>' in page
    page = client.get("/analytics/news/?period=365d&bucket=week", HTTP_HX_REQUEST="true").content.decode()
    assert "by week" in page and '<option value="week" selected>' in page


@pytest.fixture
def old_site(site, moderator):
    """Comments 40 and 41 days ago and none since, like the demo data some weeks on."""
    scored_comment(site, "o1", article="a1", author="ann", created_at=days_ago(41))
    scored_comment(site, "o2", article="a1", author="bob", created_at=days_ago(40), toxicity={"toxicity": 0.95})
    rollups_rebuild()
    return site


def test_the_dashboard_opens_on_the_latest_week_with_comments(old_site, owner):
    client = logged_in(owner)
    latest = days_ago(40).date()
    page = client.get("/analytics/news/").content.decode()
    assert "the latest week with comments" in page
    assert f'name="to" value="{latest:%Y-%m-%d}"' in page
    assert f'name="from" value="{latest - dt.timedelta(days=6):%Y-%m-%d}"' in page
    csv_rows = rows(client.get("/analytics/news/?format=csv&table=activity"))
    assert sum(int(row[1]) for row in csv_rows[1:]) == 2  # both comments are in the default period
    # The all-sites dashboard does the same.
    assert "the latest week with comments" in client.get("/analytics/").content.decode()


def test_an_explicit_period_is_kept_even_when_it_is_empty(old_site, owner):
    page = logged_in(owner).get("/analytics/news/?period=7d").content.decode()
    assert "the latest week with comments" not in page
    assert f'name="to" value="{days_ago(0).date():%Y-%m-%d}"' in page


def test_recent_comments_keep_the_last_7_days_as_the_default(ready, owner):
    page = logged_in(owner).get("/analytics/news/").content.decode()
    assert "the latest week with comments" not in page and "7 days" in page
