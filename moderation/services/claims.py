"""Claims: opening an item holds it for a few minutes so two moderators
don't work the same comment; everyone else sees who holds it."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment

from ..models import Claim


def claim_take(*, comment: Comment, user, now: dt.datetime | None = None) -> Claim:
    """Claim the item, or renew one's own claim. When another moderator holds
    an unexpired claim it stays theirs and is returned unchanged."""
    now = now or timezone.now()
    until = now + dt.timedelta(seconds=settings.QUEUE_CLAIM_SECONDS)
    # Guarded: only an expired claim or one's own is taken over.
    taken = Claim.objects.filter(pk=comment.pk).filter(Q(user=user) | Q(expires_at__lte=now)).update(
        user=user, claimed_at=now, expires_at=until
    )
    if not taken:
        try:
            with transaction.atomic():
                Claim.objects.create(comment=comment, site_id=comment.site_id, user=user, claimed_at=now, expires_at=until)
        except IntegrityError:
            pass  # someone else holds it
    return Claim.objects.select_related("user").get(pk=comment.pk)


def claim_holder(*, comment_id: int, now: dt.datetime | None = None) -> Claim | None:
    now = now or timezone.now()
    return Claim.objects.select_related("user").filter(pk=comment_id, expires_at__gt=now).first()
