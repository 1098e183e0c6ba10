"""Signing secrets: created or rotated with an overlap, shown once."""
from __future__ import annotations

import datetime as dt
import secrets as random_secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comments.models import Site

from ..models import SigningSecret
from ..signing import standard_key, standard_secret_generate

Purpose = SigningSecret.Purpose
# Discourse and Coral take any string; the Standard Webhooks purposes take whsec_ keys.
STANDARD_PURPOSES = {Purpose.GENERIC, Purpose.WORDPRESS, Purpose.OUTBOUND}


def secret_rotate(
    *, site: Site, purpose: str, value: str | None = None, overlap: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Make a new secret the current one; the older ones stay valid for
    ``overlap`` (WEBHOOK_SECRET_OVERLAP_HOURS). Returns the new value: the
    only time it is shown. ``value`` is for secrets the platform generates (Coral)."""
    now = now or timezone.now()
    overlap = overlap if overlap is not None else dt.timedelta(hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS)
    if value is None:
        value = standard_secret_generate() if purpose in STANDARD_PURPOSES else random_secrets.token_urlsafe(32)
    elif purpose in STANDARD_PURPOSES:
        standard_key(value)  # raises ValueError for a malformed whsec_ secret
    with transaction.atomic():
        SigningSecret.objects.filter(site=site, purpose=purpose).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now + overlap)
        ).update(expires_at=now + overlap)
        SigningSecret.objects.create(site=site, purpose=purpose, value=value, hint=value[:10])
    return value


def secrets_current(*, site: Site, purpose: str, now: dt.datetime | None = None) -> list[str]:
    """Every secret that verifies now, newest first."""
    now = now or timezone.now()
    return list(
        SigningSecret.objects.filter(site=site, purpose=purpose)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-pk")
        .values_list("value", flat=True)
    )
