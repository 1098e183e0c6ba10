"""Throughput of the offline judgement (one shared embedding) against Detoxify BERT-base, per CPU second.

    python bench/judgement.py --n 120        (or: python -m bench.judgement)

Every measurement runs in its own fresh process (bench/scoring.py's harness)
on the same synthetic comments (bench/scoring.py's corpus, with its length
mix: per block of 40, 33 short, 6 medium and one over 512 tokens):

* Detoxify: ``DetoxifyScorer`` over a checkpoint shaped like Detoxify's
  ``original`` (BERT-base, random weights, real vocab; built once under
  bench/out/, or ``--checkpoint``/``--hf-config`` for real weights);
* the whole judgement: a fresh ``Embedder`` (no store, cold cache: every
  comment is embedded exactly once, which the run checks) shared by
  ``HeadsScorer`` and ``FramingAnalyzer``;
* the embedding alone; the toxicity heads alone on precomputed embeddings
  (pooling, profanity-check and the logistic regressions); the framing
  analyzer alone on precomputed embeddings; the framing lexical evidence
  alone (``FramingAnalyzer(semantic=False)``).

The figure that matters is comments per CPU second of the measuring process
(all its threads), which other load on the machine distorts far less than
wall time; both are reported, with each process's peak resident memory. By
default torch runs one thread in every measurement (``--threads``), so the
CPU figures are per core and not inflated by idle threads spinning on a busy
machine. Ratios are taken against the Detoxify run of the same invocation;
nothing here asserts on a timing. Results print as a table and go to
bench/out/judgement.json.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as ``python bench/judgement.py``, Python puts bench/ first on sys.path, where
# a module named like a standard-library one would shadow it (bench/queue.py once did); import from the root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402  (after the sys.path repair above)
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from typing import Callable, Sequence  # noqa: E402

from bench.scoring import (  # noqa: E402
    OUT_DIR,
    WARMUP_TEXTS,
    BenchContext,
    Measurement,
    corpus_stats,
    generate_comments,
    measure_our_scorer,
    prepare_checkpoint,
    rss_mb,
    run_in_process,
    run_isolated,
    measured,
    report_write,
    time_scoring,
)

DETOXIFY = "detoxify"
JUDGEMENT = "judgement"
EMBEDDING = "embedding"
HEADS = "heads"
FRAMING_GIVEN_EMBEDDINGS = "framing_given_embeddings"
FRAMING_LEXICAL = "framing_lexical"
TARGET_RATIO = 5.0


# --------------------------------------------------------------------------- measurements


def _set_threads(threads: int) -> int:
    """Pin torch's intra-op threads (0 leaves torch's default); returns the count in force."""
    import torch

    if threads > 0:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def _chunks(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    return [texts[start : start + size] for start in range(0, len(texts), size)]


def _fresh_embedder(embed_batch: int | None = None):
    """No store, empty memory; ``embed_batch`` overrides the Embedder's sentences per model call."""
    from judgement.embedding import Embedder

    return Embedder() if embed_batch is None else Embedder(batch_size=embed_batch)


def _embed_batch_in_force(embed_batch: int | None) -> int:
    import inspect

    from judgement.embedding import Embedder

    default = inspect.signature(Embedder).parameters["batch_size"].default
    return default if embed_batch is None else embed_batch


def _check_warmup_is_not_corpus(texts: Sequence[str]) -> None:
    if set(WARMUP_TEXTS) & set(texts):
        raise RuntimeError("a warm-up text is in the corpus: its cache would not be cold")


def _sentence_count(texts: Sequence[str]) -> int:
    """Sentences the embedder must encode at least once for these texts (distinct texts only)."""
    from judgement.embedding import sentences_of

    return sum(len(sentences_of(text)) for text in set(texts))


def measure_detoxify(ctx: BenchContext, *, chunk: int, threads: int) -> dict:
    """``DetoxifyScorer.score`` in chunks (bench/scoring.py's measurement), with pinned torch threads."""
    _set_threads(threads)
    result = measure_our_scorer(ctx, chunk=chunk)
    result.pop("scores", None)
    return result


