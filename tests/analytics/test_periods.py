"""Periods, buckets, percentiles from bins, precision and the suggested threshold."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from analytics.periods import (
    bucket_starts, latency_bin, latency_percentile, period_from, precision_at, score_bin, suggested_threshold,
)
from analytics.tasks import update_rollups

TODAY = dt.date(2026, 11, 25)


def test_named_periods_end_today_and_pick_a_bucket():
    assert period_from({"period": "7d"}, today=TODAY).start == dt.date(2026, 11, 19)
    assert period_from({"period": "24h"}, today=TODAY).start == dt.date(2026, 11, 24)
    year = period_from({"period": "365d"}, today=TODAY)
    assert year.bucket == "month" and len(bucket_starts(year)) == 13
    assert period_from({"period": "30d", "bucket": "week"}, today=TODAY).bucket == "week"


def test_a_custom_period_is_ordered_and_bad_input_falls_back():
    period = period_from({"period": "custom", "from": "2026-03-31", "to": "2026-01-01"}, today=TODAY)
    assert (period.start, period.end, period.bucket) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "week")
    assert period_from({"period": "custom", "from": "x"}, today=TODAY).key == "7d"
    assert period_from({"period": "999y"}, today=TODAY).key == "7d"


@pytest.mark.parametrize("start, end", [("0001-01-01", "0001-03-01"), ("9999-11-01", "9999-12-31"),
                                        ("0001-01-01", "9999-12-31"), ("2026-02-30", "2026-03-01")])
@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_a_custom_period_outside_the_accepted_dates_falls_back_and_its_buckets_can_be_counted(start, end, bucket):
    period = period_from({"period": "custom", "from": start, "to": end, "bucket": bucket}, today=TODAY)
    assert period.key == "7d" and period.end == TODAY
    assert bucket_starts(period)


def test_a_custom_period_at_the_edges_of_the_accepted_dates_is_kept():
    period = period_from({"period": "custom", "from": "2099-12-01", "to": "2100-01-01", "bucket": "week"}, today=TODAY)
    assert (period.key, period.end) == ("custom", dt.date(2100, 1, 1)) and bucket_starts(period)[0] == dt.date(2099, 11, 30)
    period = period_from({"period": "custom", "from": "1970-01-01", "to": "1970-01-31", "bucket": "week"}, today=TODAY)
    assert period.key == "custom" and bucket_starts(period)[0] == dt.date(1969, 12, 29)


def test_weeks_start_on_monday_and_empty_buckets_are_kept():
    period = period_from({"period": "custom", "from": "2026-11-01", "to": "2026-11-20", "bucket": "week"}, today=TODAY)
    assert bucket_starts(period) == [dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]


def test_percentiles_from_latency_bins():
    hist = [0] * 16
    for seconds in [30] * 5 + [200] * 4 + [5000]:
        hist[latency_bin(seconds)] += 1
    assert latency_percentile(hist, 0.5) <= 120 and 120 < latency_percentile(hist, 0.9) <= 300
    assert latency_percentile([0] * 16, 0.5) is None


def test_precision_counts_decisions_at_or_above_the_threshold():
    rejected, approved = [0] * 20, [0] * 20
    rejected[score_bin(0.9)] = 8
    approved[score_bin(0.85)] = 2
    approved[score_bin(0.5)] = 30
    assert precision_at(rejected, approved, 0.8) == (8, 2, 0.8)
    assert precision_at(rejected, approved, 0.9) == (8, 0, 1.0)


def test_the_suggested_threshold_separates_rejections_from_approvals():
    rejected, approved = [0] * 20, [0] * 20
    rejected[score_bin(0.72)] = 12  # moderators reject from 0.70 up
    rejected[score_bin(0.95)] = 6
    approved[score_bin(0.6)] = 20
    approved[score_bin(0.3)] = 40
    assert suggested_threshold(rejected, approved) == 0.7
    assert suggested_threshold([0] * 19 + [3], approved) is None  # too few rejections to say


@pytest.mark.django_db
def test_the_periodic_task_is_scheduled_and_brings_the_rollups_up_to_date(settings):
    from analytics.models import Watermark

    assert settings.CELERY_BEAT_SCHEDULE["analytics-rollups"]["task"] == update_rollups.name
    assert update_rollups.apply().get()["rebuilt"] is True
    assert update_rollups.apply().get()["rebuilt"] is False
    assert Watermark.objects.get().position is not None


@pytest.mark.django_db
def test_the_command_rebuilds_one_site_or_refuses_an_unknown_one(capsys):
    from django.core.management.base import CommandError
    from tests.factories import SiteFactory

    SiteFactory(slug="news")
    call_command("analytics_rollup", "--rebuild", "--site", "news")
    assert "Analytics rebuilt" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("analytics_rollup", "--rebuild", "--site", "nope")


def test_the_default_period_moves_back_to_the_latest_day_with_comments():
    quiet = period_from({}, today=TODAY, latest_day=dt.date(2026, 10, 3))
    assert (quiet.start, quiet.end, quiet.bucket, quiet.latest_with_data) == (
        dt.date(2026, 9, 27), dt.date(2026, 10, 3), "day", True)
    # Comments within the last 7 days, or none at all: the last 7 days as before.
    assert period_from({}, today=TODAY, latest_day=dt.date(2026, 11, 19)).key == "7d"
    assert period_from({}, today=TODAY, latest_day=None).key == "7d"
    # An explicit period is what it says.
    asked = period_from({"period": "7d"}, today=TODAY, latest_day=dt.date(2026, 10, 3))
    assert (asked.key, asked.end, asked.latest_with_data) == ("7d", TODAY, False)
