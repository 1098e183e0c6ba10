"""End-to-end measurement for bench/scoring.py: ingestion to stored score through a real Celery worker.

A fresh PostgreSQL database and a private Redis; the comments go in through
``manage.py import_comments`` and the clock stops when the database says the
last one is scored. Model time is read back from the stored scores (each row
keeps its batch's model time), so the pipeline's own overhead is the wall
time the models did not use.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "bench_scoring_pipeline"


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)


def _query(url: str, sql: str):
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchall()


def measure_end_to_end(ctx, *, chunk: int, quantize: bool = False) -> dict:
    import psutil

    from tests.support.processes import RedisServer, Worker, free_port, wait_for

    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DATABASE}")
    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    redis = RedisServer(port=free_port(), workdir=workdir)
    redis.start()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", SECRET_KEY="bench", VAR_DIR=str(workdir),
        DATABASE_URL=database_url, REDIS_URL=redis.url,
        TOXICITY_BACKEND="detoxify", DETOXIFY_CHECKPOINT=ctx.checkpoint, DETOXIFY_HF_CONFIG=ctx.hf_config,
        DETOXIFY_QUANTIZE="1" if quantize else "0", FRAMING_SEMANTIC="0", SCORING_BATCH_SIZE=str(chunk),
    )
    worker = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        source = workdir / "comments.jsonl"
        with source.open("w") as out:
            for i, text in enumerate(ctx.texts):
                out.write(json.dumps({"type": "comment.created",
                                      "data": {"id": f"c{i:05d}", "article": {"id": f"a{i // 20}"}, "body": text}}) + "\n")
        worker = Worker(env, workdir / "worker.log")
        worker.start()
        wait_for(lambda: _query(database_url, "SELECT count(*) FROM moderation_activescorer")[0][0] == 2,
                 timeout=600, interval=0.5, what="the worker to load its models")
        pool = worker.pool_children()
        cpu_before = sum(sum(p.cpu_times()[:2]) for p in pool)

        started = time.perf_counter()
        importer = subprocess.Popen(
            [sys.executable, "manage.py", "import_comments", str(source), "--site", "bench", "--no-progress",
             "--chunk-size", str(chunk)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        done_sql = "SELECT count(*) FROM moderation_commentscoring WHERE state = 'done'"
        wait_for(lambda: _query(database_url, done_sql)[0][0] == len(ctx.texts),
                 timeout=36_000, interval=0.2, what="every comment to be scored")
        seconds = time.perf_counter() - started
        importer.wait(timeout=60)
        cpu_seconds = sum(sum(p.cpu_times()[:2]) for p in pool if p.is_running()) - cpu_before

        model_ms = dict(_query(database_url,
                               "SELECT kind, sum(batch_ms / batch_size) FROM moderation_score GROUP BY kind"))
        rows = _query(database_url, """
            SELECT c.external_id, s.labels, s.batch_size FROM moderation_score s
            JOIN comments_comment c ON c.id = s.comment_id WHERE s.kind = 'toxicity' ORDER BY c.external_id""")
        scores = [labels for _, labels, _ in rows]
        batch_sizes = [size for _, _, size in rows]
        model_seconds = sum(model_ms.values()) / 1000
        return {
            "comments": len(ctx.texts),
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "scores": scores,
            "rss_after_load_mb": max(p.memory_info().rss for p in pool if p.is_running()) / 2**20,
            "model_seconds": model_seconds,
            "pipeline_overhead_share": (seconds - model_seconds) / model_seconds,
            "notes": (f"worker pool process; toxicity model {model_ms.get('toxicity', 0) / 1000:.1f}s, "
                      f"framing (lexical) {model_ms.get('framing', 0) / 1000:.1f}s, "
                      f"overhead {(seconds - model_seconds):.1f}s = {(seconds - model_seconds) / model_seconds:.1%} "
                      f"of model time; mean batch {sum(batch_sizes) / len(batch_sizes):.1f}"),
        }
    finally:
        if worker is not None:
            worker.kill()
        redis.stop()
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
