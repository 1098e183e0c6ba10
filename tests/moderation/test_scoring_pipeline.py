import datetime as dt

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_remove, comment_upsert
from moderation import loaded_scorers
from moderation.models import CommentScoring, Score
from moderation.services.scoring import scoring_lease_take, scoring_process, scoring_sweep
from tests.factories import SiteFactory, comment_input
from tests.support.failing_scorer import FailingOn

pytestmark = pytest.mark.django_db
State = CommentScoring.State
ORIGINAL_LABELS = {"toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"}


@pytest.fixture
def broker():
    """The real Redis the test settings point Celery at; the score queue emptied around each test."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("score")
    yield client
    client.delete("score")


def queued_ids(broker) -> list[int]:
    import base64
    import json

    ids = []
    for raw in broker.lrange("score", 0, -1):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        ids.extend(args[0])
    return ids


def test_a_new_comment_is_pending_and_enqueued_after_commit(broker):
    site = SiteFactory()
    with transaction.atomic():
        comment = comment_upsert(site=site, data=comment_input("c1")).comment
        assert CommentScoring.objects.get(pk=comment.pk).state == State.PENDING
        assert queued_ids(broker) == []  # nothing is sent before the commit


def test_pending_and_enqueue_commit_together(django_capture_on_commit_callbacks, broker):
    site = SiteFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_upsert(site=site, data=comment_input("c1")).comment
    assert queued_ids(broker) == [comment.pk]
    assert CommentScoring.objects.get(pk=comment.pk).enqueued_at is not None


def test_a_rolled_back_ingestion_leaves_nothing_pending():
    site = SiteFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        comment_upsert(site=site, data=comment_input("c1"))
        raise RuntimeError("boom")
    assert not CommentScoring.objects.exists() and not Comment.objects.exists()


def test_scoring_stores_every_label_with_model_name_and_version(tiny_scoring):
    site = SiteFactory()
    comment = comment_upsert(site=site, data=comment_input("c1", body="You are all liars and fools.")).comment
    outcome = scoring_process(holder="t1", hint_ids=[comment.pk])
    assert outcome.scored == [comment.pk]
    scoring = CommentScoring.objects.get(pk=comment.pk)
    assert scoring.state == State.DONE and scoring.scored_hash == comment.content_hash
    toxicity = scoring.toxicity_score
    assert toxicity.scorer == "detoxify-local" or toxicity.scorer.startswith("detoxify")
    assert "0.5.4" in toxicity.version
    assert set(toxicity.labels) == ORIGINAL_LABELS
    assert all(0.0 <= value <= 1.0 for value in toxicity.labels.values())
    framing = scoring.framing_score
    assert framing.kind == Score.Kind.FRAMING and "conspiracy_framing" in framing.labels
    assert framing.version


def test_scores_match_the_scorer_run_directly(tiny_scoring):
    site = SiteFactory()
    texts = ["short one", "a somewhat longer comment about the council and the bridge repairs " * 3]
    ids = [comment_upsert(site=site, data=comment_input(f"c{i}", body=t)).comment.pk for i, t in enumerate(texts)]
    scoring_process(holder="t", hint_ids=ids)
    direct = loaded_scorers.toxicity_scorer().scorer.score(texts)
    for pk, expected in zip(ids, direct):
        stored = CommentScoring.objects.get(pk=pk).toxicity_score.labels
        assert stored == pytest.approx(expected.labels, abs=1e-6)


def test_scoring_twice_does_not_score_twice(tiny_scoring):
    site = SiteFactory()
    comment = comment_upsert(site=site, data=comment_input("c1")).comment
    scoring_process(holder="t1", hint_ids=[comment.pk])
    assert scoring_process(holder="t2", hint_ids=[comment.pk]).scored == []
    assert Score.objects.filter(comment=comment).count() == 2


def test_an_edit_is_rescored_and_the_old_score_is_kept(tiny_scoring):
    site = SiteFactory()
    comment = comment_upsert(site=site, data=comment_input("c1", body="first version")).comment
    scoring_process(holder="t1", hint_ids=[comment.pk])
    comment_upsert(site=site, data=comment_input("c1", body="second, edited version"))
    assert CommentScoring.objects.get(pk=comment.pk).state == State.PENDING
    scoring_process(holder="t2", hint_ids=[comment.pk])
    scoring = CommentScoring.objects.get(pk=comment.pk)
    assert scoring.state == State.DONE
    assert scoring.toxicity_score.content_hash == Comment.objects.get(pk=comment.pk).content_hash
    assert Score.objects.filter(comment=comment, kind=Score.Kind.TOXICITY).count() == 2


def test_a_deletion_does_not_trigger_scoring(tiny_scoring):
    site = SiteFactory()
    comment = comment_upsert(site=site, data=comment_input("c1")).comment
    scoring_process(holder="t1", hint_ids=[comment.pk])
    comment_remove(site=site, external_id="c1")
    assert CommentScoring.objects.get(pk=comment.pk).state == State.DONE


def test_an_edit_during_scoring_supersedes_the_running_batch(tiny_scoring):
    site = SiteFactory()
    comment = comment_upsert(site=site, data=comment_input("c1", body="v1")).comment
    scoring_lease_take(holder="slow", hint_ids=[comment.pk])
    comment_upsert(site=site, data=comment_input("c1", body="v2"))  # arrives while "slow" holds it
    from moderation.services.scoring import scoring_run_leased

    assert scoring_run_leased(holder="slow").scored == []  # the claim was reset by the edit
    assert CommentScoring.objects.get(pk=comment.pk).state == State.PENDING
    scoring_process(holder="next", hint_ids=[comment.pk])
    assert CommentScoring.objects.get(pk=comment.pk).toxicity_score.content_hash == Comment.objects.get(pk=comment.pk).content_hash


def test_a_claim_tops_up_with_other_pending_comments_into_one_batch(tiny_scoring, settings):
    settings.SCORING_BATCH_SIZE = 5
    site = SiteFactory()
    ids = [comment_upsert(site=site, data=comment_input(f"c{i}")).comment.pk for i in range(8)]
    outcome = scoring_process(holder="t", hint_ids=[ids[-1]])
    assert len(outcome.scored) == 5 and ids[-1] in outcome.scored
    assert {s.batch_size for s in Score.objects.all()} == {5}


def test_a_comment_that_keeps_failing_is_marked_failed_and_never_blocks_the_others(tiny_scoring, settings, monkeypatch):
    settings.SCORING_MAX_ATTEMPTS = 3
    real = loaded_scorers.toxicity_scorer()
    monkeypatch.setattr(loaded_scorers, "toxicity_scorer", lambda: loaded_scorers.LoadedToxicity(FailingOn(real.scorer, "POISON"), None))
    site = SiteFactory()
    good = [comment_upsert(site=site, data=comment_input(f"g{i}")).comment.pk for i in range(3)]
    bad = comment_upsert(site=site, data=comment_input("bad", body="POISON pill")).comment.pk
    for attempt in range(3):
        outcome = scoring_process(holder=f"t{attempt}", hint_ids=[bad, *good])
        assert bad in outcome.failed
    assert set(CommentScoring.objects.filter(state=State.DONE).values_list("pk", flat=True)) == set(good)
    failed = CommentScoring.objects.get(pk=bad)
    assert failed.state == State.FAILED and failed.attempts == 3 and "model crashed" in failed.last_error
    assert scoring_process(holder="later", hint_ids=[bad]).failed == {}  # left alone


def test_the_sweep_enqueues_what_the_broker_never_got_and_releases_expired_claims(broker, settings):
    site = SiteFactory()
    never_sent = comment_upsert(site=site, data=comment_input("c1")).comment.pk
    crashed = comment_upsert(site=site, data=comment_input("c2")).comment.pk
    scoring_lease_take(holder="dead-worker", hint_ids=[crashed], limit=1)
    later = timezone.now() + dt.timedelta(seconds=settings.SCORING_LEASE_SECONDS + 1)
    assert scoring_sweep(now=later) == 2
    assert sorted(queued_ids(broker)) == sorted([never_sent, crashed])
    row = CommentScoring.objects.get(pk=crashed)
    assert row.state == State.PENDING and row.attempts == 1 and row.last_error == "worker lease expired"


def test_a_redelivered_task_takes_back_its_own_claim(tiny_scoring):
    site = SiteFactory()
    pk = comment_upsert(site=site, data=comment_input("c1")).comment.pk
    scoring_lease_take(holder="task-1", hint_ids=[pk])  # the worker died after claiming
    assert scoring_process(holder="task-2", hint_ids=[pk]).scored == []  # someone else's claim is respected
    assert scoring_process(holder="task-1", hint_ids=[pk]).scored == [pk]  # the redelivery finishes it


def test_rescore_command_scores_a_site_again_with_progress_and_keeps_old_scores(tiny_scoring):
    site = SiteFactory(slug="news")
    other = SiteFactory(slug="other")
    for i in range(3):
        comment_upsert(site=site, data=comment_input(f"c{i}"))
    comment_upsert(site=other, data=comment_input("o1"))
    call_command("rescore", "--site", "news", "--no-progress")
    assert CommentScoring.objects.filter(comment__site=site, state=State.DONE).count() == 3
    assert CommentScoring.objects.get(comment__site=other).state == State.PENDING
    # Scoring the same text with the same versions again stores nothing new.
    call_command("rescore", "--site", "news", "--no-progress")
    assert Score.objects.filter(comment__site=site).count() == 6
