"""Readers' reports from the comment platform: each puts the comment in the 'reported' tab."""
from __future__ import annotations

from comments.models import Comment

from ..models import CommentReport


def report_submit(*, comment: Comment, reporter: str = "", reason: str = "") -> CommentReport:
    return CommentReport.objects.create(comment=comment, site_id=comment.site_id, reporter=reporter, reason=reason[:500])
