"""Latency and throughput of the Perspective-compatible analyze API, against the raw model.

    python -m bench.analyze                          # the model `make run` would use here (TOXICITY_* env as set)
    python -m bench.analyze --model tiny             # the tests' tiny Detoxify checkpoint
    python -m bench.analyze --model bert-base        # a Detoxify checkpoint shaped like `original` (BERT-base)

Everything is real: a fresh PostgreSQL database, a private Redis, gunicorn
serving the product (1 process, 16 threads) and the realtime scorer process
(`manage.py realtime_scorer`). Clients are threads of this process with
keep-alive sessions, each sending the same kind of request Coral's toxicity
phase sends (one 40-word comment, TOXICITY, doNotStore) back to back for
``--seconds``. The raw model's latency is measured in this process, with the
same scorer settings, on the same comments, as one batch of the same size, in
the same run (before and after the load, while the servers are idle).

Reported: per client count, requests/s, p50/p95 latency, and the realtime
scorer's mean batch; the 10-client p95 over the raw model's median latency
for a batch of 10 (target <= 1.5); and 10 clients with batching switched off
(``--max-batch 1``) to show what batching buys. JSON in bench/out/analyze.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "bench_analyze"
WORDS = 40


def forty_word_comments(n: int, *, seed: int = 7) -> list[str]:
    from bench.scoring import _comment

    rng = random.Random(seed)
    return [_comment(rng, WORDS) for _ in range(n)]


def model_env(model: str) -> dict[str, str]:
    if model == "run":
        return {}  # whatever this environment makes `make run` use
    from tests.support.tiny_detoxify import build_tiny_detoxify

    if model == "tiny":
        checkpoint, hf_dir = build_tiny_detoxify(OUT_DIR / "tiny-detoxify")
    else:
        from bench.scoring import ORIGINAL_CLASSES

        checkpoint, hf_dir = build_tiny_detoxify(
            OUT_DIR / "original-shaped", labels=ORIGINAL_CLASSES, max_position_embeddings=512, hidden_size=768,
            num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072, initializer_range=0.02,
        )
    return {"TOXICITY_BACKEND": "detoxify", "DETOXIFY_CHECKPOINT": str(checkpoint), "DETOXIFY_HF_CONFIG": str(hf_dir)}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")  # every request failed: the errors column says why
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def raw_latency(texts: list[str], *, batch: int, repeats: int) -> dict:
    """The loaded scorer itself on ``batch`` comments at once: median and p95 over repeats, in ms."""
    from moderation import engine

    scorer = engine.toxicity_scorer().scorer
    scorer.score(texts[:batch])  # warm
    timings = []
    for i in range(repeats):
        chunk = [texts[(i * batch + j) % len(texts)] for j in range(batch)]
        started = time.perf_counter()
        scorer.score(chunk)
        timings.append((time.perf_counter() - started) * 1000)
    return {"batch": batch, "median_ms": statistics.median(timings), "p95_ms": percentile(timings, 0.95)}


def load(url: str, texts: list[str], *, clients: int, seconds: float) -> dict:
    import requests

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(index: int) -> None:
        session = requests.Session()
        mine, n = [], 0
        while time.perf_counter() < stop_at:
            body = {"comment": {"text": texts[(index * 997 + n) % len(texts)]}, "languages": ["en"],
                    "doNotStore": True, "requestedAttributes": {"TOXICITY": {}}}
            n += 1
            started = time.perf_counter()
            response = session.post(url, json=body, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code == 200:
                mine.append(elapsed)
            else:
                with lock:
                    errors.append(f"{response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"clients": clients, "requests": len(latencies), "errors": len(errors), "first_errors": errors[:3],
            "rps": len(latencies) / wall, "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95)}


class Product:
    """gunicorn plus the realtime scorer, on a fresh database and a private Redis."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.env, self.workdir = env, workdir
        self.scorer: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None

    def start_scorer(self, max_batch: int | None = None, torch_threads: int | None = None) -> None:
        from perspective import realtime
        from tests.support.processes import wait_for

        self.stop_scorer()
        realtime.connection().delete(realtime.ALIVE)
        command = [sys.executable, "manage.py", "realtime_scorer"] + (["--max-batch", str(max_batch)] if max_batch else [])
        command += ["--torch-threads", str(torch_threads)] if torch_threads is not None else []
        self.scorer = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=(self.workdir / "scorer.log").open("ab"),
                                       stderr=subprocess.STDOUT)
        wait_for(lambda: realtime.connection().exists(realtime.ALIVE), timeout=600, what="the realtime scorer")

    def stop_scorer(self) -> None:
        if self.scorer and self.scorer.poll() is None:
            self.scorer.terminate()
            self.scorer.wait(timeout=30)

    def start_web(self, port: int) -> None:
        import requests

        from tests.support.processes import wait_for

        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.web = subprocess.Popen([gunicorn, "config.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1",
                                     "--threads", "16", "-k", "gthread", "--keep-alive", "30"],
                                    cwd=ROOT, env=self.env, stdout=(self.workdir / "web.log").open("ab"),
                                    stderr=subprocess.STDOUT)

        def answers() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/login/", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(answers, timeout=60, what="gunicorn")

    def stop(self) -> None:
        self.stop_scorer()
        if self.web and self.web.poll() is None:
            self.web.terminate()
            self.web.wait(timeout=30)


