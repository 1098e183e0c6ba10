"""Scoring state and batches: what needs scoring, who is scoring it, and storing results.

The database says what still needs doing; tasks only carry ids as wake-up
calls. A task takes a lease on rows (``work.lease``, the ``LEASE`` below), so
two tasks never score the same row at once, and a redelivered task (same
task id) takes back what it held before its worker died.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comments.events import Change
from comments.models import Comment
from comments.readable import UNREADABLE_ERRORS
from judgement.scorers.base import Scorer, TextScore
from work import wakeups
from work.alone import batch_or_alone
from work.lease import (
    Lease, lease_take, lease_finish, lease_record_failure, lease_release_expired, lease_renew, lease_tries,
)

from .. import loaded_scorers
from ..models import ActiveScorer, CommentScoring, Score
from ..selectors.policy import site_policies
from .flags import flags_evaluate

logger = logging.getLogger(__name__)
State = CommentScoring.State
SCORE_TASK = "moderation.tasks.score_comments"  # by name: services never import tasks

# No back-off: a failed comment is pending again at once (its wake-up cleared,
# so the sweep sends one), scored alone next time, failed after the maximum.
LEASE = Lease(
    model=CommentScoring, ready=State.PENDING, held=State.SCORING, retry=State.PENDING, done=State.DONE,
    dead=State.FAILED, max_attempts=lambda: settings.SCORING_MAX_ATTEMPTS,
    lease_seconds=lambda: settings.SCORING_LEASE_SECONDS, order_by=("pending_since",), error_limit=2000,
)


def scoring_mark_pending(*, comment: Comment, change: Change) -> None:
    """Listener: inside the ingestion transaction, a new or edited text needs scoring."""
    if change not in (Change.CREATED, Change.EDITED):
        return
    now = timezone.now()
    fresh = {"state": State.PENDING, "pending_since": now, "enqueued_at": None, "claimed_by": "",
             "claimed_at": None, "attempts": 0, "last_error": ""}
    # A new comment has no row yet: one INSERT. An edit resets the existing row.
    reset = change == Change.EDITED and CommentScoring.objects.filter(comment=comment).update(**fresh)
    if not reset:
        CommentScoring.objects.create(comment=comment, **fresh)
    _wake_after_commit(comment.pk)


# Comments waiting for their transaction to commit, per thread. Every listener call
# registers the same on-commit sender; the first to run sends the whole buffer
# in batches (a bulk import publishes one message per batch, not per comment)
# and the others find it empty. Ids of rolled-back work may linger here: the
# sender keeps only rows that really are pending and not yet enqueued.
_waiting = threading.local()
_WAITING_LIMIT = 100_000  # a thread that only rolls back must not grow this forever


def _wake_after_commit(comment_id: int) -> None:
    ids = _waiting.__dict__.setdefault("ids", [])
    ids.append(comment_id)
    del ids[:-_WAITING_LIMIT]
    wakeups.after_commit(_send_wakeups)


def _send_wakeups() -> None:
    ids, _waiting.ids = getattr(_waiting, "ids", []), []
    if not ids:
        return
    pending = list(
        CommentScoring.objects.filter(pk__in=ids, state=State.PENDING, enqueued_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = settings.SCORING_BATCH_SIZE
    for start in range(0, len(pending), size):
        scoring_enqueue(comment_ids=pending[start : start + size])


def scoring_enqueue(*, comment_ids: Sequence[int]) -> bool:
    """Wake a worker. When the broker is down this returns False (``work.wakeups``
    logs it): the rows stay pending and the periodic sweep enqueues them later."""
    if not comment_ids:
        return True
    if not wakeups.wake(SCORE_TASK, list(comment_ids)):
        return False
    CommentScoring.objects.filter(pk__in=comment_ids, state=State.PENDING).update(enqueued_at=timezone.now())
    return True


def scoring_lease_take(
    *, holder: str, hint_ids: Iterable[int] = (), limit: int | None = None, top_up: bool = True
) -> list[int]:
    """Claim the hinted pending rows, topped up (unless ``top_up`` is off) with
    the oldest other pending ones up to ``limit``, so a busy queue is scored in
    full batches."""
    limit = limit or settings.SCORING_BATCH_SIZE
    return lease_take(LEASE, holder=holder, hint_ids=hint_ids, limit=limit, top_up=top_up)[:limit]


@dataclass
class ScoringResult:
    scored: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    superseded: list[int] = field(default_factory=list)  # edited while being scored: pending again


def _run_scorer(scorer: Scorer, texts: list[str]) -> tuple[list[TextScore], float]:
    started = time.perf_counter()
    results = scorer.score(texts)
    return results, (time.perf_counter() - started) * 1000


def _score_rows(comments: list[Comment]) -> dict[int, dict[str, Score]]:
    """Run every scorer over the comments; unsaved Score rows by comment and kind."""
    rows: dict[int, dict[str, Score]] = {c.pk: {} for c in comments}
    toxicity = loaded_scorers.toxicity_scorer().scorer
    plans: list[tuple[str, Scorer, list[Comment]]] = [(Score.Kind.TOXICITY, toxicity, comments)]
    by_site: dict[int, list[Comment]] = {}
    for comment in comments:
        by_site.setdefault(comment.site_id, []).append(comment)
    terms = {site_id: found.framing_terms for site_id, found in site_policies(site_ids=by_site).items()}
    for site_id, site_comments in by_site.items():
        plans.append((Score.Kind.FRAMING, loaded_scorers.framing_scorer(extra_terms=terms.get(site_id)), site_comments))
    for kind, scorer, batch in plans:
        results, elapsed_ms = _run_scorer(scorer, [c.body for c in batch])
        for comment, result in zip(batch, results, strict=True):
            rows[comment.pk][kind] = Score(
                comment=comment,
                kind=kind,
                scorer=scorer.name,
                version=scorer.version,
                content_hash=comment.content_hash,
                labels={label: float(value) for label, value in result.labels.items()},
                spans=[span.as_dict() for span in result.spans],
                sentences=result.sentences,
                details=result.details,
                batch_ms=elapsed_ms,
                batch_size=len(batch),
            )
    return rows


def _store(comments: list[Comment], rows: dict[int, dict[str, Score]], *, holder: str) -> set[int]:
    """Save a batch's scores and mark its comments done, except those whose
    text changed while they were scored (they are pending again). Returns the ids marked done."""
    new_scores = [score for by_kind in rows.values() for score in by_kind.values()]
    # The unique constraint makes a second insert of the same (comment, model, text) a no-op.
    Score.objects.bulk_create(new_scores, ignore_conflicts=True)
    saved = {
        (comment_id, scorer, version, content_hash): pk
        for pk, comment_id, scorer, version, content_hash in Score.objects.filter(
            comment_id__in=rows, version__in={s.version for s in new_scores}
        ).values_list("pk", "comment_id", "scorer", "version", "content_hash")
    }
    done: set[int] = set()
    now = timezone.now()
    with transaction.atomic():
        for comment in comments:
            ids = {
                kind: saved[(comment.pk, score.scorer, score.version, score.content_hash)]
                for kind, score in rows[comment.pk].items()
            }
            # Guarded by the lease and by the text: an edit while scoring made it pending again.
            if lease_finish(
                LEASE, pk=comment.pk, holder=holder, also=Q(comment__content_hash=comment.content_hash),
                scored_hash=comment.content_hash, scored_at=now,
                toxicity_score_id=ids.get(Score.Kind.TOXICITY), framing_score_id=ids.get(Score.Kind.FRAMING),
            ):
                done.add(comment.pk)
    flags_evaluate(comment_ids=done)
    return done


def scoring_record_failure(*, comment_id: int, holder: str, error: str) -> None:
    """Count a failed try; after SCORING_MAX_ATTEMPTS the comment is marked failed
    and left alone, so it never blocks the others."""
    lease_record_failure(LEASE, pk=comment_id, holder=holder, error=error)


def _load_leased(pks: list[int], *, holder: str, result: ScoringResult) -> list[Comment]:
    """The leased comments, in one query; when that query raises on a value
    it cannot read back (a date Python cannot hold), each row is loaded alone
    and the ones that still raise fail by themselves with their error."""
    def fail(pk: int, error: Exception) -> None:
        _fail(result, comment_id=pk, holder=holder,
              error=f"could not read the comment back: {type(error).__name__}: {error}")

    loaded = batch_or_alone(pks, lambda some: list(Comment.objects.filter(pk__in=some).order_by("pk")),
                            fail=fail, errors=UNREADABLE_ERRORS, what="read-back of leased comments")
    return [comment for _ids, comments in loaded for comment in comments]


def _fail(result: ScoringResult, *, comment_id: int, holder: str, error: str) -> None:
    scoring_record_failure(comment_id=comment_id, holder=holder, error=error)
    result.failed[comment_id] = error


def _score_groups(comments: list[Comment], *, holder: str, result: ScoringResult) -> list[tuple[list[Comment], dict]]:
    """Score the comments as one batch; when the batch fails, each comment is
    tried alone so one bad text fails by itself (any scorer failure is that comment's)."""
    def fail(comment: Comment, error: Exception) -> None:
        _fail(result, comment_id=comment.pk, holder=holder, error=f"{type(error).__name__}: {error}")

    return batch_or_alone(comments, _score_rows, fail=fail, what="scoring batch")


def scoring_run_leased(*, holder: str) -> ScoringResult:
    """Score everything this holder holds. Comments on their first try are
    scored as one batch per scorer; a comment that failed before (an error,
    an expired lease) is retried alone, so it cannot take a batch down twice.
    Whatever raises for one comment is recorded on its row (``last_error``)
    and counts a try; after SCORING_MAX_ATTEMPTS it is failed and left alone."""
    result = ScoringResult()
    first, again = lease_tries(LEASE, holder=holder)
    groups = _score_groups(_load_leased(first, holder=holder, result=result), holder=holder, result=result)
    for pk in again:
        # The batch took a while: the retries that follow keep their lease.
        lease_renew(LEASE, holder=holder, pks=[pk])
        groups += _score_groups(_load_leased([pk], holder=holder, result=result), holder=holder, result=result)
    for batch, rows in groups:
        done = _store(batch, rows, holder=holder)
        result.scored.extend(c.pk for c in batch if c.pk in done)
        result.superseded.extend(c.pk for c in batch if c.pk not in done)
    return result


def scoring_process(*, holder: str, hint_ids: Iterable[int] = (), top_up: bool = True) -> ScoringResult:
    """What a score task does: lease a batch and score it."""
    scoring_lease_take(holder=holder, hint_ids=hint_ids, top_up=top_up)
    return scoring_run_leased(holder=holder)


def scoring_sweep(*, now: dt.datetime | None = None) -> int:
    """Re-enqueue what waits too long: pending rows never or long ago enqueued
    (the broker was down), and leases that ran out (the worker died)."""
    now = now or timezone.now()
    stale_cutoff = now - dt.timedelta(seconds=settings.SCORING_STALE_SECONDS)
    lease_release_expired(LEASE, now=now)
    waiting = list(
        CommentScoring.objects.filter(state=State.PENDING)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale_cutoff))
        .order_by("pending_since")
        .values_list("pk", flat=True)[:10_000]
    )
    size = settings.SCORING_BATCH_SIZE
    for start in range(0, len(waiting), size):
        if not scoring_enqueue(comment_ids=waiting[start : start + size]):
            break
    return len(waiting)