def measure_judgement(ctx: BenchContext, *, chunk: int, threads: int, embed_batch: int | None = None) -> dict:
    """Toxicity heads then framing on each chunk, both reading one fresh embedder (cold cache)."""
    from judgement.framing import FramingAnalyzer
    from judgement.scorers.heads_scorer import HeadsScorer

    torch_threads = _set_threads(threads)
    embedder = _fresh_embedder(embed_batch)
    heads = HeadsScorer(embedder=embedder)
    framing = FramingAnalyzer(embedder=embedder)
    _check_warmup_is_not_corpus(ctx.texts)
    heads.score(WARMUP_TEXTS)  # loads the model, profanity-check, the role descriptions
    framing.score(WARMUP_TEXTS)
    rss_after_load = rss_mb()
    encoded_before = embedder.encoded_sentences
    by_heads = by_framing = 0

    def score_all() -> list[dict[str, float]]:
        nonlocal by_heads, by_framing
        scores: list[dict[str, float]] = []
        for batch in _chunks(ctx.texts, chunk):
            start = embedder.encoded_sentences
            toxicity = heads.score(batch)
            middle = embedder.encoded_sentences
            framed = framing.score(batch)
            by_heads += middle - start
            by_framing += embedder.encoded_sentences - middle
            scores.extend({**t.labels, **f.labels} for t, f in zip(toxicity, framed, strict=True))
        return scores

    scores, timing = time_scoring(score_all)
    sentences = _sentence_count(ctx.texts)
    encoded = embedder.encoded_sentences - encoded_before
    # Cold and once: the heads' pass encoded every sentence (windows of an over-long one add pieces),
    # and the framing analyzer, reading the same embedder, encoded nothing.
    embedded_once = by_framing == 0 and encoded >= sentences
    return measured(
        comments=len(ctx.texts), timing=timing, rss_after_load=rss_after_load, torch_threads=torch_threads,
        embed_batch=_embed_batch_in_force(embed_batch), labels=sorted(scores[0]) if scores else [],
        sentences=sentences, pieces_encoded=encoded, pieces_encoded_by_heads=by_heads,
        pieces_encoded_by_framing=by_framing, embedded_once=embedded_once,
        notes=(
            f"heads {heads.version}; framing {framing.version}; {sentences} sentences, {encoded} pieces encoded"
            f" ({by_framing} by framing): {'each text embedded once' if embedded_once else 'NOT embedded once'}"
        ),
    )


def measure_embedding(ctx: BenchContext, *, chunk: int, threads: int, embed_batch: int | None = None) -> dict:
    """``Embedder.embed`` alone on a fresh embedder: the sentence split and the model pass."""
    torch_threads = _set_threads(threads)
    embedder = _fresh_embedder(embed_batch)
    _check_warmup_is_not_corpus(ctx.texts)
    embedder.embed(WARMUP_TEXTS)
    rss_after_load = rss_mb()
    encoded_before = embedder.encoded_sentences

    def score_all() -> list:
        embedded = []
        for batch in _chunks(ctx.texts, chunk):
            embedded.extend(embedder.embed(batch))
        return embedded

    embedded, timing = time_scoring(score_all)
    return measured(
        comments=len(embedded), timing=timing, rss_after_load=rss_after_load, torch_threads=torch_threads,
        embed_batch=_embed_batch_in_force(embed_batch), sentences=_sentence_count(ctx.texts),
        pieces_encoded=embedder.encoded_sentences - encoded_before,
    )


def _given_embeddings(ctx: BenchContext, chunk: int, make: Callable[[object], object]) -> tuple[object, float, dict]:
    """A scorer over a fresh embedder that already holds every comment (embedded before the clock)."""
    embedder = _fresh_embedder()
    scorer = make(embedder)
    scorer.score(WARMUP_TEXTS)
    for batch in _chunks(ctx.texts, chunk):
        embedder.embed(batch)
    rss_after_load = rss_mb()
    encoded_before = embedder.encoded_sentences

    def score_all() -> list[dict[str, float]]:
        return [result.labels for batch in _chunks(ctx.texts, chunk) for result in scorer.score(batch)]

    scores, timing = time_scoring(score_all)
    if embedder.encoded_sentences != encoded_before:
        raise RuntimeError("the scorer embedded again although every comment was in memory")
    return scores, rss_after_load, timing


def _measure_given_embeddings(ctx: BenchContext, chunk: int, threads: int, make: Callable[[object], object],
                              **more: Callable[[list], object]) -> dict:
    torch_threads = _set_threads(threads)
    scores, rss_after_load, timing = _given_embeddings(ctx, chunk, make)
    return measured(comments=len(scores), timing=timing, rss_after_load=rss_after_load, torch_threads=torch_threads,
                    **{name: figure(scores) for name, figure in more.items()})


def measure_heads(ctx: BenchContext, *, chunk: int, threads: int) -> dict:
    """``HeadsScorer.score`` on precomputed embeddings: pooling, profanity-check, the regressions."""
    from judgement.scorers.heads_scorer import HeadsScorer

    return _measure_given_embeddings(ctx, chunk, threads, lambda e: HeadsScorer(embedder=e),
                                     labels=lambda scores: sorted(scores[0]) if scores else [])


def measure_framing_given_embeddings(ctx: BenchContext, *, chunk: int, threads: int) -> dict:
    """``FramingAnalyzer.score`` on precomputed embeddings: evidence, semantic layer, framing head, spans."""
    from judgement.framing import FramingAnalyzer

    return _measure_given_embeddings(ctx, chunk, threads, lambda e: FramingAnalyzer(embedder=e))


