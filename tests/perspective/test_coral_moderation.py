"""Coral's external moderation phase: signed requests in, the site policy's decision out."""
import hashlib
import hmac
import json

import pytest

from moderation import policy
from moderation.services.flags import flag_policy_update
from perspective.models import CoralSigningSecret
from tests.perspective.conftest import toxicity_of

pytestmark = pytest.mark.django_db
SECRET = "ssc_3f1b4c2d-6a7e-4f9a-9d2b-1c3e5f7a9b0d"


def coral_request(body="I will find you and hurt you.", action="NEW"):
    # Shaped as Coral's ExternalModerationRequest, serialised as Coral does (JSON.stringify(data, null, 2)).
    return json.dumps({
        "action": action,
        "comment": {"body": body, "parentID": None},
        "author": {"id": "2b6a7c1e-user", "role": "COMMENTER"},
        "story": {"id": "7d1f-story", "url": "https://news.example/story"},
        "site": {"id": "c0ffee-site"},
        "tenantID": "t-1",
        "tenantDomain": "comments.news.example",
    }, indent=2).encode()


def sign(body: bytes, *secrets: str) -> str:
    return ",".join("sha256=" + hmac.new(s.encode(), body, hashlib.sha256).hexdigest() for s in secrets)


def post(client, site, body: bytes, signature: str | None):
    headers = {} if signature is None else {"HTTP_X_CORAL_SIGNATURE": signature}
    return client.post(f"/coral/{site.slug}/moderation/", data=body, content_type="application/json", **headers)


@pytest.fixture
def coral_site(site, owner):
    CoralSigningSecret.objects.create(site=site, secret=SECRET)
    return site


def only(label: str, action: str):
    """A policy where just this label can fire (threshold 0: it always does), so the random tiny model decides nothing else."""
    rules = {name: {"threshold": 1.0, "action": "off"} for name in policy.DEFAULT_RULES}
    rules[label] = {"threshold": 0.0, "action": action}
    return rules


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "md5=abc", sign(coral_request(), "wrong-secret-0000000")])
def test_missing_or_bad_signatures_are_401(client, coral_site, signature):
    assert post(client, coral_site, coral_request(), signature).status_code == 401


def test_a_tampered_body_fails_the_signature(client, coral_site):
    body = coral_request()
    assert post(client, coral_site, body.replace(b"hurt", b"hug!"), sign(body, SECRET)).status_code == 401


def test_unknown_site_looks_like_a_bad_signature(client, coral_site):
    body = coral_request()
    response = client.post("/coral/nowhere/moderation/", data=body, content_type="application/json",
                           HTTP_X_CORAL_SIGNATURE=sign(body, SECRET))
    assert response.status_code == 401


def test_hold_becomes_system_withheld_with_a_toxic_flag(client, coral_site, realtime_scorer):
    flag_policy_update(site=coral_site, rules=only("threat", policy.HOLD))
    body = coral_request()
    response = post(client, coral_site, body, sign(body, SECRET))
    assert response.status_code == 200, response.content
    decision = response.json()
    assert decision["status"] == "SYSTEM_WITHHELD"
    assert [(a["actionType"], a["reason"]) for a in decision["actions"]] == [("FLAG", "COMMENT_DETECTED_TOXIC")]
    score = toxicity_of("I will find you and hurt you.")["threat"]
    assert decision["actions"][0]["additionalDetails"] == f"Threadwarden: threat {score:.2f} >= 0.00"


def test_review_flags_without_changing_the_status(client, coral_site, realtime_scorer):
    flag_policy_update(site=coral_site, rules=only("insult", policy.REVIEW))
    body = coral_request(action="EDIT")
    decision = post(client, coral_site, body, sign(body, SECRET)).json()
    assert "status" not in decision
    assert decision["actions"][0]["actionType"] == "FLAG"


def test_nothing_fires_is_204_without_a_body(client, coral_site, realtime_scorer):
    flag_policy_update(site=coral_site, rules=only("toxicity", "off"))
    body = coral_request()
    response = post(client, coral_site, body, sign(body, SECRET))
    assert response.status_code == 204 and response.content == b""


def test_banned_word_holds(client, coral_site, realtime_scorer):
    flag_policy_update(site=coral_site, rules=only("toxicity", "off"), banned_words=["hurt"])
    body = coral_request()
    decision = post(client, coral_site, body, sign(body, SECRET)).json()
    assert decision["status"] == "SYSTEM_WITHHELD"
    assert "banned_word: hurt" in decision["actions"][0]["additionalDetails"]


def test_any_signature_of_a_rotation_is_accepted(client, coral_site, realtime_scorer):
    flag_policy_update(site=coral_site, rules=only("toxicity", "off"))
    body = coral_request()
    # Coral signs with every active secret, comma-separated; ours is the second one here.
    assert post(client, coral_site, body, sign(body, "ssc_old-secret-we-never-had", SECRET)).status_code == 204


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not JSON"),
    (json.dumps({"action": "DELETE", "comment": {"body": "x"}}).encode(), "action"),
    (json.dumps({"action": "NEW", "comment": {}}).encode(), "comment.body"),
    (json.dumps({"action": "NEW", "comment": {"body": "x", "parentID": 5}}).encode(), "comment.parentID"),
])
def test_signed_but_malformed_is_400(client, coral_site, body, message):
    response = post(client, coral_site, body, sign(body, SECRET))
    assert response.status_code == 400 and message in response.json()["error"]


def test_oversized_body_is_413(client, coral_site):
    body = coral_request(body="x" * 300_000)
    assert post(client, coral_site, body, sign(body, SECRET)).status_code == 413


def test_scorer_down_is_503_so_coral_skips_the_phase(client, coral_site, tiny_models):
    body = coral_request()
    assert post(client, coral_site, body, sign(body, SECRET)).status_code == 503


def test_owner_adds_and_removes_secrets_from_settings(site, owner):
    from tests.factories import logged_in

    client = logged_in(owner)
    client.post(f"/sites/{site.slug}/settings/coral-secrets/", {"secret": SECRET})
    row = CoralSigningSecret.objects.get(site=site)
    page = client.get(f"/sites/{site.slug}/settings/").content.decode()
    assert f"/coral/{site.slug}/moderation/" in page and SECRET not in page
    client.post(f"/sites/{site.slug}/settings/coral-secrets/{row.pk}/remove/")
    assert not CoralSigningSecret.objects.exists()
