"""One item: its page, the context that opening it loads (and the claim it
takes), the whole thread, and the author's drawer."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..selectors.access import Role, role_allows, user_author, user_comment
from ..selectors.items import author_recent_comments, author_records, item_context, queue_items, whole_thread
from ..services.claims import claim_take
from ..services.decisions import SANCTION_DAYS

TEMPLATE = "moderation/item.html"


def _item_and_context(request: HttpRequest, pk: int) -> dict:
    comment, role = user_comment(user=request.user, pk=pk)
    claim = claim_take(comment=comment, user=request.user)
    item = queue_items(comment_ids=[comment.pk])[0]
    return {
        "item": item,
        "claim": claim,
        "role": role,
        "context": item_context(comment=item.comment),
        "now": timezone.now(),
        "sanction_days": SANCTION_DAYS,
        "can_ban": role_allows(role, Role.SENIOR),
    }


@login_required
@require_GET
def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The item on its own page (deep links, no-JS use); opening it claims it."""
    return render(request, TEMPLATE, _item_and_context(request, pk))


@login_required
@require_GET
def item_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The card's context, loaded when a moderator moves onto it; claims the item."""
    return render(request, f"{TEMPLATE}#context", {**_item_and_context(request, pk), "oob_live": True})


@login_required
@require_GET
def item_thread(request: HttpRequest, pk: int) -> HttpResponse:
    comment, _ = user_comment(user=request.user, pk=pk)
    return render(request, f"{TEMPLATE}#thread", {"thread": whole_thread(comment=comment), "item_pk": comment.pk})


@login_required
@require_GET
def item_text(request: HttpRequest, pk: int) -> HttpResponse:
    """A long body in full ("show all" on a card): read only, takes no claim."""
    comment, _ = user_comment(user=request.user, pk=pk)
    item = queue_items(comment_ids=[comment.pk])[0]
    return render(request, "moderation/queue.html#body", {"item": item, "full_body": True})


@login_required
@require_GET
def author_drawer(request: HttpRequest, pk: int) -> HttpResponse:
    author = user_author(user=request.user, pk=pk)
    context = {
        "author": author,
        "record": author_records(author_ids={author.pk})[author.pk],
        "recent": author_recent_comments(author=author),
    }
    template = "moderation/author.html#drawer" if request.htmx else "moderation/author.html"
    return render(request, template, context)