def batch_stats() -> tuple[int, int, int]:
    from perspective import realtime

    stats = realtime.connection().hgetall(realtime.STATS)
    return int(stats.get(b"batches", 0)), int(stats.get(b"requests", 0)), int(stats.get(b"model_us", 0))


def run_load(url: str, texts: list[str], *, clients: int, seconds: float) -> dict:
    load(url, texts, clients=clients, seconds=1.0)  # settle connections and threads
    before = batch_stats()
    result = load(url, texts, clients=clients, seconds=seconds)
    after = batch_stats()
    batches = after[0] - before[0]
    result["mean_batch"] = (after[1] - before[1]) / batches if batches else 0.0
    # time the scorer process spent in the model per batch (its own view, under this load)
    result["scorer_batch_ms"] = (after[2] - before[2]) / 1000 / batches if batches else 0.0
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("run", "tiny", "bert-base"), default="run")
    parser.add_argument("--clients", default="1,2,5,10")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--raw-repeats", type=int, default=30)
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="for the realtime scorer and the raw model alike (default: REALTIME_TORCH_THREADS)")
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",")]

    import psycopg

    from tests.support.processes import RedisServer, free_port

    workdir = Path(tempfile.mkdtemp(prefix="bench-analyze-"))
    redis = RedisServer(port=free_port(), workdir=workdir)
    redis.start()
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": "bench",
           "VAR_DIR": str(workdir), "DATABASE_URL": database_url, "REDIS_URL": redis.url, "FRAMING_SEMANTIC": "0",
           "LOG_LEVEL": "WARNING", **model_env(args.model)}
    os.environ.update(env)
    product = Product(env, workdir)
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from comments.services import site_get_or_create
        from moderation import engine
        from perspective.models import ApiKey
        from perspective.services.keys import KEY_PREFIX, key_hash

        site = site_get_or_create(slug="bench")
        raw_key = KEY_PREFIX + "bench-key-not-secret"
        account = get_user_model().objects.create(username="api-key-bench", is_active=False)
        ApiKey.objects.create(site=site, name="bench", prefix=raw_key[:9], key_hash=key_hash(raw_key), account=account)

        from django.conf import settings

        threads = settings.REALTIME_TORCH_THREADS if args.torch_threads is None else args.torch_threads
        if threads > 0:
            import torch

            torch.set_num_threads(threads)  # the raw model runs as the realtime scorer does
        loaded = engine.toxicity_scorer()
        model = f"{loaded.scorer.name} {loaded.scorer.version}"
        texts = forty_word_comments(200)
        port = free_port()
        url = f"http://127.0.0.1:{port}/v1alpha1/comments:analyze?key={raw_key}"
        product.start_scorer(torch_threads=threads)
        product.start_web(port)
        load_before = os.getloadavg()
        raw_before = {c: raw_latency(texts, batch=c, repeats=args.raw_repeats) for c in clients}
        runs = [run_load(url, texts, clients=c, seconds=args.seconds) for c in clients]
        product.start_scorer(max_batch=1, torch_threads=threads)
        unbatched = run_load(url, texts, clients=max(clients), seconds=args.seconds)
        raw_after = {c: raw_latency(texts, batch=c, repeats=args.raw_repeats) for c in clients}
        load_after = os.getloadavg()
    finally:
        product.stop()
        redis.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    top = max(clients)
    raw_top = statistics.mean([raw_before[top]["median_ms"], raw_after[top]["median_ms"]])
    top_run = next(r for r in runs if r["clients"] == top)
    result = {
        "model": model, "torch_threads": threads, "fallback_reason": loaded.fallback_reason, "seconds_per_point": args.seconds,
        "load_average_before": load_before, "load_average_after": load_after,
        "raw_before": raw_before, "raw_after": raw_after, "runs": runs, "unbatched": unbatched,
        "p95_over_raw_batch": top_run["p95_ms"] / raw_top, "raw_batch_ms": raw_top,
        "batching_gain": top_run["rps"] / unbatched["rps"] if unbatched["rps"] else None,
    }
    print(f"model: {model}, torch threads {threads}" + (f"  ({loaded.fallback_reason})" if loaded.fallback_reason else ""))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other work on this machine)")
    print("| clients | req/s | p50 ms | p95 ms | mean batch | scorer ms/batch | raw model, same batch: median ms (before/after) | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        c = run["clients"]
        print(f"| {c} | {run['rps']:.1f} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | {run['mean_batch']:.2f} | {run['scorer_batch_ms']:.1f} | "
              f"{raw_before[c]['median_ms']:.1f} / {raw_after[c]['median_ms']:.1f} | {run['errors']} |")
    print(f"| {top}, batching off | {unbatched['rps']:.1f} | {unbatched['p50_ms']:.1f} | {unbatched['p95_ms']:.1f} | "
          f"{unbatched['mean_batch']:.2f} | {unbatched['scorer_batch_ms']:.1f} | | {unbatched['errors']} |")
    print(f"p95 at {top} clients / raw model on a batch of {top}: {result['p95_over_raw_batch']:.2f}x (target <= 1.5)")
    print(f"throughput with batching / without, {top} clients: {result['batching_gain'] or 0:.2f}x")
    for run in [*runs, unbatched]:
        if run["errors"]:
            print(f"{run['clients']} clients, first errors: {run['first_errors']}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"analyze-{args.model}.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
