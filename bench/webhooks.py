"""Load and fault bench for the inbound webhooks (not a test).

gunicorn with several workers on a fresh PostgreSQL database, a private
Redis, a real Celery worker (ingest + score queues, beat) scoring with a
tiny Detoxify-format checkpoint. Concurrent clients send signed generic
deliveries: about 10% are exact repeats of an earlier delivery (same id and
bytes, signed again when sent, as a retrying platform does), about 5% are
replies sent before their parents. At
the midpoint the ingesting Celery worker is killed with SIGKILL and restarted
(a second worker scores, on its own queue).

Each run is its own: a fresh database named ``bench_webhooks_<pid>_<random>``,
its own Redis on a free port (so its own queues), its own gunicorn port,
worker names and temporary folder; two runs side by side never see each
other's work. The database is dropped when the run ends, however it ends: an
error, Ctrl-C, SIGTERM or SIGHUP (and, as a last resort, at interpreter exit).

Printed: accepted deliveries per second and the 202's p50/p95/p99 latency,
each against a baseline measured in the same run on the same server (a
signed request the endpoint refuses at the signature check, the cheapest
path through the same view), and the counts that prove nothing was lost or
doubled: every accepted delivery stored once and processed, every comment
stored once, threaded under its parent, and scored once per scorer.

    .venv/bin/python -m bench.webhooks                      # 20,000 deliveries
    .venv/bin/python -m bench.webhooks --deliveries 2000    # a quick run
    .venv/bin/python -m bench.webhooks --deliveries 150 --clients 4 --web-workers 2 --baseline 40 \
        --lease-seconds 5 --report /tmp/report.json         # the smallest (tests/bench runs two at once)
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import atexit  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import secrets as random_secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import psycopg  # noqa: E402
import requests  # noqa: E402

from tests.support.processes import RedisServer, Worker, free_port, wait_for  # noqa: E402
from tests.support.tiny_detoxify import build_tiny_detoxify  # noqa: E402
from webhooks.signing import standard_headers, standard_secret_generate  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_PREFIX = "bench_webhooks"  # each run adds _<pid>_<random>: two runs never share a database
SITE = "bench"
WORDS = ("the council bridge repair cost vote lane bus hospital staff morning traffic budget contractor "
         "spring work delay report city transport office road river minutes meeting plan").split()


def plan_deliveries(total: int, *, seed: int = 6) -> tuple[list[tuple[str, bytes]], int, int]:
    """(delivery id, body) in sending order: unique deliveries with replies
    moved before their parents, and repeats of earlier ones mixed in."""
    rng = random.Random(seed)
    unique = round(total / 1.1)
    events = []
    for n in range(unique):
        parent = f"c{n - 1}" if n % 5 else None  # threads of five: a comment and a chain of replies
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
        event = {"type": "comment.created", "data": {
            "id": f"c{n}", "article": {"id": f"a{n // 50}", "url": f"https://bench.example/a{n // 50}", "title": f"Story {n // 50}"},
            "parent_id": parent, "author": {"id": f"u{rng.randint(1, 500)}", "name": "Reader"}, "body": body,
            "created_at": "2026-11-20T08:05:00Z"}}
        events.append((f"msg_{n}", json.dumps(event).encode()))
    early = 0
    for n in range(1, unique - 1):
        # 5% of all deliveries are replies sent before their parent: swap a reply with the comment it answers.
        if n % 5 == 1 and early < round(total * 0.05) and rng.random() < 0.5:
            events[n - 1], events[n] = events[n], events[n - 1]
            early += 1
    order = list(events)
    repeats = total - unique
    for _ in range(repeats):
        original = rng.randrange(len(events))
        order.insert(rng.randint(original + 1, len(order)), events[original])
    return order, unique, early


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[int, list[float]] = {}

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(status, []).append(seconds)


def send_all(url: str, secret: str, deliveries: list[tuple[str, bytes]], clients: int, *, on_half=None) -> tuple[Results, float]:
    results = Results()
    local = threading.local()
    half = len(deliveries) // 2

    def send(index_item):
        index, (msg_id, body) = index_item
        if index == half and on_half:
            threading.Thread(target=on_half, daemon=True).start()
        # A repeat has the same id and bytes; like a platform's retry, it is signed
        # when sent (a signature older than five minutes is refused).
        headers = standard_headers(secrets_=[secret], msg_id=msg_id, body=body)
        session = getattr(local, "session", None) or setattr(local, "session", requests.Session()) or local.session
        started = time.perf_counter()
        for _ in range(5):
            try:
                response = session.post(url, data=body, headers={**headers, "content-type": "application/json"}, timeout=30)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            results.add(0, 0)
            return
        results.add(response.status_code, time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, enumerate(deliveries), chunksize=16))
    return results, time.perf_counter() - started


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "p99": None}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(q[49] * 1000, 1), "p95": round(q[94] * 1000, 1), "p99": round(q[98] * 1000, 1)}


def query(url: str, sql: str):
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchall()


def database_name() -> str:
    return f"{DATABASE_PREFIX}_{os.getpid()}_{random_secrets.token_hex(3)}"


def database_drop(name: str) -> None:
    """Drop the run's database (idempotent; FORCE ends connections a killed worker left)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_at_exit(name: str) -> None:
    try:
        database_drop(name)
    except psycopg.Error as error:  # the server went away: say so, the name says what to drop by hand
        print(f"bench: could not drop database {name}: {error}", file=sys.stderr)