def measure_framing_lexical(ctx: BenchContext, *, chunk: int) -> dict:
    """``FramingAnalyzer(semantic=False).score``: the lexical evidence and the hand-fitted model, no embedding."""
    from judgement.framing import FramingAnalyzer

    analyzer = FramingAnalyzer(semantic=False)
    analyzer.score(WARMUP_TEXTS)
    rss_after_load = rss_mb()

    def score_all() -> list[dict[str, float]]:
        return [result.labels for batch in _chunks(ctx.texts, chunk) for result in analyzer.score(batch)]

    scores, timing = time_scoring(score_all)
    return measured(comments=len(scores), timing=timing, rss_after_load=rss_after_load)


def measurements(args: argparse.Namespace) -> list[tuple[str, Measurement]]:
    """(key, measurement) in running order; the Detoxify baseline first."""
    neural = {"chunk": args.chunk, "threads": args.threads}
    embedding = {**neural, "embed_batch": args.embed_batch}
    model = "checkpoint" if args.checkpoint else "BERT-base"
    batch = "" if args.embed_batch is None else f", embed batch {args.embed_batch}"
    return [
        (DETOXIFY, Measurement(f"Detoxify {model}, chunks of {args.chunk}", measure_detoxify, neural)),
        (JUDGEMENT, Measurement(f"judgement: heads + framing, cold{batch}", measure_judgement, embedding)),
        (EMBEDDING, Measurement(f"embedding alone{batch}", measure_embedding, embedding)),
        (HEADS, Measurement("toxicity heads, given embeddings", measure_heads, neural)),
        (FRAMING_GIVEN_EMBEDDINGS, Measurement("framing, given embeddings", measure_framing_given_embeddings, neural)),
        (FRAMING_LEXICAL, Measurement("framing lexical alone", measure_framing_lexical, {"chunk": args.chunk})),
    ]


# --------------------------------------------------------------------------- summary and report


def summarize(results: dict[str, dict]) -> dict[str, float | bool | None]:
    """Ratios against the Detoxify run and the shares of the whole judgement's CPU time."""
    detoxify_rate = results[DETOXIFY]["comments_per_cpu_second"]
    whole = results[JUDGEMENT]

    def per_comment_cpu(key: str) -> float:
        return results[key]["cpu_seconds"] / results[key]["comments"]

    judgement_ratio = whole["comments_per_cpu_second"] / detoxify_rate
    return {
        "judgement_vs_detoxify_per_cpu_second": judgement_ratio,
        "judgement_vs_detoxify_per_wall_second": whole["comments_per_second"] / results[DETOXIFY]["comments_per_second"],
        "meets_5x_detoxify_per_cpu_second": judgement_ratio >= TARGET_RATIO,
        "embedding_share_of_judgement_cpu": per_comment_cpu(EMBEDDING) / per_comment_cpu(JUDGEMENT),
        "heads_share_of_judgement_cpu": per_comment_cpu(HEADS) / per_comment_cpu(JUDGEMENT),
        "framing_given_embeddings_share_of_judgement_cpu": (
            per_comment_cpu(FRAMING_GIVEN_EMBEDDINGS) / per_comment_cpu(JUDGEMENT)
        ),
        "framing_lexical_vs_detoxify_per_cpu_second": (
            results[FRAMING_LEXICAL]["comments_per_cpu_second"] / detoxify_rate
        ),
        "each_text_embedded_once": bool(whole.get("embedded_once")),
    }


