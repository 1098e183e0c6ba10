"""The guards of API keys, at the service: only a site's owners issue and
revoke its keys, a revoke names the key's own site, a revoked key is dead."""
import pytest

from moderation.services.errors import ModerationRefused
from perspective.models import ApiKey
from perspective.services.keys import api_key_authenticate, api_key_issue, api_key_revoke
from tests.factories import SiteFactory, member

pytestmark = pytest.mark.django_db


def test_a_senior_moderator_can_neither_issue_nor_revoke_keys(site, owner):
    senior = member(site, "senior", "senior")
    key, raw = api_key_issue(user=owner, site=site, name="Coral")
    with pytest.raises(ModerationRefused, match="owners"):
        api_key_issue(user=senior, site=site, name="mine")
    with pytest.raises(ModerationRefused, match="owners"):
        api_key_revoke(user=senior, site=site, key_id=key.pk)
    assert ApiKey.objects.count() == 1 and api_key_authenticate(raw=raw) == key


def test_an_owner_revoking_through_their_own_site_cannot_reach_another_sites_key(site, owner):
    key, raw = api_key_issue(user=owner, site=site, name="Coral")
    other = SiteFactory(slug="other")
    assert api_key_revoke(user=member(other, "owner", "other-owner"), site=other, key_id=key.pk) is False
    assert api_key_authenticate(raw=raw) == key


def test_a_revoked_key_authenticates_nothing(site, owner):
    key, raw = api_key_issue(user=owner, site=site, name="Coral")
    assert api_key_revoke(user=owner, site=site, key_id=key.pk) is True
    assert api_key_authenticate(raw=raw) is None
    assert api_key_revoke(user=owner, site=site, key_id=key.pk) is False  # once