def scoring_mark_for_rescore(*, comments, on_progress: Callable[[int], None] | None = None) -> int:
    """Mark comments pending again (current models, old scores kept)."""
    now = timezone.now()
    ids = list(comments.values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        with transaction.atomic():
            existing = set(CommentScoring.objects.filter(pk__in=chunk).values_list("pk", flat=True))
            CommentScoring.objects.filter(pk__in=existing).update(
                state=State.PENDING, pending_since=now, enqueued_at=None, claimed_by="", claimed_at=None,
                attempts=0, last_error="",
            )
            CommentScoring.objects.bulk_create(
                [CommentScoring(comment_id=pk, pending_since=now) for pk in chunk if pk not in existing],
                ignore_conflicts=True,
            )
        if on_progress:
            on_progress(len(chunk))
    return len(ids)


def scorers_load() -> None:
    """Load the toxicity and framing models now (they log what they loaded), not inside the first chunk."""
    loaded_scorers.toxicity_scorer()
    loaded_scorers.framing_scorer()


def active_scorers_record() -> None:
    """Write down which models this worker scores with (shown in the UI and admin)."""
    loaded = loaded_scorers.toxicity_scorer()
    ActiveScorer.objects.update_or_create(
        kind=Score.Kind.TOXICITY,
        defaults={"scorer": loaded.scorer.name, "version": loaded.scorer.version,
                  "fallback_reason": loaded.fallback_reason or ""},
    )
    framing = loaded_scorers.framing_scorer()
    ActiveScorer.objects.update_or_create(
        kind=Score.Kind.FRAMING, defaults={"scorer": framing.name, "version": framing.version, "fallback_reason": ""}
    )
