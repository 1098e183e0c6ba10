"""What moderation does when comments/ says a comment changed or a site was created (see comments.events)."""
from __future__ import annotations

from comments.events import Change
from comments.models import Comment, Site

from .services.reviews import review_reopen_after_edit
from .services.scoring import scoring_mark_pending
from .services.site_settings import rejection_reasons_ensure_for


def comment_changed(comment: Comment, change: Change) -> None:
    if change == Change.EDITED:
        review_reopen_after_edit(comment=comment)
    scoring_mark_pending(comment=comment, change=change)


def site_created(site: Site) -> None:
    # Reasons are written with the site, so reading a page never has to write them.
    rejection_reasons_ensure_for(site_ids=[site.pk])
