"""A poison row never blocks the others: the rollup leaves out a comment it
cannot read back and counts every other site and day; a site whose rollup
raises is recorded with its error, retried alone, then left failed."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from analytics.models import AuthorStat, RollupFailure, SiteDay
from analytics.services.rollup_failures import rollup_failure_retry
from analytics.services.rollups import rollups_update
from analytics.tasks import update_rollups
from moderation.models import FlagPolicy
from tests.factories import SiteFactory, scored_comment
from tests.support.unreadable import YEAR_0, YEAR_10000, make_unreadable

from .conftest import days_ago
from .test_rollups import direct_site_days, stored_site_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stored", [YEAR_10000, YEAR_0])
def test_an_unreadable_comment_is_left_out_and_every_other_site_and_day_is_counted(busy_site, stored):
    other = SiteFactory(slug="other")
    scored_comment(other, "o1", article="x", created_at=days_ago(1))
    expected = direct_site_days(busy_site), direct_site_days(other)
    poison = scored_comment(busy_site, "poison", article="a1", author="ann", created_at=days_ago(1, 13))
    make_unreadable(poison, value=stored)

    result = update_rollups.apply()  # the first run: a rebuild of every site
    assert result.successful(), result.traceback
    assert (stored_site_days(busy_site), stored_site_days(other)) == expected
    assert AuthorStat.objects.get(author__external_id="ann", site=busy_site).comments == 2  # without the poison
    scored_comment(other, "o2", article="x", created_at=days_ago(0, 3))
    assert update_rollups.apply().successful()  # an update that reads the poison as changed
    assert SiteDay.objects.get(site=other, day=days_ago(0).date()).comments == 1
    assert (stored_site_days(busy_site), not RollupFailure.objects.exists()) == (expected[0], True)


def test_a_site_whose_rollup_raises_is_retried_alone_then_left_failed_until_retried(busy_site, settings, client):
    settings.ANALYTICS_MAX_ATTEMPTS = 2
    broken = SiteFactory(slug="broken")
    scored_comment(broken, "b1", article="x", created_at=days_ago(1))
    FlagPolicy.objects.update_or_create(site=broken, defaults={"rules": {"toxicity": {"threshold": "high"}}})
    expected = direct_site_days(busy_site)

    outcome = rollups_update()
    assert list(outcome.failed) == [broken.pk] and stored_site_days(busy_site) == expected
    failure = RollupFailure.objects.get(site=broken)
    assert (failure.state, failure.attempts) == ("retrying", 1) and "ValueError" in failure.last_error
    assert not SiteDay.objects.filter(site=broken).exists()  # its savepoint rolled back whole

    scored_comment(busy_site, "late", article="a1", created_at=days_ago(0, 4))
    outcome = rollups_update()  # the broken site is recomputed whole, alone, and fails again
    assert list(outcome.failed) == [broken.pk] and stored_site_days(busy_site) == direct_site_days(busy_site)
    assert RollupFailure.objects.values_list("state", "attempts").get() == ("failed", 2)
    assert rollups_update().failed == {}  # given up on: left alone
    assert RollupFailure.objects.values_list("state", "attempts").get() == ("failed", 2)

    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    page = client.get(reverse("admin:analytics_rollupfailure_changelist"))
    assert page.status_code == 200 and "Broken" in page.content.decode() and "ValueError" in page.content.decode()

    FlagPolicy.objects.filter(site=broken).update(rules={})
    assert rollup_failure_retry(site_id=broken.pk)
    assert rollups_update().failed == {}
    assert not RollupFailure.objects.exists()
    assert SiteDay.objects.get(site=broken, day=days_ago(1).date()).comments == 1
