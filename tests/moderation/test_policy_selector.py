"""Issue 17: one read of "the flag policy for this site" (moderation/selectors/policy.py).

Every reader (flags, the queue's cards, scoring's framing terms, the offline
scorer, the Perspective API's terms, Coral's moderation phase, the rollups'
thresholds, the settings form) gets the stored policy or the same unsaved
default, and reading never writes one."""
import pytest
from django.urls import reverse

from moderation.models import FlagPolicy
from moderation.selectors.policy import site_policies, site_policy
from moderation.services.flags import flag_policy_update
from perspective.services.analyze import site_framing_terms
from tests.factories import SiteFactory, logged_in

pytestmark = pytest.mark.django_db


def test_a_site_without_a_policy_reads_the_unsaved_default(site):
    other = SiteFactory(slug="other")
    flag_policy_update(site=other, rules={"toxicity": {"threshold": 0.5, "action": "hold"}}, banned_words=["spam"])
    policies = site_policies(site_ids=[site.pk, other.pk])
    assert set(policies) == {site.pk, other.pk}
    default = policies[site.pk]
    assert default.pk is None and (default.rules, default.banned_words, default.suspect_words, default.framing_terms) == (
        {}, [], [], {})
    assert policies[other.pk].pk is not None and policies[other.pk].banned_words == ["spam"]
    alone = site_policy(site=site)
    assert alone.pk is None and alone.site == site
    assert FlagPolicy.objects.filter(site=site).count() == 0


def test_the_perspective_api_reads_the_terms_through_it(site):
    assert site_framing_terms(site=site) == {}
    FlagPolicy.objects.create(site=site, framing_terms={"agent": ["the lizard council"]})
    assert site_framing_terms(site=site) == {"agent": ["the lizard council"]}
    assert site_policy(site=site).framing_terms == {"agent": ["the lizard council"]}


def test_showing_the_settings_page_writes_no_policy(site, owner):
    response = logged_in(owner).get(reverse("moderation:site_settings", args=[site.slug]))
    assert response.status_code == 200 and 'name="toxicity__threshold"' in response.content.decode()
    assert not FlagPolicy.objects.filter(site=site).exists()  # a GET reads; only a save creates the row
