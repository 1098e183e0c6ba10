"""Storing each open thread's heat (analytics/heat_formula.py computes it)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, FloatField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from comments.models import Article, Comment
from comments.readable import readable

from .. import heat_formula
from ..models import ThreadHeat
from ..thresholds import site_thresholds


def _nodes(article_id: int) -> list[heat_formula.Node]:
    rows = (
        # A comment whose date cannot be read back is left out, as in the rollups.
        Comment.objects.filter(readable("created_at"), article_id=article_id)
        .exclude(status=Comment.Status.REMOVED)
        .annotate(tox_labels=F("scoring__toxicity_score__labels"), frame_labels=F("scoring__framing_score__labels"))
        .annotate(
            tox=Cast(KT("tox_labels__toxicity"), FloatField()),
            frame=Cast(KT("frame_labels__conspiracy_framing"), FloatField()),
        )
        .values_list("pk", "parent_id", "author__display_name", "author__external_id", "created_at", "tox", "frame")
    )
    return [heat_formula.Node(pk, parent, name or external or "", created, tox, frame)
            for pk, parent, name, external, created, tox, frame in rows]


def heat_refresh_articles(
    *, article_ids: set[int] | None = None, site_ids: list[int] | None = None, now: dt.datetime
) -> int:
    """Recompute the heat of every thread of the articles named (or, with
    ``site_ids``, of every article with recent activity on those sites).
    Only threads active within ANALYTICS_HEAT_WINDOW_DAYS are kept: the
    others are not open any more."""
    window_start = now - dt.timedelta(days=settings.ANALYTICS_HEAT_WINDOW_DAYS)
    if article_ids is None:
        article_ids = set(
            Comment.objects.filter(site_id__in=site_ids or [], created_at__gte=window_start)
            .values_list("article_id", flat=True).distinct()
        )
        ThreadHeat.objects.filter(site_id__in=site_ids or []).exclude(article_id__in=article_ids).delete()
    articles = Article.objects.filter(pk__in=article_ids).values_list("pk", "site_id")
    thresholds: dict[int, float] = {}
    for article_id, site_id in articles:
        if site_id not in thresholds:
            thresholds[site_id] = site_thresholds(site_id=site_id)["conspiracy_framing"]
        threads = heat_formula.threads_heat(nodes=_nodes(article_id), framing_threshold=thresholds[site_id])
        ThreadHeat.objects.filter(article_id=article_id).delete()
        ThreadHeat.objects.bulk_create(
            ThreadHeat(
                site_id=site_id, article_id=article_id, root_id=thread.root_id, heat=thread.heat,
                reasons=[reason.as_dict() for reason in thread.reasons], comments=thread.comments,
                last_activity_at=thread.last_activity_at,
            )
            for thread in threads
            if thread.heat > 0 and thread.last_activity_at and thread.last_activity_at >= window_start
        )
    return len(articles)