def print_table(results: dict[str, dict], summary: dict) -> None:
    detoxify_rate = results[DETOXIFY]["comments_per_cpu_second"]
    judgement_cpu = results[JUDGEMENT]["cpu_seconds"] / results[JUDGEMENT]["comments"]
    width = max(len(r["name"]) for r in results.values())
    header = (
        f"{'measurement':<{width}} {'comments':>8} {'wall s':>7} {'comm/s':>8} {'cpu s':>7} {'comm/cpu-s':>10}"
        f" {'x detox':>8} {'% judg':>7} {'RSS load':>9} {'RSS scor':>9} {'max RSS':>8}"
    )
    print(header)
    print("-" * len(header))
    for key, r in results.items():
        share = 100 * (r["cpu_seconds"] / r["comments"]) / judgement_cpu
        print(
            f"{r['name']:<{width}} {r['comments']:>8} {r['seconds']:>7.1f} {r['comments_per_second']:>8.2f}"
            f" {r['cpu_seconds']:>7.1f} {r['comments_per_cpu_second']:>10.2f}"
            f" {r['comments_per_cpu_second'] / detoxify_rate:>7.2f}x {share:>6.1f}%"
            f" {r.get('rss_after_load_mb', 0):>7.0f}MB {r.get('peak_rss_scoring_mb', 0):>7.0f}MB"
            f" {r.get('peak_rss_process_mb', 0):>6.0f}MB"
        )
    print(
        "x detox: comments per CPU second / Detoxify's, same run. % judg: CPU per comment as a share of the"
        " whole judgement's.\nRSS load: after loading and warm-up; RSS scor: peak sampled while scoring;"
        " max RSS: the process's peak (VmHWM)."
    )
    print()
    print(
        f"judgement vs Detoxify: {summary['judgement_vs_detoxify_per_cpu_second']:.2f}x per CPU second"
        f" (target >= {TARGET_RATIO:.0f}x: {'met' if summary['meets_5x_detoxify_per_cpu_second'] else 'NOT met'}),"
        f" {summary['judgement_vs_detoxify_per_wall_second']:.2f}x per wall second"
    )
    print(
        f"shares of the judgement's CPU: embedding {100 * summary['embedding_share_of_judgement_cpu']:.1f}%,"
        f" toxicity heads {100 * summary['heads_share_of_judgement_cpu']:.2f}%,"
        f" framing given embeddings {100 * summary['framing_given_embeddings_share_of_judgement_cpu']:.1f}%"
    )
    print(f"each text embedded once: {summary['each_text_embedded_once']}")


def machine_load(sample_seconds: float = 1.0, top: int = 5) -> list[dict]:
    """Other processes using CPU right now (not this one): what else was loading the machine."""
    import psutil

    me = os.getpid()
    processes = [p for p in psutil.process_iter(["pid", "cmdline", "name"]) if p.pid != me]
    for process in processes:
        try:
            process.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(sample_seconds)
    busy = []
    for process in processes:
        try:
            percent = process.cpu_percent(None)
        except psutil.Error:
            continue
        if percent >= 5:
            command = " ".join(process.info["cmdline"] or [process.info["name"] or "?"])
            busy.append({"pid": process.pid, "cpu_percent": percent, "command": command[:160]})
    return sorted(busy, key=lambda item: -item["cpu_percent"])[:top]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=120, help="comments every measurement scores (multiples of 40 keep the mix)")
    parser.add_argument("--chunk", type=int, default=64, help="comments per score() call (a worker task's batch)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads in each measurement (0: torch's default)")
    parser.add_argument(
        "--embed-batch", type=int, default=None,
        help="sentences per model call in the judgement and embedding runs (default: the Embedder's own)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", help="a real Detoxify checkpoint instead of the random original-shaped one")
    parser.add_argument("--hf-config", help="local Hugging Face config/tokenizer folder for --checkpoint")
    parser.add_argument(
        "--in-process", action="store_true",
        help="run the measurements in this process (quick checks and tests; memory figures are then shared)",
    )
    parser.add_argument(
        "--load-sample", type=float, default=1.0, metavar="SECONDS",
        help="how long to watch other processes' CPU use before and after (0: skip)",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR / "judgement.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    other_load_before = machine_load(args.load_sample) if args.load_sample > 0 else []
    checkpoint, hf_config = prepare_checkpoint(args)
    texts = generate_comments(args.n, seed=args.seed)
    _, stats = corpus_stats(texts, hf_config)
    ctx = BenchContext(texts=texts, checkpoint=checkpoint, hf_config=hf_config)
    print(f"corpus: {json.dumps(stats)}", flush=True)
    print(f"other processes using CPU: {json.dumps(other_load_before)}", flush=True)

    run = run_in_process if args.in_process else run_isolated
    results: dict[str, dict] = {}
    for key, measurement in measurements(args):
        print(f"running: {measurement.name} ...", end=" ", flush=True)
        started = time.perf_counter()
        results[key] = run(measurement, ctx)
        results[key]["process_wall_seconds"] = time.perf_counter() - started
        print(f"{results[key]['process_wall_seconds']:.0f}s", flush=True)
    summary = summarize(results)
    print()
    print_table(results, summary)
    for r in results.values():
        if r.get("notes"):
            print(f"{r['name']}: {r['notes']}")
    other_load_after = machine_load(args.load_sample) if args.load_sample > 0 else []

    report = {
        "args": {key: str(value) for key, value in vars(args).items()},
        "cpu_count": os.cpu_count(),
        "checkpoint": checkpoint,
        "corpus": stats,
        "isolated": not args.in_process,
        "other_load_before": other_load_before,
        "other_load_after": other_load_after,
        "load_average_after": os.getloadavg()[0],
        "summary": summary,
        "results": {key: {k: v for k, v in r.items() if k != "scores"} for key, r in results.items()},
    }
    return report_write(args.out, report)


if __name__ == "__main__":
    main()
