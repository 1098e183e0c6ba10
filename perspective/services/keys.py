"""API keys for the Perspective-compatible API: issued by a site's owners,
stored as a hash, shown once, revoked with a guarded update."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from comments.models import Site
from moderation.selectors.access import Role, role_allows, user_role
from moderation.services.audit import audit_record
from moderation.services.errors import ModerationRefused

from ..models import ApiKey

KEY_PREFIX = "tw_"
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def require_owner(user, site: Site) -> None:
    if not role_allows(user_role(user=user, site_id=site.pk), Role.OWNER):
        raise ModerationRefused("Only the site's owners can manage its API keys.")


def api_key_issue(*, user, site: Site, name: str) -> tuple[ApiKey, str]:
    """A new key for the site; returns the row and the key itself, which is never stored."""
    require_owner(user, site)
    name = (name or "").strip()[:100]
    if not name:
        raise ModerationRefused("Give the key a name (what will use it).")
    if any(unicodedata.category(ch) == "Cc" for ch in name):  # a NUL cannot even be stored
        raise ModerationRefused("The key's name cannot contain control characters.")
    raw = KEY_PREFIX + secrets.token_urlsafe(30)
    prefix = raw[: len(KEY_PREFIX) + 6]
    with transaction.atomic():
        account = get_user_model()(username=f"api-key-{prefix}-{secrets.token_hex(4)}", is_active=False,
                                   first_name=f"API key {name}"[:150])
        account.set_unusable_password()
        account.save()
        key = ApiKey.objects.create(site=site, name=name, prefix=prefix, key_hash=key_hash(raw), account=account,
                                    created_by=user)
        audit_record(actor=user, action="api_key.issue", site=site, target=f"api-key:{prefix}", after={"name": name})
    return key, raw


def api_key_revoke(*, user, site: Site, key_id: int) -> bool:
    """Revoke once; a second click (or a race) changes nothing and says so."""
    require_owner(user, site)
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=key_id, site=site, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            key = ApiKey.objects.get(pk=key_id)
            audit_record(actor=user, action="api_key.revoke", site=site, target=f"api-key:{key.prefix}",
                         before={"name": key.name})
    return bool(revoked)


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The live key with this value, or None. Looked up by hash, so timing says nothing about the key."""
    if not raw or len(raw) > 200:
        return None
    key = ApiKey.objects.select_related("site").filter(key_hash=key_hash(raw), revoked_at__isnull=True).first()
    now = timezone.now()
    # At most one write a minute per key: the hot path stays a single read.
    if key is not None and (key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
