"""API keys are issued and revoked by a site's owners from its settings page; only a hash is kept."""
import re

import pytest

from moderation.models import AuditEvent
from perspective.models import ApiKey
from perspective.services.keys import api_key_authenticate, key_hash
from tests.factories import SiteFactory, logged_in, member

pytestmark = pytest.mark.django_db


def issue(user, site, name="Coral production"):
    return logged_in(user).post(f"/sites/{site.slug}/settings/api-keys/", {"name": name})


def test_owner_gets_the_key_once_and_only_its_hash_is_stored(site, owner):
    response = issue(owner, site)
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    raw = re.search(r'<code id="new-api-key">([^<]+)</code>', response.content.decode()).group(1)
    key = ApiKey.objects.get()
    assert key.key_hash == key_hash(raw) and raw not in (key.prefix, key.name, key.key_hash)
    assert raw.startswith(key.prefix)
    assert api_key_authenticate(raw=raw) == key
    assert not key.account.is_active and not key.account.has_usable_password()
    page = logged_in(owner).get(f"/sites/{site.slug}/settings/").content.decode()
    assert f"{key.prefix}…" in page and raw not in page
    assert AuditEvent.objects.filter(action="api_key.issue", site=site).exists()


def test_key_name_is_escaped_on_the_settings_page(site, owner):
    issue(owner, site, name="<script>alert(1)</script>")
    page = logged_in(owner).get(f"/sites/{site.slug}/settings/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_moderators_cannot_issue_and_outsiders_do_not_see_the_site(site):
    assert issue(member(site, "moderator", "moderator"), site).status_code == 403
    other = SiteFactory(slug="other")
    assert issue(member(other, "owner", "outsider"), site).status_code == 404
    assert not ApiKey.objects.exists()


def test_revoke_once_then_the_key_stops_working(site, owner, api_key):
    key, raw = api_key
    client = logged_in(owner)
    first = client.post(f"/sites/{site.slug}/settings/api-keys/{key.pk}/revoke/", follow=True)
    assert "Key revoked" in first.content.decode()
    second = client.post(f"/sites/{site.slug}/settings/api-keys/{key.pk}/revoke/", follow=True)
    assert "already revoked" in second.content.decode()
    assert api_key_authenticate(raw=raw) is None
    assert AuditEvent.objects.filter(action="api_key.revoke").count() == 1


def test_an_owner_cannot_revoke_another_sites_key(site, api_key):
    other = SiteFactory(slug="other")
    other_owner = member(other, "owner", "other-owner")
    logged_in(other_owner).post(f"/sites/{other.slug}/settings/api-keys/{api_key[0].pk}/revoke/")
    assert api_key_authenticate(raw=api_key[1]) == api_key[0]


@pytest.mark.parametrize("name", ["a\x00b", "tab\there", "bell\x07"])
def test_a_key_name_with_control_characters_is_refused_not_a_500(site, owner, name):
    # PostgreSQL cannot store a NUL: this was a 500 (DataError) from the owner's own settings form.
    client = logged_in(owner)
    client.raise_request_exception = False
    response = client.post(f"/sites/{site.slug}/settings/api-keys/", {"name": name})
    assert response.status_code == 302 and not ApiKey.objects.exists()


def test_a_coral_secret_with_a_nul_is_refused_not_a_500(site, owner):
    from perspective.models import CoralSigningSecret

    client = logged_in(owner)
    client.raise_request_exception = False
    response = client.post(f"/sites/{site.slug}/settings/coral-secrets/", {"secret": "ssc_0123456789\x00abcdef"})
    assert response.status_code == 302 and not CoralSigningSecret.objects.exists()


def _settings_endpoint(owner, site) -> str:
    page = logged_in(owner).get(f"/sites/{site.slug}/settings/").content.decode()
    return re.search(r"Perspective client \(Coral's toxicity check, scripts\) at <code>([^<]+)</code>", page).group(1)


def _issued_endpoint(owner, site) -> str:
    page = issue(owner, site).content.decode()
    return re.search(r"curl -s -X POST '([^']+)/comments:analyze", page).group(1)


def test_the_settings_and_new_key_pages_give_the_realtime_scorers_port(site, owner, settings):
    settings.PERSPECTIVE_API_LISTEN = "127.0.0.1:8001"  # what make run serves
    settings.PERSPECTIVE_PUBLIC_URL = ""
    assert _settings_endpoint(owner, site) == "http://127.0.0.1:8001/v1alpha1"
    assert _issued_endpoint(owner, site) == "http://127.0.0.1:8001/v1alpha1"


def test_a_wildcard_listen_address_takes_the_host_the_browser_used(site, owner, settings):
    settings.PERSPECTIVE_API_LISTEN = "0.0.0.0:9001"
    settings.PERSPECTIVE_PUBLIC_URL = ""
    assert _settings_endpoint(owner, site) == "http://testserver:9001/v1alpha1"


def test_perspective_public_url_wins_and_without_a_listener_the_web_port_serves(site, owner, settings):
    settings.PERSPECTIVE_PUBLIC_URL = "https://api.example.org/v1alpha1/"
    assert _settings_endpoint(owner, site) == "https://api.example.org/v1alpha1"
    assert _issued_endpoint(owner, site) == "https://api.example.org/v1alpha1"
    settings.PERSPECTIVE_PUBLIC_URL = ""
    settings.PERSPECTIVE_API_LISTEN = ""  # the realtime scorer's port is off: the web process is the door
    assert _settings_endpoint(owner, site) == "http://testserver/v1alpha1"
