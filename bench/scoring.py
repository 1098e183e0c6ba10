"""Scoring throughput benchmark: naive ``Detoxify.predict`` against our Detoxify scorer.

    python -m bench.scoring --n 400

Every measurement runs in its own fresh process (so peak memory is its own)
on the same synthetic comments, against a checkpoint shaped like Detoxify's
``original`` (BERT-base, 6 labels, real uncased WordPiece vocab, random
weights; built once under bench/out/). Pass ``--checkpoint``/``--hf-config``
to benchmark real weights instead. Results print as a table and are written
to bench/out/scoring.json.

The naive baselines are slow, so by default they score only the first
``--naive-n`` comments; the corpus is built in blocks of 40 with a fixed
length mix, so that prefix has the same mix as the whole set.

The end-to-end measurement (bench/scoring_pipeline.py) needs PostgreSQL
(BENCH_ADMIN_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres)
and starts its own Redis and Celery worker.

Adding a measurement: write a module-level
function ``measure_x(ctx: BenchContext, **kwargs) -> dict`` that returns at
least ``{"comments": int, "seconds": float}`` (optionally ``"scores"``,
``"rss_after_load_mb"``, ``"notes"``), and add a ``Measurement`` for it in
``measurements()``. The harness runs it in a fresh process and adds the rate
and memory figures.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as ``python bench/scoring.py``, Python puts bench/ first on sys.path, where
# a module named like a standard-library one would shadow it (bench/queue.py once did); import from the root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402  (after the sys.path repair above)
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any, Callable  # noqa: E402

OUT_DIR = ROOT / "bench" / "out"
WARMUP_TEXTS = ["warm up the kernels", "a second, slightly longer warm-up comment for the model"] * 4
# Detoxify's `original` checkpoint stores the Jigsaw names; Detoxify renames them on load to
# toxicity, severe_toxicity, obscene, threat, insult, identity_attack.
ORIGINAL_CLASSES = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")


# --------------------------------------------------------------------------- corpus

BLOCK_MIX: tuple[tuple[int, int, int], ...] = ((33, 10, 80), (6, 150, 300), (1, 450, 800))
"""Per block of 40 comments: (count, min words, max words). 450+ words is over 512 tokens.