def _stop(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # unwinds through main's finally: every process stops


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--baseline", type=int, default=2000, help="refused requests sent for the baseline")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for processing and scoring")
    parser.add_argument("--lease-seconds", type=int, default=20,
                        help="how long a killed worker's claim holds its batch (and how stale work must be to be swept)")
    parser.add_argument("--report", type=Path, help="also write the report (JSON) to this file")
    args = parser.parse_args(argv)
    handlers = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGHUP)}

    database = database_name()
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    atexit.register(_drop_at_exit, database)  # the finally below drops it; this is for what skips finally
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    redis = RedisServer(port=free_port(), workdir=workdir)
    children: list[subprocess.Popen] = []
    workers: list[Worker] = []
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        return _run(args, database, database_url, workdir, redis, children, workers)
    finally:
        # Nothing interrupts the cleanup: a second Ctrl-C would leave the database behind.
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in handlers:
            signal.signal(signum, signal.SIG_IGN)
        try:
            for worker in workers:
                worker.kill()
            for child in children:
                if child.poll() is None:
                    os.killpg(child.pid, signal.SIGTERM)
                    child.wait(timeout=30)
            redis.stop()
            shutil.rmtree(workdir, ignore_errors=True)
            database_drop(database)
            atexit.unregister(_drop_at_exit)
        finally:
            signal.signal(signal.SIGINT, previous_int)
            for signum, handler in handlers.items():
                signal.signal(signum, handler)


