"""Signing secrets of a site's Coral external moderation phase (Coral makes
them; owners paste them here). Several stay valid while Coral rotates."""
from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction

from comments.models import Site
from moderation.services.audit import audit_record
from moderation.services.errors import ModerationRefused

from ..models import CoralSigningSecret
from .keys import require_owner


def coral_secret_add(*, user, site: Site, secret: str) -> CoralSigningSecret:
    require_owner(user, site)
    secret = (secret or "").strip()
    # Whitespace is a paste mistake; other control characters (a NUL cannot even be stored) are never in it.
    if not 16 <= len(secret) <= 200 or any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in secret):
        raise ModerationRefused("Paste the phase's signing secret exactly as Coral shows it (16 to 200 characters).")
    try:
        with transaction.atomic():
            row = CoralSigningSecret.objects.create(site=site, secret=secret, created_by=user)
            audit_record(actor=user, action="coral_secret.add", site=site, target=f"coral-secret:{secret[:6]}")
    except IntegrityError:
        raise ModerationRefused("That secret is already there.") from None
    return row


def coral_secret_remove(*, user, site: Site, secret_id: int) -> bool:
    require_owner(user, site)
    with transaction.atomic():
        row = CoralSigningSecret.objects.filter(pk=secret_id, site=site).first()
        if row is None:
            return False
        row.delete()
        audit_record(actor=user, action="coral_secret.remove", site=site, target=f"coral-secret:{row.secret[:6]}")
    return True
