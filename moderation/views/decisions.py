"""Decision endpoints. With htmx they answer with fragments (the card goes,
a toast offers undo); without, they redirect back or show the refusal."""
from __future__ import annotations

from typing import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from comments.models import Comment

from ..forms import BulkDecisionForm, DecisionForm, FeedbackForm, SanctionForm
from ..models import RejectionReason, Score
from ..selectors.access import user_comment, user_comments, user_roles
from ..selectors.items import queue_items
from ..services.decisions import author_sanction, decision_make, decision_undo_last, decisions_bulk
from ..services.errors import DecisionConflict, ItemBeingReviewed, ModerationRefused
from ..services.feedback import score_feedback_record

PAST = {"approve": "Approved", "reject": "Rejected", "escalate": "Escalated", "suspend": "Suspended the author of",
        "ban": "Banned the author of"}


def _back(request: HttpRequest, fallback: str = "moderation:queue") -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        # A URL only: redirect() would first try it as a view name ("-1" was a 500).
        return HttpResponseRedirect(target)
    return redirect(fallback)


def _card(request: HttpRequest, pk: int, *, error: str = "", status: int = 200) -> HttpResponse:
    item = queue_items(comment_ids=[pk])[0]
    context = {"item": item, "error": error, "tab": request.POST.get("tab", ""), "removes_decided": False}
    return render(request, "moderation/queue.html#item", context, status=status)


# A refusal's status by its type: a conflict with another moderator is a 409, anything else not allowed a 403.
STATUS_FOR_REFUSAL: tuple[tuple[type[ModerationRefused], int], ...] = ((DecisionConflict, 409), (ItemBeingReviewed, 409))


def refusal_status(refused: ModerationRefused) -> int:
    return next((status for kind, status in STATUS_FOR_REFUSAL if isinstance(refused, kind)), 403)


def _refused(request: HttpRequest, pk: int, refused: ModerationRefused) -> HttpResponse:
    status = refusal_status(refused)
    if request.htmx:
        return _card(request, pk, error=refused.message, status=status)
    messages.error(request, refused.message)
    return redirect("moderation:item", pk=pk)


def _toast(request: HttpRequest, text: str, *, undo: bool, status: int = 200, extra: str = "") -> HttpResponse:
    response = render(request, "moderation/queue.html#toast-response",
                      {"toast": text, "undo": undo, "extra": extra}, status=status)
    response["HX-Trigger"] = "queue-changed"
    return response


def _answer(request: HttpRequest, text: str, fragment: Callable[[], HttpResponse], *,
            level: Callable = messages.success) -> HttpResponse:
    """Without htmx, the message on the next page and back where the moderator
    was; with htmx, the fragment that replaces what they acted on."""
    if not request.htmx:
        level(request, text)
        return _back(request)
    return fragment()


def _changed(response: HttpResponse, trigger: str = "queue-changed") -> HttpResponse:
    response["HX-Trigger"] = trigger
    return response


def _posted(request: HttpRequest, pk: int, form_class: type[forms.Form]) -> tuple[Comment, forms.Form]:
    """The item (a 404 when the user may not see it) and the form bound to what was posted about it."""
    comment, _ = user_comment(user=request.user, pk=pk)
    return comment, form_class(request.POST)


def _excerpt(comment: Comment) -> str:
    body = " ".join(comment.body.split())
    return f"“{body[:60]}…”" if len(body) > 60 else f"“{body}”"


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    comment, form = _posted(request, pk, DecisionForm)
    if not form.is_valid():
        return _refused(request, pk, ModerationRefused(" ".join(e for errs in form.errors.values() for e in errs)))
    action, reason_id = form.cleaned_data["decision"]
    reason = RejectionReason.objects.filter(pk=reason_id, site_id=comment.site_id).first() if reason_id else None
    try:
        decision = decision_make(user=request.user, comment=comment, action=action, reason=reason,
                                 expected_version=form.cleaned_data["version"], note=form.cleaned_data["note"])
    except ModerationRefused as refused:
        return _refused(request, pk, refused)
    text = f"{PAST[action]} {_excerpt(comment)}" + (f" ({decision.reason_label})" if decision.reason_label else "")
    if request.POST.get("removes") == "1":
        return _answer(request, text, lambda: _toast(request, text, undo=True))  # the card's swap with this empty body removes it
    return _answer(request, text, lambda: _changed(_card(request, pk)))