def _run(args, database: str, database_url: str, workdir: Path, redis: RedisServer,
         children: list[subprocess.Popen], workers: list[Worker]) -> dict:
    checkpoint, hf_dir = build_tiny_detoxify(workdir / "detoxify")
    redis.start()
    port = free_port()
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", SECRET_KEY="bench", VAR_DIR=str(workdir),
        DATABASE_URL=database_url, REDIS_URL=redis.url, ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="ERROR",
        TOXICITY_BACKEND="detoxify", DETOXIFY_CHECKPOINT=str(checkpoint), DETOXIFY_HF_CONFIG=str(hf_dir),
        FRAMING_SEMANTIC="0", WEBHOOK_RATE_LIMIT="0", DELIVERY_SWEEP_SECONDS="2",
        DELIVERY_STALE_SECONDS=str(args.lease_seconds), DELIVERY_LEASE_SECONDS=str(args.lease_seconds),
        SCORING_SWEEP_SECONDS="2", SCORING_STALE_SECONDS=str(round(args.lease_seconds * 1.5)),
        SCORING_LEASE_SECONDS=str(args.lease_seconds),
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    secret = standard_secret_generate()
    subprocess.run([sys.executable, "manage.py", "shell", "-c",
                    f"from comments.services import site_get_or_create; site_get_or_create(slug='{SITE}')"],
                   cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "webhook_secret", "--site", SITE, "--purpose", "generic",
                    "--value-from-stdin"], cwd=ROOT, env=env, check=True, input=secret.encode())
    gunicorn = Path(sys.executable).parent / "gunicorn"
    web_log = (workdir / "web.log").open("ab")
    web = subprocess.Popen([str(gunicorn), "config.wsgi", "-w", str(args.web_workers), "-b", f"127.0.0.1:{port}",
                            "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True,
                           stdout=web_log, stderr=subprocess.STDOUT)
    children.append(web)
    url = f"http://127.0.0.1:{port}/webhooks/{SITE}/generic/"
    wait_for(lambda: _answers(url), timeout=120, interval=0.5, what="gunicorn")

    # Baseline: the same view, refused at the signature check (no storing, no broker).
    wrong = standard_secret_generate()
    base_plan = [(f"base_{n}", b'{"type": "comment.created", "data": {}}') for n in range(args.baseline)]
    base, base_wall = send_all(url, wrong, base_plan, args.clients)
    assert set(base.latencies) == {401}, {k: len(v) for k, v in base.latencies.items()}

    worker_env = dict(env)
    # Separate workers for ingestion and scoring, as in production: scoring never delays ingestion.
    scorer = Worker(worker_env, workdir / "scorer.log", queues="score")
    workers.append(scorer)
    scorer.start()
    workers.append(Worker(worker_env, workdir / "ingest1.log", beat=True, queues="ingest,celery"))
    workers[-1].start()
    plan, unique, early = plan_deliveries(args.deliveries)
    killed = {}

    def processed() -> int:
        return query(database_url, "SELECT count(*) FROM webhooks_delivery WHERE state = 'done'")[0][0]

    def kill_and_restart():
        # Midway through the sending, and once the worker is really processing.
        wait_for(lambda: processed() >= unique // 10, timeout=600, interval=0.2, what="processing under way")
        killed["at"] = processed()
        killed["in_flight"] = query(database_url, "SELECT count(*) FROM webhooks_delivery WHERE state = 'processing'")[0][0]
        workers[-1].kill()
        time.sleep(3)
        workers.append(Worker(worker_env, workdir / "ingest2.log", beat=True, queues="ingest,celery"))
        workers[-1].start()

    results, wall = send_all(url, secret, plan, args.clients, on_half=kill_and_restart)
    sending_done = time.perf_counter()

    def all_done() -> bool:
        done = query(database_url, "SELECT count(*) FROM webhooks_delivery WHERE state = 'done'")[0][0]
        scored = query(database_url, "SELECT count(*) FROM moderation_commentscoring WHERE state = 'done'")[0][0]
        return done == unique and scored == unique

    wait_for(all_done, timeout=args.timeout, interval=1, what="every delivery processed and scored")
    drained = time.perf_counter() - sending_done
    counts = {name: query(database_url, sql)[0][0] for name, sql in {
        "deliveries_stored": "SELECT count(*) FROM webhooks_delivery",
        "deliveries_done": "SELECT count(*) FROM webhooks_delivery WHERE state = 'done'",
        "deliveries_retried": "SELECT count(*) FROM webhooks_delivery WHERE attempts > 1",
        "comments_stored": "SELECT count(*) FROM comments_comment",
        "distinct_comment_ids": "SELECT count(DISTINCT external_id) FROM comments_comment",
        "replies_linked": "SELECT count(*) FROM comments_comment WHERE parent_id IS NOT NULL",
        "replies_expected": f"SELECT {sum(1 for n in range(unique) if n % 5)}",
        "orphans_waiting": "SELECT count(*) FROM comments_comment WHERE awaiting_parent_external_id <> ''",
        "comments_scored": "SELECT count(*) FROM moderation_commentscoring WHERE state = 'done'",
        "scores_per_comment_and_kind_max": "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM moderation_score GROUP BY comment_id, kind) s",
        "scores_per_comment_and_kind_min": "SELECT coalesce(min(n), 0) FROM (SELECT count(*) n FROM moderation_score GROUP BY comment_id, kind) s",
        "comments_with_both_scores": "SELECT count(*) FROM (SELECT comment_id FROM moderation_score GROUP BY comment_id HAVING count(DISTINCT kind) = 2) s",
    }.items()}
    accepted = results.latencies.get(202, [])
    repeats = results.latencies.get(200, [])
    report = {
        "database": database,
        "deliveries_sent": len(plan), "unique": unique, "exact_repeats": len(plan) - unique,
        "replies_sent_before_parent": early, "clients": args.clients, "web_workers": args.web_workers,
        "status_counts": {str(k): len(v) for k, v in sorted(results.latencies.items())},
        "send_wall_s": round(wall, 2),
        "accepted_per_s": round(len(accepted) / wall, 1),
        "all_answers_per_s": round(len(plan) / wall, 1),
        "latency_202_ms": percentiles(accepted),
        "latency_repeat_200_ms": percentiles(repeats),
        "baseline_refused_401_per_s": round(len(base_plan) / base_wall, 1),
        "baseline_latency_401_ms": percentiles(base.latencies[401]),
        "worker_killed_after_done": killed.get("at"),
        "worker_killed_holding": killed.get("in_flight"),
        "drain_after_sending_s": round(drained, 1),
        **counts,
    }
    report["answers_per_s_vs_baseline"] = round(report["all_answers_per_s"] / report["baseline_refused_401_per_s"], 2)
    report["p50_vs_baseline"] = round(report["latency_202_ms"]["p50"] / report["baseline_latency_401_ms"]["p50"], 2)
    report["nothing_lost_or_doubled"] = (
        len(accepted) == unique and len(repeats) == len(plan) - unique
        and counts["deliveries_stored"] == counts["deliveries_done"] == unique
        and counts["comments_stored"] == counts["distinct_comment_ids"] == unique
        and counts["replies_linked"] == counts["replies_expected"] and counts["orphans_waiting"] == 0
        and counts["comments_scored"] == counts["comments_with_both_scores"] == unique
        and counts["scores_per_comment_and_kind_max"] == counts["scores_per_comment_and_kind_min"] == 1
    )
    print(json.dumps(report, indent=2))
    if args.report:
        args.report.write_text(json.dumps(report, indent=2))
    return report


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=5)
        return True
    except requests.RequestException:
        return False


if __name__ == "__main__":
    sys.exit(0 if main().get("nothing_lost_or_doubled") else 1)
