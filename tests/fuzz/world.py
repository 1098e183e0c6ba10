"""The data every fuzzed request meets: two sites, four kinds of caller, and real rows to aim at.

Site A has a moderator and an owner; the outsider owns site B. Each site has
comments (a flagged thread and a decided one), an API token for the read API,
a Perspective key, webhook signing secrets for every platform and a Coral
phase secret, so the fuzzer can reach past every door with valid credentials
and then send nonsense.
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field

from comments.models import Site
from moderation.models import RejectionReason, Score, SiteMembership
from moderation.services.decisions import decision_make
from perspective.services.coral_secrets import coral_secret_add
from perspective.services.keys import api_key_issue
from tests.factories import SiteFactory, member, scored_comment
from webhooks.services.secrets import secret_rotate
from webhooks.services.tokens import api_token_create
from webhooks.signing import hex_hmac, standard_headers

PLATFORMS = ("generic", "discourse", "wordpress", "coral")
USERS = ("anonymous", "moderator", "owner", "outsider")


@dataclass
class Credentials:
    """What a caller holds for the machine doors of its own site (none for the anonymous)."""

    site: Site | None = None
    api_token: str = ""
    perspective_key: str = ""
    webhook_secrets: dict[str, str] = field(default_factory=dict)
    coral_secret: str = ""


@dataclass
class World:
    site_a: Site
    site_b: Site
    users: dict[str, object]  # name → User (None for the anonymous)
    credentials: dict[str, Credentials]
    path_values: dict[str, list[str]]  # converter name or parameter name → real values to aim at
    site_a_values: dict[str, str]  # parameter or converter name → a row of site A (the sharp pass aims here)
    tokens: list[str]  # real ids, slugs and names that form values may carry


def _secret_value(slug: str, platform: str) -> str | None:
    """Standard Webhooks secrets are generated (whsec_…); Discourse and Coral take any string."""
    return None if platform in ("generic", "wordpress") else f"{slug}-{platform}-secret"


def _site(slug: str, owner_name: str, *, moderator_name: str | None):
    site = SiteFactory(slug=slug, name=slug.title())
    owner = member(site, "owner", owner_name)
    moderator = member(site, "moderator", moderator_name) if moderator_name else None
    flagged = scored_comment(site, f"{slug}-c1", article=f"{slug}-a1", toxicity={"toxicity": 0.95, "insult": 0.9})
    reply = scored_comment(site, f"{slug}-c2", article=f"{slug}-a1", parent=f"{slug}-c1", framing=0.8)
    calm = scored_comment(site, f"{slug}-c3", article=f"{slug}-a2", author="bob")
    decision_make(user=owner, comment=calm, action="approve", expected_version=0)
    key, raw_key = api_key_issue(user=owner, site=site, name="fuzz")
    coral = f"coral-phase-secret-{slug}-0123456789"
    coral_row = coral_secret_add(user=owner, site=site, secret=coral)
    credentials = Credentials(
        site=site,
        api_token=api_token_create(site=site, name="fuzz"),
        perspective_key=raw_key,
        webhook_secrets={platform: secret_rotate(site=site, purpose=platform, value=_secret_value(slug, platform))
                         for platform in PLATFORMS},
        coral_secret=coral,
    )
    return site, owner, moderator, [flagged, reply, calm], key, credentials, coral_row


def world_build() -> World:
    site_a, owner, moderator, comments_a, key_a, credentials_a, coral_a = _site("alpha", "owner-a",
                                                                                moderator_name="moderator-a")
    site_b, outsider, _, comments_b, key_b, credentials_b, coral_b = _site("beta", "owner-b", moderator_name=None)
    comments = comments_a + comments_b
    memberships = list(SiteMembership.objects.values_list("pk", flat=True))
    reasons = list(RejectionReason.objects.filter(site__in=[site_a, site_b]).values_list("pk", flat=True)[:6])
    scores = list(Score.objects.filter(comment__in=comments).values_list("pk", flat=True)[:4])
    article_ids = sorted({c.article_id for c in comments})
    author_ids = sorted({c.author_id for c in comments if c.author_id})
    ints = sorted({*(c.pk for c in comments), *article_ids, *author_ids, *memberships, *reasons, key_a.pk, key_b.pk,
                   owner.pk, moderator.pk, outsider.pk})
    slugs = [site_a.slug, site_b.slug, *PLATFORMS]
    external_ids = [c.external_id for c in comments]
    path_values = {
        "int": [str(n) for n in ints],
        "slug": slugs,
        "str": [str(n) for n in ints] + external_ids,
        "path": [str(n) for n in ints] + external_ids,
        "platform_name": list(PLATFORMS),
        "site_slug": [site_a.slug, site_b.slug],
        "external_id": external_ids,
        "reason_id": [str(n) for n in reasons],
        "membership_id": [str(n) for n in memberships],
        "key_id": [str(key_a.pk), str(key_b.pk)],
        "secret_id": [str(coral_a.pk), str(coral_b.pk)],
    }
    flagged_a = comments_a[0]
    site_a_values = {
        "int": str(flagged_a.pk), "str": str(flagged_a.pk), "path": str(flagged_a.pk), "slug": site_a.slug,
        "site_slug": site_a.slug, "platform_name": "generic", "external_id": flagged_a.external_id,
        "reason_id": str(RejectionReason.objects.filter(site=site_a).values_list("pk", flat=True).first()),
        "membership_id": str(SiteMembership.objects.get(site=site_a, user=moderator).pk),
        "key_id": str(key_a.pk), "secret_id": str(coral_a.pk),
    }
    tokens = [
        *path_values["str"], site_a.slug, site_b.slug, "owner-a", "moderator-a", "owner-b",
        *(f"reject:{n}" for n in reasons), *(f"{c.pk}:0" for c in comments), *(f"{c.pk}:1" for c in comments),
        *(f"{s}:toxicity:1" for s in scores), *(f"{s}:insult:0" for s in scores),
        ",".join(f"{c.pk}:0" for c in comments_a),
    ]
    return World(
        site_a=site_a, site_b=site_b,
        users={"anonymous": None, "moderator": moderator, "owner": owner, "outsider": outsider},
        credentials={"anonymous": Credentials(), "moderator": credentials_a, "owner": credentials_a,
                     "outsider": credentials_b},
        path_values=path_values, site_a_values=site_a_values, tokens=tokens,
    )


def signed_headers(*, credentials: Credentials, platform: str, body: bytes) -> dict[str, str]:
    """The headers a platform signs a delivery with, under the caller's own site's secret."""
    secret = credentials.webhook_secrets.get(platform)
    if not secret:
        return {}
    if platform in ("generic", "wordpress"):
        return standard_headers(secrets_=[secret], msg_id=f"msg_{uuid.uuid4().hex}", body=body)
    if platform == "discourse":
        return {"x-discourse-event": "post_created", "x-discourse-event-id": uuid.uuid4().hex,
                "x-discourse-event-signature": f"sha256={hex_hmac(secret=secret, body=body)}"}
    return {"x-coral-signature": f"sha256={hex_hmac(secret=secret, body=body)}"}


def coral_signature(*, credentials: Credentials, body: bytes) -> dict[str, str]:
    if not credentials.coral_secret:
        return {}
    return {"x-coral-signature": "sha256=" + hmac.new(credentials.coral_secret.encode(), body, hashlib.sha256).hexdigest()}


__all__ = ["PLATFORMS", "USERS", "Credentials", "World", "coral_signature", "signed_headers", "world_build"]
