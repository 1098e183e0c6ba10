"""Issue 14, "one boundary, one rule", on the queue's query strings and form
fields: impossible or out-of-range dates and digits that are not ASCII get a
4xx (or are dropped), never a 500, and change nothing."""
import base64
import json

import pytest
from django.urls import reverse

from moderation.models import Decision, Review
from moderation.selectors.queue import Cursor
from tests.factories import logged_in, scored_comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("since", ["2026-02-30T00:00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00",
                                   "not a date", "２０２６-01-01T00:00:00"])
def test_the_poll_refuses_a_since_that_is_not_a_date_in_range(site, moderator, since):
    response = logged_in(moderator).get(reverse("moderation:poll"), {"tab": "needs_review", "since": since},
                                        HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain") and response.content.decode().startswith("since: ")


@pytest.mark.parametrize("shown", ["²", "%C2%B2", "٣", "1_0", "9" * 40, "9" * 5000, "-1", ""])
def test_the_poll_drops_shown_ids_that_are_not_ids(site, moderator, shown):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    response = logged_in(moderator).get(reverse("moderation:poll"),
                                        {"tab": "needs_review", "shown": f"{shown},{item.pk}"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="live-{item.pk}"' in response.content.decode()


def test_the_poll_query_string_with_a_superscript_two_is_not_a_500(site, moderator):
    response = logged_in(moderator).get(reverse("moderation:poll") + "?shown=%C2%B2", HTTP_HX_REQUEST="true")
    assert response.status_code == 200


@pytest.mark.parametrize("items", ["²:0", "1:²", "٣:0", "9" * 5000 + ":0", "1_0:0", ":0", "1:"])
def test_a_bulk_selection_that_is_not_ascii_digits_is_refused(site, moderator, items):
    scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    client = logged_in(moderator)
    response = client.post(reverse("moderation:bulk"), {"decision": "approve", "items": items}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Bad selection." in response.content.decode()
    assert not Decision.objects.exists()
    assert client.post(reverse("moderation:bulk"), {"decision": "approve", "items": items}).status_code == 302


@pytest.mark.parametrize("decision", ["reject:²", "reject:٣", "reject:" + "9" * 30])
def test_a_rejection_reason_that_is_not_ascii_digits_is_refused(site, moderator, decision):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    response = logged_in(moderator).post(reverse("moderation:decide", args=[item.pk]),
                                         {"decision": decision, "version": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and "Choose a rejection reason." in response.content.decode()
    assert not Decision.objects.exists() and not Review.objects.filter(pk=item.pk, state="rejected").exists()


@pytest.mark.parametrize("feedback", ["٣:toxicity:1", "9" * 90 + ":toxicity:1"])
def test_feedback_on_a_score_id_that_is_not_ascii_digits_is_refused(site, moderator, feedback):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    response = logged_in(moderator).post(reverse("moderation:feedback", args=[item.pk]), {"feedback": feedback},
                                         HTTP_HX_REQUEST="true")
    assert response.status_code < 500


@pytest.mark.parametrize("name", ["posted_from", "posted_to"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_queue_date_filters_out_of_range_are_dropped_like_any_invalid_filter(site, moderator, name, day):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    response = logged_in(moderator).get("/queue/", {"tab": "all", name: day})
    assert response.status_code == 200 and f'id="item-{item.pk}"' in response.content.decode()


@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_audit_date_filters_out_of_range_are_not_a_500(site, moderator, name, day):
    assert logged_in(moderator).get(reverse("moderation:audit"), {name: day}).status_code < 500


@pytest.mark.parametrize("raw", [
    [0, "0001-01-01T00:00:00+05:00", 1], [0, "2026-02-30T00:00:00", 1], [0, "2026-01-01T00:00:00Z", "1"],
    [2**70, "2026-01-01T00:00:00Z", 1], [[[[]]]], "x",
])
def test_a_forged_queue_cursor_is_no_cursor(raw):
    token = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")
    assert Cursor.decode(token) is None


def test_a_queue_cursor_survives_its_round_trip():
    import datetime as dt

    cursor = Cursor(priority=3, at=dt.datetime(2026, 11, 20, 8, 5, tzinfo=dt.timezone.utc), comment_id=42)
    assert Cursor.decode(cursor.encode()) == cursor
