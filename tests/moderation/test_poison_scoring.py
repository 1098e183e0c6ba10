"""A poison row never blocks the others: a comment that cannot be read back,
or whose text makes the scorer raise, fails alone with its error; the rest of
its batch is scored, and it is retried alone, then left failed."""
import pytest

from comments.services import comment_upsert
from moderation import loaded_scorers
from moderation.models import CommentScoring, Score
from moderation.services.scoring import scoring_lease_take, scoring_process
from moderation.tasks import score_comments
from tests.factories import SiteFactory, comment_input
from tests.support.failing_scorer import FailingOn
from tests.support.unreadable import YEAR_0, YEAR_10000, make_unreadable

pytestmark = pytest.mark.django_db
State = CommentScoring.State


def ingest(site, prefix: str, n: int) -> list[int]:
    return [comment_upsert(site=site, data=comment_input(f"{prefix}{i}")).comment.pk for i in range(n)]


@pytest.mark.parametrize("stored", [YEAR_10000, YEAR_0])
def test_a_comment_that_cannot_be_read_back_fails_alone_and_the_other_twelve_are_scored(tiny_scoring, settings, stored):
    settings.SCORING_MAX_ATTEMPTS = 3
    site = SiteFactory()
    ids = ingest(site, "c", 13)
    poison = ids[6]
    make_unreadable(CommentScoring.objects.get(pk=poison).comment, value=stored)

    outcome = scoring_process(holder="t0", hint_ids=ids)
    assert sorted(outcome.scored) == sorted(set(ids) - {poison}) and list(outcome.failed) == [poison]
    row = CommentScoring.objects.get(pk=poison)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert "could not read the comment back" in row.last_error and "timestamp too" in row.last_error

    # Retried alone: new comments claimed with it are scored as their own batch.
    fresh = ingest(site, "f", 3)
    for attempt in (1, 2):
        outcome = scoring_process(holder=f"t{attempt}", hint_ids=[poison, *fresh])
        assert list(outcome.failed) == [poison]
    assert {s.batch_size for s in Score.objects.filter(comment_id__in=fresh)} == {3}
    row = CommentScoring.objects.get(pk=poison)
    assert (row.state, row.attempts) == (State.FAILED, 3) and "timestamp too" in row.last_error
    assert CommentScoring.objects.filter(state=State.DONE).count() == 15
    # Failed means left alone: no claim takes it again.
    assert scoring_lease_take(holder="later", hint_ids=[poison]) == []


def test_the_score_task_completes_its_batch_around_an_unreadable_comment(tiny_scoring):
    site = SiteFactory()
    ids = ingest(site, "c", 13)
    make_unreadable(CommentScoring.objects.get(pk=ids[0]).comment)
    result = score_comments.apply(args=[ids], task_id="task-1")
    assert result.successful(), result.traceback
    assert result.result == {"scored": 12, "failed": 1, "superseded": 0}
    assert CommentScoring.objects.filter(state=State.SCORING).count() == 0  # nothing left claimed for the lease


def test_a_text_that_makes_the_scorer_raise_is_retried_alone_not_inside_the_next_batch(tiny_scoring, settings, monkeypatch):
    settings.SCORING_MAX_ATTEMPTS = 2
    real = loaded_scorers.toxicity_scorer()
    monkeypatch.setattr(loaded_scorers, "toxicity_scorer", lambda: loaded_scorers.LoadedToxicity(FailingOn(real.scorer, "POISON"), None))
    site = SiteFactory()
    first = ingest(site, "c", 12)
    bad = comment_upsert(site=site, data=comment_input("bad", body="POISON pill")).comment.pk
    outcome = scoring_process(holder="t0", hint_ids=[bad, *first])
    assert sorted(outcome.scored) == sorted(first) and list(outcome.failed) == [bad]
    later = ingest(site, "later", 4)
    outcome = scoring_process(holder="t1", hint_ids=[bad, *later])
    assert sorted(outcome.scored) == sorted(later) and list(outcome.failed) == [bad]
    # The four were one batch: the known-bad text did not make it fail and fall back to one at a time.
    assert {s.batch_size for s in Score.objects.filter(comment_id__in=later, kind="toxicity")} == {4}
    row = CommentScoring.objects.get(pk=bad)
    assert (row.state, row.attempts) == (State.FAILED, 2) and "model crashed" in row.last_error
