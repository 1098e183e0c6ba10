"""The dashboards (one site, or every site the user may see), CSV exports, an
article's page, and the heating-threads box the moderation queue loads.

Access: a site the user has no role on is a 404. Owners see everything about
their sites; moderators see the moderation part of the sites they moderate
(and the heating box); an article's page is discussion analysis, for owners."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comments.models import Article, Site
from moderation.selectors.access import Role, user_roles, user_site, user_sites

from . import charts
from .periods import BUCKETS, PERIODS, period_from
from .selectors import Scope, analytics_scope, article_detail, dashboard, heating_threads, latest_comment_day
from .tables import table_csv

TEMPLATE = "analytics/dashboard.html"


def _render_dashboard(request: HttpRequest, scope: Scope) -> HttpResponse:
    today = timezone.now().date()
    # Only the default period looks for the latest data; an explicit one is shown as asked.
    latest = None if request.GET.get("period") else latest_comment_day(site_ids=scope.moderation_site_ids, today=today)
    period = period_from(request.GET, today=today, latest_day=latest)
    dash = dashboard(scope=scope, period=period)
    if request.GET.get("format") == "csv":
        table = dash.tables.get(request.GET.get("table", ""))
        if table is None:
            raise Http404("No such table.")
        response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
        name = scope.site.slug if scope.site else "all-sites"
        response["Content-Disposition"] = f'attachment; filename="{name}-{table.name}-{period.start}-{period.end}.csv"'
        return response
    tables = dash.tables
    chart = {}
    if "activity" in tables:
        chart["activity"] = charts.stacked_bars(tables["activity"], [4, 5, 3, 6], title="Decisions and holds",
                                                colors=("#16a34a", "#dc2626", "#d97706", "#6b7280"))
        chart["received"] = charts.line_chart(tables["activity"], [1, 2], title="Comments received and flagged")
        chart["labels"] = charts.line_chart(tables["labels"], list(range(1, 9)), suffix="%", width=1100)
        chart["authors"] = charts.stacked_bars(tables["authors"], [1, 2], colors=("#2563eb", "#93c5fd"))
    if "backlog" in tables:
        chart["backlog"] = charts.line_chart(tables["backlog"], [3, 1, 2])
    context = {
        "scope": scope,
        "dash": dash,
        "chart": chart,
        "period": period,
        "periods": PERIODS,
        "buckets": BUCKETS,
        "bucket_chosen": request.GET.get("bucket", ""),
        "sites": list(user_sites(user=request.user)),
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#body", context)
    return render(request, TEMPLATE, context)


@login_required
@require_GET
def dashboard_all(request: HttpRequest) -> HttpResponse:
    scope = analytics_scope(user=request.user)
    if scope is None:
        raise PermissionDenied("You have no role on any site.")
    return _render_dashboard(request, scope)


@login_required
@require_GET
def dashboard_site(request: HttpRequest, slug: str) -> HttpResponse:
    site = user_site(user=request.user, slug=slug, role="moderator")
    return _render_dashboard(request, analytics_scope(user=request.user, site=site))


@login_required
@require_GET
def article_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    site: Site = user_site(user=request.user, slug=slug, role="owner")
    article = get_object_or_404(Article, pk=pk, site=site)
    detail = article_detail(article=article)
    if request.GET.get("format") == "csv":
        response = HttpResponse(table_csv(detail.per_hour), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{site.slug}-article-{article.pk}-per-hour.csv"'
        return response
    context = {
        "site": site,
        "detail": detail,
        "tree_chart": charts.thread_tree(detail.tree_nodes),
        "hour_chart": charts.stacked_bars(detail.per_hour, [1], colors=("#2563eb",)),
    }
    return render(request, "analytics/article.html", context)


@login_required
@require_GET
def heating_box(request: HttpRequest) -> HttpResponse:
    """The "Heating threads" box above the queue's tabs, which the queue page loads
    (htmx) so that moderation never imports analytics. ``?site=`` is the queue's
    own site filter (a slug); without it, every site the user moderates."""
    slug = request.GET.get("site", "")
    if slug:
        site_ids = [user_site(user=request.user, slug=slug, role=Role.MODERATOR).pk]
    else:
        site_ids = list(user_roles(user=request.user))
        if not site_ids:
            raise PermissionDenied("You have no role on any site.")
    return render(request, "analytics/queue_heating.html", {"heating_threads": heating_threads(site_ids=site_ids)})
