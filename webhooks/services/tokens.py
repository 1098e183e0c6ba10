"""Read API tokens: ``tw_`` + 43 random characters; only the SHA-256 is stored."""
from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from comments.models import Site

from ..models import ApiToken

PREFIX = "tw_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(*, site: Site, name: str) -> str:
    """Returns the token: the only time it is shown."""
    token = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(site=site, name=name, token_hash=_digest(token), hint=token[:9])
    return token


def api_token_site(*, token: str) -> Site | None:
    """The site a valid, unrevoked token belongs to. The lookup is by hash, so
    comparing is done by the database on a value an attacker cannot steer."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    found = ApiToken.objects.select_related("site").filter(token_hash=_digest(token), revoked_at__isnull=True).first()
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.site


def api_token_revoke(*, token_id: int) -> bool:
    return bool(ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now()))
