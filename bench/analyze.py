"""Latency and throughput of the Perspective-compatible analyze API, against the raw model.

    python -m bench.analyze                          # the model `make run` would use here (TOXICITY_* env as set)
    python -m bench.analyze --model tiny             # the tests' tiny Detoxify checkpoint
    python -m bench.analyze --model bert-base        # a Detoxify checkpoint shaped like `original` (BERT-base)

Everything is real: a fresh PostgreSQL database, a private Redis, the
realtime scorer process (`manage.py realtime_scorer`, serving the API on its
own port as `make run` starts it) and, for comparison, gunicorn serving the
same API from the web process (1 process, 16 threads), which hands each call
to the scorer through Redis. The clients are wrk (Debian's `wrk`: C, so the
load generator takes little of the CPU the servers need), one keep-alive
connection per client, each sending the request Coral's toxicity phase sends
(a 40-word comment, TOXICITY, doNotStore; 200 different comments in turn)
back to back for ``--seconds``. The raw model's latency is measured in this
process, with the same scorer settings, on the same comments, as one batch of
the same size, in the same run (before and after the load, while the servers
are idle).

Reported: per client count, requests/s, p50/p95/p99 latency and the
scorer's mean batch (from its /healthz counters); the 10-client p95 over the
raw model's median latency for a batch of 10 (target <= 1.5); 10 clients with
batching off (``--max-batch 1``) to show what batching buys; and 10 clients
through the web process. JSON in bench/out/analyze-<model>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import shutil
import tempfile
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


# With two cores or more, the scorer (and the raw model, timed in this process)
# get core 0 and the load generator core 1, so wrk never takes the scorer's CPU;
# as a scoring host would run, with the model's core to itself.
SCORER_CPUS = {0} if (os.cpu_count() or 1) >= 2 else None
CLIENT_CPUS = {1} if SCORER_CPUS else None


def on_cpus(cpus: set[int] | None):
    """A preexec_fn for Popen: run the child on ``cpus``."""
    return (lambda: os.sched_setaffinity(0, cpus)) if cpus else None


def raw_latency(texts: list[str], *, batch: int, seconds: float, min_repeats: int = 10) -> dict:
    """The loaded scorer itself on ``batch`` comments at once, repeated for ``seconds``, on the scorer's core:
    median and p95 in ms. Objects are frozen out of the garbage collector first, as the realtime scorer does."""
    import gc

    from moderation import loaded_scorers

    scorer = loaded_scorers.toxicity_scorer().scorer
    scorer.score(texts[:batch])  # warm
    gc.collect()
    gc.freeze()
    previous = os.sched_getaffinity(0)
    if SCORER_CPUS:
        os.sched_setaffinity(0, SCORER_CPUS)
    try:
        timings: list[float] = []
        stop_at = time.perf_counter() + seconds
        while len(timings) < min_repeats or time.perf_counter() < stop_at:
            chunk = [texts[(len(timings) * batch + j) % len(texts)] for j in range(batch)]
            started = time.perf_counter()
            scorer.score(chunk)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        os.sched_setaffinity(0, previous)
        gc.unfreeze()
    return {"batch": batch, "repeats": len(timings), "median_ms": statistics.median(timings),
            "p95_ms": percentile(timings, 0.95)}


WRK_SCRIPT = """
local bodies = {%s}
local counter = 0
local threads = {}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
  thread:set("offset", #threads * 97)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter %% #bodies) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f %%.3f\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_script(texts: list[str], workdir: Path) -> Path:
    """The clients' requests, one per comment, as a wrk Lua script (long brackets: JSON's escapes pass as they are)."""
    bodies = []
    for text in texts:
        body = json.dumps({"comment": {"text": text}, "languages": ["en"], "doNotStore": True,
                           "requestedAttributes": {"TOXICITY": {}}})
        assert "]==]" not in body
        bodies.append(f"[==[{body}]==]")
    path = workdir / "analyze.lua"
    path.write_text(WRK_SCRIPT % ", ".join(bodies))
    return path


def load(url: str, script: Path, *, clients: int, seconds: float) -> dict:
    """``clients`` connections, each with one request in flight at a time, for ``seconds``."""
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("bench.analyze needs wrk as its load generator: apt-get install -y wrk")
    output = subprocess.run([wrk, "-t", "1", "-c", str(clients), "-d", f"{seconds:g}s",
                             "--timeout", "30s", "-s", str(script), url], capture_output=True, text=True, check=True,
                            preexec_fn=on_cpus(CLIENT_CPUS)).stdout
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    requests, socket_errors, bad_status, duration, p50, p95, p99 = line.split()[1:]
    answered = int(requests) - int(bad_status)
    return {"clients": clients, "requests": answered, "errors": int(socket_errors) + int(bad_status),
            "rps": answered / float(duration), "p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99)}


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


class Product:
    """gunicorn plus the realtime scorer, on a fresh database and a private Redis."""

    def __init__(self, env: dict[str, str], workdir: Path):
        self.env, self.workdir = env, workdir
        self.scorer: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None

    def start_scorer(self, port: int, max_batch: int | None = None, torch_threads: int | None = None) -> None:
        from perspective import realtime
        from tests.support.processes import wait_for

        self.stop_scorer()
        realtime.connection().delete(realtime.ALIVE)
        command = [sys.executable, "manage.py", "realtime_scorer", "--listen", f"127.0.0.1:{port}"]
        command += ["--max-batch", str(max_batch)] if max_batch else []
        command += ["--torch-threads", str(torch_threads)] if torch_threads is not None else []
        self.scorer = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=(self.workdir / "scorer.log").open("ab"),
                                       preexec_fn=on_cpus(SCORER_CPUS),
                                       stderr=subprocess.STDOUT)
        wait_for(lambda: realtime.connection().exists(realtime.ALIVE), timeout=600, what="the realtime scorer")
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), timeout=60, what="the scorer's HTTP server")

    def stop_scorer(self) -> None:
        if self.scorer and self.scorer.poll() is None:
            self.scorer.terminate()
            self.scorer.wait(timeout=30)

    def start_web(self, port: int) -> None:
        from tests.support.processes import wait_for

        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.web = subprocess.Popen([gunicorn, "config.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1",
                                     "--threads", "16", "-k", "gthread", "--keep-alive", "30"],
                                    cwd=ROOT, env=self.env, stdout=(self.workdir / "web.log").open("ab"),
                                    stderr=subprocess.STDOUT)

        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/login/"), timeout=60, what="gunicorn")

    def stop(self) -> None:
        self.stop_scorer()
        if self.web and self.web.poll() is None:
            self.web.terminate()
            self.web.wait(timeout=30)