@login_required
@require_POST
def sanction(request: HttpRequest, pk: int) -> HttpResponse:
    comment, form = _posted(request, pk, SanctionForm)
    if not form.is_valid():
        return _refused(request, pk, ModerationRefused("Choose a sanction and how long it lasts."))
    try:
        author_sanction(user=request.user, comment=comment, kind=form.cleaned_data["kind"],
                        days=form.cleaned_data.get("days"), reason=form.cleaned_data["reason"])
    except ModerationRefused as refused:
        return _refused(request, pk, refused)
    text = f"{PAST[form.cleaned_data['kind']]} {_excerpt(comment)}"

    def card_and_toast() -> HttpResponse:
        response = _card(request, pk)
        response.write(render(request, "moderation/queue.html#toast", {"toast": text, "undo": True, "oob": True}).content)
        return response

    return _answer(request, text, card_and_toast)


@login_required
@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    comment, form = _posted(request, pk, FeedbackForm)
    score = None
    if form.is_valid():
        score_id, label, expected = form.cleaned_data["feedback"]
        score = Score.objects.filter(pk=score_id, comment=comment).first()
    if score is None:
        return _refused(request, pk, ModerationRefused("That score does not belong to this comment."))
    try:
        score_feedback_record(user=request.user, comment=comment, score=score, label=label, expected=expected)
    except ModerationRefused as refused:
        return _refused(request, pk, refused)
    text = f"Noted: {label.replace('_', ' ')} {'does not apply' if expected == 0.0 else 'applies'} (model said {score.labels[label]:.2f})."
    return _answer(request, text, lambda: render(request, "moderation/queue.html#feedback-done", {"text": text}))


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    decision = request.POST.get("decision", "")
    if decision == "reject":
        decision = request.POST.get("decision-reason", "reject")
    form = BulkDecisionForm({"decision": decision, "items": ",".join(request.POST.getlist("items"))})
    if not form.is_valid():
        text = " ".join(e for errs in form.errors.values() for e in errs)
        return _answer(request, text, lambda: _toast(request, text, undo=False, status=422), level=messages.error)
    action, reason_id = form.cleaned_data["decision"]
    roles = user_roles(user=request.user)
    versions = dict(form.cleaned_data["items"])
    # Items of sites the user may not see are left out, exactly as if they did not exist.
    comments = user_comments(roles=roles, comment_ids=versions)
    found_items = [(comments[pk], version) for pk, version in versions.items() if pk in comments]
    reason = None
    if reason_id:
        reason = RejectionReason.objects.filter(pk=reason_id, site_id__in=list(roles)).first()
    result = decisions_bulk(user=request.user, items=found_items, action=action, reason=reason)
    missing = len(versions) - len(found_items)
    text = f"{PAST[action]} {len(result.done)} item{'s' if len(result.done) != 1 else ''}."
    if result.refused or missing:
        text += f" {len(result.refused) + missing} refused: " + "; ".join(sorted(set(result.refused.values())) or ["not found"])
    return _answer(request, text, lambda: _changed(_toast(request, text, undo=bool(result.done)), "queue-changed, queue-refresh"),
                   level=messages.warning if result.refused else messages.success)


@login_required
@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    try:
        result = decision_undo_last(user=request.user)
    except ModerationRefused as refused:
        return _answer(request, refused.message, lambda: _toast(request, refused.message, undo=False, status=409),
                       level=messages.error)
    count = len(result.undone)
    text = f"Undone: {count} decision{'s' if count != 1 else ''}." if count else "Nothing was undone."
    if result.refused:
        text += " " + " ".join(sorted(set(result.refused)))
    return _answer(request, text, lambda: _changed(_toast(request, text, undo=False, status=200 if count else 409),
                                                   "queue-changed, queue-refresh"),
                   level=messages.success if count else messages.error)
