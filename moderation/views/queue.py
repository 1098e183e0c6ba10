"""The queue page, its fragments (list, next page) and the live poll."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comments.fields import IngestError, datetime_field, integer_field

from ..forms import QueueFilterForm
from ..models import RejectionReason
from ..selectors.access import on_sites
from ..selectors.items import queue_items, queue_live
from ..selectors.queue import OPEN_TABS, TABS, QueueFilters, queue_counts, queue_new_since, queue_page
from ..selectors.scorers import active_scorers
from .filter_forms import filter_form_for

TEMPLATE = "moderation/queue.html"


def _filters_from(request: HttpRequest) -> tuple[QueueFilterForm, QueueFilters, dict[int, str]]:
    """The validated filters, narrowed to the user's sites. Naming a site,
    article or author the user may not see is a 404, as if it did not exist."""
    form, roles = filter_form_for(request, QueueFilterForm)
    filters = form.filters(list(roles))
    if not on_sites(site_ids=filters.site_ids, article_id=filters.article_id):
        raise Http404("No such article.")
    if not on_sites(site_ids=filters.site_ids, author_id=filters.author_id):
        raise Http404("No such author.")
    return form, filters, roles


def _counts(filters: QueueFilters) -> dict[str, str]:
    cap = settings.QUEUE_COUNT_CAP
    return {tab: f"{n}+" if n >= cap else str(n) for tab, n in queue_counts(filters=filters, cap=cap).items()}


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form, filters, roles = _filters_from(request)
    tab = form.current_tab
    now = timezone.now()
    page = queue_page(tab=tab, filters=filters, after=form.cursor(), size=settings.QUEUE_PAGE_SIZE)
    context = {
        "form": form,
        "tab": tab,
        "tabs": TABS,
        "items": queue_items(comment_ids=page.comment_ids, now=now),
        "next_cursor": page.next_cursor.encode() if page.next_cursor else "",
        "base_query": _query_without(request, "after", "tab", "fragment"),
        "page_query": _query_without(request, "after", "fragment"),
        "removes_decided": tab in (*OPEN_TABS, "escalated"),
        "now": now,
        "poll_seconds": settings.QUEUE_POLL_SECONDS,
        "roles": roles,
        "is_deep": bool(form.cursor()),
    }
    # Which fragment an htmx request wants follows from where it will land.
    fragment = {"queue-pager": "more", "queue-list": "list"}.get(request.htmx.target or "") if request.htmx else None
    if fragment == "more":
        return render(request, f"{TEMPLATE}#more", context)
    # The tab counts come with the first poll, which the page fires as soon as
    # it loads: the list is not kept waiting for them.
    context["first_poll"] = True
    if fragment == "list":
        return render(request, f"{TEMPLATE}#list-swap", context)
    context["scorers"] = active_scorers()
    context["undo_seconds"] = settings.QUEUE_UNDO_SECONDS
    context["bulk_reasons"] = RejectionReason.objects.filter(site_id__in=filters.site_ids, active=True).select_related("site")
    return render(request, TEMPLATE, context)


def _shown_ids(raw: str) -> list[int]:
    """The item ids the page says it shows; anything that is not an id cannot be on it, so it is dropped."""
    ids = []
    for token in raw.split(",")[:200]:
        try:
            ids.append(integer_field(token, "shown", minimum=1, allow_text=True))
        except IngestError:
            continue
    return ids


@login_required
@require_GET
def poll(request: HttpRequest) -> HttpResponse:
    """What changed since the page (or the last poll) was drawn: tab counts,
    newly flagged items, and who holds or decided the items on screen."""
    try:
        since = datetime_field(request.GET.get("since"), "since")
    except IngestError as bad:
        # Plain text: the message quotes the value, which must not become markup.
        return HttpResponseBadRequest(str(bad), content_type="text/plain; charset=utf-8")
    form, filters, roles = _filters_from(request)
    now = timezone.now()
    since = since or now
    shown = _shown_ids(request.GET.get("shown", ""))
    # Overlap a little: a flag committed late with an earlier timestamp still
    # arrives; what the page already shows is not sent again.
    recent = queue_new_since(tab=form.current_tab, filters=filters, since=since - dt.timedelta(seconds=2))
    new_ids = [pk for pk in recent if pk not in set(shown)]
    live = queue_live(comment_ids=shown, site_ids=list(roles), now=now)
    context = {
        "form": form,
        "tab": form.current_tab,
        "tabs": TABS,
        "counts": _counts(filters),
        "incoming": queue_items(comment_ids=new_ids, now=now),
        "live": live,
        "base_query": _query_without(request, "after", "tab", "fragment", "since", "shown"),
        "page_query": _query_without(request, "after", "fragment", "since", "shown"),
        "now": now,
        "poll_seconds": settings.QUEUE_POLL_SECONDS,
        "removes_decided": form.current_tab in (*OPEN_TABS, "escalated"),
    }
    return render(request, f"{TEMPLATE}#poll-response", context)
