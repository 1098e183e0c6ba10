"""Nothing lost, nothing doubled, with real workers, a real broker and real crashes."""
import json
import os
import random

import pytest
from django.db import connection
from django.db.models import Count

from comments.models import Comment
from moderation.models import CommentScoring, Score
from tests.support.processes import RedisServer, Worker, free_port, manage, wait_for
from tests.support.tiny_detoxify import build_tiny_detoxify

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
State = CommentScoring.State

WORDS = ("the council bridge repair cost vote lane bus hospital staff morning traffic budget "
         "contractor spring work delay report city transport office road river").split()


@pytest.fixture(scope="module")
def medium_detoxify(tmp_path_factory):
    """Big enough that a batch takes real time, so a kill lands inside one."""
    return build_tiny_detoxify(
        tmp_path_factory.mktemp("medium-detoxify"), hidden_size=128, num_hidden_layers=2,
        num_attention_heads=4, intermediate_size=512, max_position_embeddings=512,
    )


@pytest.fixture
def workers(tmp_path):
    """Start workers through this; whatever a failing test leaves running is killed."""
    started: list[Worker] = []

    def start(env, name: str, **options) -> Worker:
        worker = Worker(env, tmp_path / f"{name}.log", **options)
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.kill()


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(port=free_port(), workdir=tmp_path)
    server.start()
    yield server
    server.stop()


def shared_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("worker tests share the test database with other processes: PostgreSQL only")
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(*, redis_url: str, checkpoint, hf_dir, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.test_settings",
        DATABASE_URL=shared_database_url(),
        REDIS_URL=redis_url,
        TOXICITY_BACKEND="detoxify",
        DETOXIFY_CHECKPOINT=str(checkpoint),
        DETOXIFY_HF_CONFIG=str(hf_dir),
        FRAMING_SEMANTIC="0",
        SCORING_BATCH_SIZE="16",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def write_comments(path, count: int, seed: int = 1):
    rng = random.Random(seed)
    with path.open("w") as out:
        for i in range(count):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 160)))
            out.write(json.dumps({"type": "comment.created", "data": {
                "id": f"c{i}", "article": {"id": f"a{i // 3}"}, "body": body,
                "parent_id": f"c{i - 1}" if i % 3 else None,
            }}) + "\n")
    return path


def done_count() -> int:
    return CommentScoring.objects.filter(state=State.DONE).count()


def scoring_in_flight() -> bool:
    return CommentScoring.objects.filter(state=State.SCORING).exists()


def assert_every_comment_scored_exactly_once(expected: int) -> None:
    assert Comment.objects.count() == expected
    assert CommentScoring.objects.filter(state=State.DONE).count() == expected
    per_kind = Score.objects.values("comment", "kind").annotate(n=Count("id"))
    assert len(per_kind) == expected * 2  # a toxicity and a framing score for every comment
    assert {row["n"] for row in per_kind} == {1}
    for scoring in CommentScoring.objects.select_related("comment", "toxicity_score"):
        assert scoring.toxicity_score.content_hash == scoring.comment.content_hash


def test_killing_workers_mid_batch_loses_and_doubles_nothing(tmp_path, private_redis, medium_detoxify, workers):
    checkpoint, hf_dir = medium_detoxify
    env = environment(redis_url=private_redis.url, checkpoint=checkpoint, hf_dir=hf_dir,
                      SCORING_LEASE_SECONDS=8, SCORING_STALE_SECONDS=3, SCORING_SWEEP_SECONDS=1)
    source = write_comments(tmp_path / "comments.jsonl", 200)
    importer = manage("import_comments", str(source), "--site", "crashy", "--no-progress", env=env)
    assert importer.wait(timeout=120) == 0, importer.stdout.read().decode()
    assert CommentScoring.objects.filter(state=State.PENDING).count() == 200

    first = workers(env, "worker1")
    wait_for(lambda: done_count() >= 32, timeout=120, what="a first share to be scored")
    # 1. The pool process dies mid-batch: its task is rejected, redelivered and finishes its own claim.
    wait_for(scoring_in_flight, timeout=30, interval=0.005, what="a batch in flight")
    first.kill_pool_process()
    assert scoring_in_flight()
    wait_for(lambda: done_count() >= 100, timeout=120, what="scoring to go on after the pool process died")
    # 2. The whole worker dies mid-batch: its claims and unacked messages are orphaned.
    wait_for(scoring_in_flight, timeout=30, interval=0.005, what="a batch in flight")
    first.kill()
    orphaned = CommentScoring.objects.filter(state=State.SCORING).count()
    assert orphaned > 0
    assert done_count() < 200

    workers(env, "worker2", beat=True)
    wait_for(lambda: done_count() == 200, timeout=240, interval=0.5, what="every comment to be scored")
    assert_every_comment_scored_exactly_once(200)
    assert not CommentScoring.objects.filter(state=State.FAILED).exists()
    assert Score.objects.filter(batch_size__gt=1).exists()  # scored in batches


def test_stopping_redis_during_ingestion_loses_nothing(tmp_path, private_redis, tiny_detoxify, workers):
    env = environment(redis_url=private_redis.url, checkpoint=tiny_detoxify.checkpoint, hf_dir=tiny_detoxify.hf_config_dir,
                      SCORING_STALE_SECONDS=2, SCORING_SWEEP_SECONDS=1, SCORING_BATCH_SIZE=64)
    source = write_comments(tmp_path / "comments.jsonl", 600, seed=2)
    importer = manage("import_comments", str(source), "--site", "flaky", "--no-progress", "--chunk-size", "10", env=env)
    wait_for(lambda: Comment.objects.count() >= 100, timeout=120, interval=0.05, what="ingestion to be under way")
    private_redis.stop()  # every queued message is gone with it
    output = importer.communicate(timeout=300)[0].decode()
    assert importer.returncode == 0, output
    assert Comment.objects.count() == 600
    assert CommentScoring.objects.filter(state=State.PENDING).count() == 600

    private_redis.start()  # empty: the broker remembers nothing
    workers(env, "worker", beat=True)
    wait_for(lambda: done_count() == 600, timeout=240, interval=0.5, what="every comment to be scored")
    assert_every_comment_scored_exactly_once(600)