def scorer_stats(port: int) -> dict:
    import requests

    return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()


def run_load(url: str, script: Path, *, scorer_port: int, clients: int, seconds: float) -> dict:
    load(url, script, clients=clients, seconds=1.0)  # settle connections
    before = scorer_stats(scorer_port)
    result = load(url, script, clients=clients, seconds=seconds)
    after = scorer_stats(scorer_port)
    batches = after["batches"] - before["batches"]
    result["mean_batch"] = (after["requests"] - before["requests"]) / batches if batches else 0.0
    # time the scorer spent in the model per batch (its own view, under this load)
    result["scorer_batch_ms"] = (after["model_ms"] - before["model_ms"]) / batches if batches else 0.0
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=("run", "tiny", "bert-base"), default="run")
    parser.add_argument("--clients", default="1,2,5,10")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--raw-seconds", type=float, default=3.0, help="how long the raw model is timed per batch size")
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
           "VAR_DIR": str(workdir), "DATABASE_URL": database_url, "REDIS_URL": redis.url,
           "LOG_LEVEL": "WARNING", **model_env(args.model)}
    os.environ.update(env)
    product = Product(env, workdir)
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from comments.services import site_get_or_create
        from moderation import loaded_scorers
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
        loaded = loaded_scorers.toxicity_scorer()
        model = f"{loaded.scorer.name} {loaded.scorer.version}"
        texts = forty_word_comments(200)
        script = wrk_script(texts, workdir)
        scorer_port, web_port = free_port(), free_port()
        path = f"/v1alpha1/comments:analyze?key={raw_key}"
        url, web_url = f"http://127.0.0.1:{scorer_port}{path}", f"http://127.0.0.1:{web_port}{path}"
        product.start_scorer(scorer_port, torch_threads=threads)
        product.start_web(web_port)
        top = max(clients)
        load_before = os.getloadavg()
        raw_before = {c: raw_latency(texts, batch=c, seconds=args.raw_seconds) for c in clients}
        runs = [run_load(url, script, scorer_port=scorer_port, clients=c, seconds=args.seconds) for c in clients]
        through_web = run_load(web_url, script, scorer_port=scorer_port, clients=top, seconds=args.seconds)
        product.start_scorer(scorer_port, max_batch=1, torch_threads=threads)
        unbatched = run_load(url, script, scorer_port=scorer_port, clients=top, seconds=args.seconds)
        raw_after = {c: raw_latency(texts, batch=c, seconds=args.raw_seconds) for c in clients}
        load_after = os.getloadavg()
    finally:
        product.stop()
        redis.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    def raw(c: int, stat: str) -> float:
        return statistics.mean([raw_before[c][stat], raw_after[c][stat]])

    top_run = next(r for r in runs if r["clients"] == top)
    result = {
        "model": model, "torch_threads": threads, "fallback_reason": loaded.fallback_reason, "seconds_per_point": args.seconds,
        "pinned": {"scorer_cpus": sorted(SCORER_CPUS or []), "client_cpus": sorted(CLIENT_CPUS or [])},
        "load_average_before": load_before, "load_average_after": load_after,
        "raw_before": raw_before, "raw_after": raw_after, "runs": runs, "unbatched": unbatched,
        "through_web": through_web, "raw_batch_median_ms": raw(top, "median_ms"), "raw_batch_p95_ms": raw(top, "p95_ms"),
        "p95_over_raw_median": top_run["p95_ms"] / raw(top, "median_ms"),
        "p95_over_raw_p95": top_run["p95_ms"] / raw(top, "p95_ms"),
        "p50_over_raw_median": top_run["p50_ms"] / raw(top, "median_ms"),
        "batching_gain": top_run["rps"] / unbatched["rps"] if unbatched["rps"] else None,
    }
    print(f"model: {model}, torch threads {threads}" + (f"  ({loaded.fallback_reason})" if loaded.fallback_reason else ""))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (other work on this machine)")
    print("| clients | req/s | p50 ms | p95 ms | p99 ms | mean batch | scorer ms/batch | raw model, same batch: median / p95 ms | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        c = run["clients"]
        print(f"| {c} | {_row(run)} {raw(c, 'median_ms'):.2f} / {raw(c, 'p95_ms'):.2f} | {run['errors']} |")
    print(f"| {top}, batching off | {_row(unbatched)} | {unbatched['errors']} |")
    print(f"| {top}, through the web process | {_row(through_web)} | {through_web['errors']} |")
    print(f"raw model on a batch of {top}, median before / after the load: "
          f"{raw_before[top]['median_ms']:.2f} / {raw_after[top]['median_ms']:.2f} ms")
    print(f"p95 at {top} clients / raw model's median on a batch of {top}: {result['p95_over_raw_median']:.2f}x (target <= 1.5)")
    print(f"p95 at {top} clients / raw model's p95 on a batch of {top}: {result['p95_over_raw_p95']:.2f}x")
    print(f"p50 at {top} clients / raw model's median on a batch of {top}: {result['p50_over_raw_median']:.2f}x")
    print(f"throughput with batching / without, {top} clients: {result['batching_gain'] or 0:.2f}x")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"analyze-{args.model}.json").write_text(json.dumps(result, indent=2))
    return result


def _row(run: dict) -> str:
    return (f"{run['rps']:.1f} | {run['p50_ms']:.2f} | {run['p95_ms']:.2f} | {run['p99_ms']:.2f} | "
            f"{run['mean_batch']:.2f} | {run['scorer_batch_ms']:.2f} |")


if __name__ == "__main__":
    main()