Comments are shuffled inside each block, so any multiple of 40 comments (the
prefix the naive baselines score included) has exactly this length mix.
"""

_OPENERS = (
    "Honestly,", "I think", "Great article!", "Not sure about this, but", "As someone who lives here,",
    "Lol", "Wow.", "Thanks for writing this.", "Hot take:", "Correct me if I'm wrong, but", "Ugh.",
    "My two cents:", "Reading the comments here,", "FWIW", "Agreed with the above.",
)
_SUBJECTS = (
    "the city council", "the new bike lane", "this recipe", "the referee", "the author", "my landlord",
    "the school board", "the mayor", "this update", "the last patch", "the new stadium", "our neighbours",
    "the bus schedule", "the moderators", "the vaccine rollout", "the housing market", "the coach",
    "the company", "the government", "people like you", "the press", "this forum",
)
_VERBS = (
    "completely ignored", "finally fixed", "keeps messing up", "doesn't understand", "should rethink",
    "got it right about", "is lying about", "totally ruined", "did a decent job on", "wasted money on",
    "never explained", "clearly cares about", "made a mess of", "should apologise for",
)
_OBJECTS = (
    "the budget", "parking downtown", "the second half", "the comment section", "local businesses",
    "the traffic problem", "the main point", "the data", "the playoffs", "rent prices", "the schedule",
    "public safety", "the kids", "the environment", "basic facts", "the whole season",
)
_ENDINGS = (
    ".", "!", "...", "?", "!!!", ". Just saying.", ", imo.", ". Source: https://example.org/report?id=42",
    " 🙄", " 😂😂", " 👍", ". Anyway.", ", period.", " lol",
)
_ASIDES = (
    "I drove past it yesterday and nothing has changed", "my sister works there and says the same",
    "the numbers in the second chart don't add up", "we had the exact same problem back in 2019",
    "nobody asked for this", "it took three hours to get through on the phone",
    "the comments on the last article said the same thing", "I've been a subscriber for ten years",
    "there's a petition going around, see @localnews", "the original study was retracted",
)
_TOXIC = (
    "you're an idiot", "what a moron", "shut up", "this is garbage", "go to hell", "damn clowns",
    "total crap", "wtf is wrong with you", "stupid people like you", "get lost, loser",
    "you pathetic troll", "screw this",
)
TOXIC_SHARE = 0.15


def generate_comments(n: int, *, seed: int = 0) -> list[str]:
    """``n`` comments, deterministic for a seed, with the block mix described above."""
    rng = random.Random(seed)
    comments: list[str] = []
    while len(comments) < n:
        ranges = [(low, high) for count, low, high in BLOCK_MIX for _ in range(count)]
        rng.shuffle(ranges)
        comments.extend(_comment(rng, rng.randint(low, high)) for low, high in ranges)
    return comments[:n]


def _comment(rng: random.Random, target_words: int) -> str:
    toxic = rng.random() < TOXIC_SHARE
    parts: list[str] = []
    words = 0
    if rng.random() < 0.5:
        parts.append(rng.choice(_OPENERS))
        words += len(parts[-1].split())
    while words < target_words:
        sentence = _sentence(rng, toxic)
        parts.append(sentence)
        words += len(sentence.split())
    text = " ".join(parts)
    return " ".join(text.split()[:target_words])


def _sentence(rng: random.Random, toxic: bool) -> str:
    subject = rng.choice(_SUBJECTS)
    if rng.random() < 0.1:
        subject = subject.upper()
    body = f"{subject} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
    if rng.random() < 0.35:
        body += f", and {rng.choice(_ASIDES)}"
    if toxic and rng.random() < 0.4:
        body = f"{body}, {rng.choice(_TOXIC)}"
    sentence = body[0].upper() + body[1:] + rng.choice(_ENDINGS)
    return sentence


# --------------------------------------------------------------------------- harness


@dataclass(frozen=True)
class BenchContext:
    """What every measurement gets (picklable: it crosses into the measurement's process)."""

    texts: list[str]
    checkpoint: str
    hf_config: str


@dataclass(frozen=True)
class Measurement:
    name: str
    function: Callable[..., dict]
    kwargs: dict = field(default_factory=dict)
    # Score only the first `limit` comments (the slow naive baselines).
    limit: int | None = None


class RssSampler:
    """Samples this process's resident memory every 20 ms while scoring; keeps the peak.

    The process's peak (reported too, as peak_rss_process_mb) cannot separate scoring
    from start-up, e.g. quantization briefly holds the float model and its
    int8 copy at once; hence the sampling.
    """

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def process_peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM where /proc has it, else ru_maxrss.

    On Linux a spawned child's ru_maxrss starts at its parent's peak (exec
    carries the old address space's high-water mark into the child's rusage),
    so it would report the harness's own peak; VmHWM belongs to the address
    space the child got at exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(function: Callable[..., dict], ctx: BenchContext, kwargs: dict, queue: Any) -> None:
    try:
        result = function(ctx, **kwargs)
        result["peak_rss_process_mb"] = process_peak_rss_mb()
        queue.put(("ok", result))
    except BaseException as exc:  # report any failure to the parent instead of hanging it
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


def _limited(measurement: Measurement, ctx: BenchContext) -> BenchContext:
    if measurement.limit is None:
        return ctx
    return BenchContext(texts=ctx.texts[: measurement.limit], checkpoint=ctx.checkpoint, hf_config=ctx.hf_config)


def run_isolated(measurement: Measurement, ctx: BenchContext) -> dict:
    """Run one measurement in a fresh spawned process and return its result with derived figures."""
    ctx = _limited(measurement, ctx)
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    load_before = os.getloadavg()[0]
    process = spawn.Process(target=_child, args=(measurement.function, ctx, measurement.kwargs, queue))
    process.start()
    status, result = queue.get()
    process.join()
    if status != "ok":
        raise RuntimeError(f"{measurement.name} failed: {result}")
    return _with_rates(measurement, result, load_before)


def run_in_process(measurement: Measurement, ctx: BenchContext) -> dict:
    """``run_isolated`` without the fresh process (for tests): memory figures are then the caller's."""
    ctx = _limited(measurement, ctx)
    load_before = os.getloadavg()[0]
    result = measurement.function(ctx, **measurement.kwargs)
    result["peak_rss_process_mb"] = process_peak_rss_mb()
    return _with_rates(measurement, result, load_before)


def _with_rates(measurement: Measurement, result: dict, load_before: float) -> dict:
    result["name"] = measurement.name
    result["comments_per_second"] = result["comments"] / result["seconds"]
    if "cpu_seconds" in result:
        result["comments_per_cpu_second"] = result["comments"] / result["cpu_seconds"]
    result["load_average_before"] = load_before
    return result


# --------------------------------------------------------------------------- measurements


def time_scoring(score_all: Callable[[], list[dict[str, float]]]) -> tuple[list[dict[str, float]], dict]:
    """Run ``score_all`` once; wall and CPU seconds (CPU time is less distorted by other load on the machine)."""
    with RssSampler() as sampler:
        started, cpu_started = time.perf_counter(), time.process_time()
        scores = score_all()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return scores, {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_scoring_mb": sampler.peak / 2**20}


def measured(*, comments: int, timing: dict, rss_after_load: float, **more) -> dict:
    """One measurement's row: what every ``measure_*`` reports, then its own figures."""
    return {"comments": comments, **timing, "rss_after_load_mb": rss_after_load, **more}


def report_write(path: Path, report: dict) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"written: {path}")
    return report


def measure_naive_detoxify(ctx: BenchContext, *, batch_size: int) -> dict:
    """``Detoxify.predict`` on consecutive batches of ``batch_size`` comments (what a simple worker does)."""
    import torch
    from detoxify import Detoxify

    model = Detoxify(checkpoint=ctx.checkpoint, huggingface_config_path=ctx.hf_config)
    model.predict(WARMUP_TEXTS)
    rss_after_load = rss_mb()

    def score_all() -> list[dict[str, float]]:
        scores: list[dict[str, float]] = []
        for start in range(0, len(ctx.texts), batch_size):
            batch = ctx.texts[start : start + batch_size]
            result = model.predict(batch)
            # predict squeezes a batch of one down to scalars
            columns = {label: values if isinstance(values, list) else [values] for label, values in result.items()}
            scores.extend({label: columns[label][i] for label in columns} for i in range(len(batch)))
        return scores

    scores, timing = time_scoring(score_all)
    return measured(comments=len(ctx.texts), timing=timing, rss_after_load=rss_after_load, scores=scores,
                    torch_threads=torch.get_num_threads())


def measure_our_scorer(ctx: BenchContext, *, chunk: int, quantize: bool = False) -> dict:
    """``DetoxifyScorer.score`` on consecutive chunks of ``chunk`` comments (one worker task's batch)."""
    import torch

    from judgement.scorers.detoxify_scorer import DetoxifyScorer, DetoxifySettings

    settings = DetoxifySettings(
        checkpoint=Path(ctx.checkpoint), huggingface_config_path=Path(ctx.hf_config), quantize=quantize
    )
    scorer = DetoxifyScorer(settings)
    scorer.score(WARMUP_TEXTS)
    rss_after_load = rss_mb()
    windows = 0

    def score_all() -> list[dict[str, float]]:
        nonlocal windows
        scores: list[dict[str, float]] = []
        for start in range(0, len(ctx.texts), chunk):
            for result in scorer.score(ctx.texts[start : start + chunk]):
                scores.append(result.labels)
                windows += result.details["windows"]
        return scores

    scores, timing = time_scoring(score_all)
    return measured(comments=len(ctx.texts), timing=timing, rss_after_load=rss_after_load, scores=scores,
                    torch_threads=torch.get_num_threads(), notes=f"{scorer.name} {scorer.version}, {windows} windows")


def measurements(args: argparse.Namespace) -> list[Measurement]:
    naive_limit = min(args.naive_n, args.n)
    found = [
        Measurement("naive Detoxify.predict, batch 8", measure_naive_detoxify, {"batch_size": 8}, naive_limit),
        Measurement("naive Detoxify.predict, batch 32", measure_naive_detoxify, {"batch_size": 32}, naive_limit),
        Measurement(f"our scorer, float, chunks of {args.chunk}", measure_our_scorer, {"chunk": args.chunk}),
    ]
    if not args.no_end_to_end:
        from bench.scoring_pipeline import measure_end_to_end

        found.append(
            Measurement(f"end to end via Celery, batches of {args.chunk}", measure_end_to_end, {"chunk": args.chunk})
        )
    if not args.no_quantized:
        found.append(
            Measurement(
                f"our scorer, int8, chunks of {args.chunk}",
                measure_our_scorer,
                {"chunk": args.chunk, "quantize": True},
            )
        )
    return found


# --------------------------------------------------------------------------- comparison and report


def max_abs_difference(left: list[dict[str, float]], right: list[dict[str, float]], keep: list[bool]) -> float:
    return max(
        (abs(a[label] - b[label]) for a, b, k in zip(left, right, keep) if k for label in a),
        default=0.0,
    )


def compare(results: list[dict], token_counts: list[int], content_limit: int) -> dict:
    """Score differences between runs: int8 vs float (all comments), ours vs naive (comments that fit one window)."""
    float_run = next(r for r in results if r["name"].startswith("our scorer, float"))
    comparisons: dict[str, float] = {}
    fits = [count <= content_limit for count in token_counts]
    # How much scores vary at all puts the differences in proportion (random weights vary little).
    labels = list(float_run["scores"][0])
    comparisons["float score range (max - min over comments, widest label)"] = max(
        max(s[label] for s in float_run["scores"]) - min(s[label] for s in float_run["scores"]) for label in labels
    )
    for run in results:
        if run is float_run or "scores" not in run:
            continue
        n = len(run["scores"])
        if run["name"].startswith("our scorer, int8"):
            comparisons[f"max |int8 - float| over all {n} comments"] = max_abs_difference(
                run["scores"], float_run["scores"], [True] * n
            )
            differences = [abs(a[k] - b[k]) for a, b in zip(run["scores"], float_run["scores"]) for k in a]
            comparisons[f"mean |int8 - float| over all {n} comments"] = sum(differences) / len(differences)
        else:
            comparisons[f"max |float - {run['name']}| over {sum(fits[:n])} comments within one window"] = (
                max_abs_difference(float_run["scores"][:n], run["scores"], fits[:n])
            )
    return comparisons


def print_table(results: list[dict]) -> None:
    naive = [r for r in results if r["name"].startswith("naive")]
    best_wall = max((r["comments_per_second"] for r in naive), default=None)
    best_cpu = max((r.get("comments_per_cpu_second", 0) for r in naive), default=None)
    header = (
        f"{'measurement':<36} {'comments':>8} {'wall s':>7} {'comm/s':>7} {'x naive':>7}"
        f" {'cpu s':>7} {'comm/cpu-s':>10} {'x naive':>7} {'RSS load':>9} {'RSS peak':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        wall_ratio = f"{r['comments_per_second'] / best_wall:.2f}x" if best_wall else "-"
        cpu_rate = r.get("comments_per_cpu_second")
        cpu_ratio = f"{cpu_rate / best_cpu:.2f}x" if cpu_rate and best_cpu else "-"
        print(
            f"{r['name']:<36} {r['comments']:>8} {r['seconds']:>7.1f} {r['comments_per_second']:>7.2f} {wall_ratio:>7}"
            f" {r.get('cpu_seconds', 0):>7.1f} {cpu_rate or 0:>10.3f} {cpu_ratio:>7}"
            f" {r.get('rss_after_load_mb', 0):>7.0f}MB {r.get('peak_rss_scoring_mb', 0):>7.0f}MB"
        )
    print(
        "x naive: rate / best naive rate (wall clock; and per CPU-second, less distorted by other load).\n"
        "RSS load: after loading and warm-up. RSS peak: sampled while scoring."
    )


def prepare_checkpoint(args: argparse.Namespace) -> tuple[str, str]:
    if args.checkpoint:
        if not args.hf_config:
            raise SystemExit("--checkpoint needs --hf-config (a local folder with config.json and tokenizer files)")
        return args.checkpoint, args.hf_config
    from tests.support.tiny_detoxify import build_tiny_detoxify

    # BertConfig() defaults (bert-base-uncased's shape), which Detoxify's `original` model has.
    checkpoint, hf_dir = build_tiny_detoxify(
        OUT_DIR / "original-shaped",
        labels=ORIGINAL_CLASSES,
        max_position_embeddings=512,
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        initializer_range=0.02,
    )
    return str(checkpoint), str(hf_dir)


def corpus_stats(texts: list[str], hf_config: str) -> tuple[list[int], dict]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(hf_config, local_files_only=True)
    counts = [len(ids) for ids in tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]]
    words = [len(text.split()) for text in texts]
    ordered = sorted(counts)
    stats = {
        "comments": len(texts),
        "words_mean": sum(words) / len(words),
        "tokens_mean": sum(counts) / len(counts),
        "tokens_median": ordered[len(ordered) // 2],
        "tokens_max": ordered[-1],
        "over_510_tokens": sum(count > 510 for count in counts),
        "from_150_to_510_tokens": sum(150 <= count <= 510 for count in counts),
    }
    return counts, stats


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400, help="comments scored by our scorer")
    parser.add_argument(
        "--naive-n", type=int, default=40, help="comments each naive baseline scores (a prefix; a multiple of 40)"
    )
    parser.add_argument("--chunk", type=int, default=64, help="comments per score() call (a worker task's batch)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-quantized", action="store_true", help="skip the int8 measurement")
    parser.add_argument("--no-end-to-end", action="store_true", help="skip the Celery end-to-end measurement")
    parser.add_argument("--checkpoint", help="a real Detoxify checkpoint instead of the random original-shaped one")
    parser.add_argument("--hf-config", help="local Hugging Face config/tokenizer folder for --checkpoint")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "scoring.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    checkpoint, hf_config = prepare_checkpoint(args)
    texts = generate_comments(args.n, seed=args.seed)
    token_counts, stats = corpus_stats(texts, hf_config)
    ctx = BenchContext(texts=texts, checkpoint=checkpoint, hf_config=hf_config)
    print(f"corpus: {json.dumps(stats)}", flush=True)

    results = []
    for measurement in measurements(args):
        print(f"running: {measurement.name} ...", flush=True)
        results.append(run_isolated(measurement, ctx))
    print()
    print_table(results)
    for r in results:
        if r.get("notes"):
            print(f"{r['name']}: {r['notes']}")
    comparisons = compare(results, token_counts, content_limit=510)
    for label, value in comparisons.items():
        print(f"{label}: {value:.2e}")

    report = {
        "args": {key: str(value) for key, value in vars(args).items()},
        "cpu_count": os.cpu_count(),
        "checkpoint": checkpoint,
        "corpus": stats,
        "load_average_after": os.getloadavg()[0],
        "results": [{key: value for key, value in r.items() if key != "scores"} for r in results],
        "score_differences": comparisons,
    }
    return report_write(args.out, report)


if __name__ == "__main__":
    main()
