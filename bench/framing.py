"""Throughput of the framing analyzer, lexical and semantic, against a BERT-base Detoxify-sized baseline.

    python bench/framing.py [--n 2000] [--semantic-n 300] [--threads 1] [--detoxify-checkpoint PATH]

Comments are built from the evaluation set and the sample article's reader
comments, joined into texts of one to eight comments' length, so lengths vary
like a real comment stream (tens to over a thousand characters).

The baseline is Detoxify "original"'s architecture: BERT-base (12 layers,
hidden 768) with a six-label head, scoring the same comments in batches of 32
the way a worker would. Its checkpoint cannot be downloaded here, so unless
``--detoxify-checkpoint`` points at one the weights are random, which costs
exactly the same compute. The baseline gets the comments sorted by length
(least padding, its best case) while the analyzer gets them in arrival order,
and both neural runs use the same torch thread count, so the ratio is
conservative; results also go to bench/out/framing.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from judgement.framing import FramingAnalyzer  # noqa: E402

EVAL_SET = ROOT / "tests" / "judgement" / "framing" / "eval_set.jsonl"
SAMPLE = ROOT.parent / "shared" / "samples" / "deir-ez-zor-article.txt"
BATCH = 32


def build_comments(n: int, seed: int = 7) -> list[str]:
    pieces = [json.loads(line)["text"] for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line]
    if SAMPLE.exists():
        from comments.article_text import parse_article_text

        pieces += [c.text for c in parse_article_text(SAMPLE.read_text(encoding="utf-8")).comments]
    rng = random.Random(seed)
    sizes = [1, 1, 1, 2, 2, 3, 5, 8]  # most comments are short, a few are long
    return [" ".join(rng.choice(pieces) for _ in range(rng.choice(sizes))) for _ in range(n)]


def throughput(
    score: Callable[[Sequence[str]], object], comments: list[str], batch: int = BATCH
) -> tuple[float, float]:
    """(comments per wall-clock second, comments per CPU second of this process).

    The CPU figure is the "one core" throughput even when other work shares
    the machine; the wall figure is what this run saw.
    """
    # Warm-up on texts of its own: lazy loads are not throughput, and the embedder's cache must stay cold.
    score([f"warm-up comment number {i}, not one of the measured ones." for i in range(batch)])
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(comments), batch):
        score(comments[start : start + batch])
    return len(comments) / (time.perf_counter() - wall), len(comments) / (time.process_time() - cpu)


def bert_base_baseline(checkpoint: str | None) -> Callable[[Sequence[str]], object]:
    import torch

    if checkpoint:
        from detoxify import Detoxify

        model = Detoxify("original", checkpoint=checkpoint, device="cpu")
        return model.predict
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from judgement.embedding import default_model_path

    # all-MiniLM-L6-v2 ships the bert-base-uncased WordPiece vocabulary Detoxify "original" uses.
    tokenizer = AutoTokenizer.from_pretrained(str(default_model_path()))
    model = BertForSequenceClassification(BertConfig(num_labels=6)).eval()

    def predict(texts: Sequence[str]) -> object:
        inputs = tokenizer(list(texts), return_tensors="pt", truncation=True, padding=True)
        with torch.no_grad():
            return torch.sigmoid(model(**inputs).logits)

    return predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="comments for the lexical run")
    parser.add_argument("--semantic-n", type=int, default=200, help="comments for the semantic and baseline runs")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for both neural runs")
    parser.add_argument("--detoxify-checkpoint", default=None, help="a real Detoxify checkpoint, if one is on disk")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--lexical-only", action="store_true", help="skip the semantic layer and the baseline")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    comments = build_comments(max(args.n, args.semantic_n))
    chars = sum(map(len, comments)) / len(comments)
    print(f"{len(comments)} comments, mean {chars:.0f} chars; torch threads {args.threads}")

    results: dict[str, tuple[float, float]] = {}

    def report(name: str, label: str, rates: tuple[float, float], note: str = "") -> None:
        results[name] = rates
        print(f"{label:22s}: {rates[0]:8.1f} comments/s wall, {rates[1]:8.1f} per CPU second{note}")

    lexical = throughput(FramingAnalyzer(semantic=False).score, comments[: args.n])
    report("lexical", "framing, lexical only", lexical, "  (target >= 500 on one core)")
    if not args.lexical_only:
        neural = comments[: args.semantic_n]
        report("semantic", "framing, semantic", throughput(FramingAnalyzer(semantic=True).score, neural))
        if not args.no_baseline:
            baseline = bert_base_baseline(args.detoxify_checkpoint)
            report("bert_base", "BERT-base (Detoxify)", throughput(baseline, sorted(neural, key=len)))
            for name in ("semantic", "lexical"):
                wall, cpu = (results[name][i] / results["bert_base"][i] for i in (0, 1))
                note = "  (must be >= 1)" if name == "semantic" else ""
                print(f"{name + ' / BERT-base':22s}: {wall:8.2f}x wall, {cpu:8.2f}x CPU{note}")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "framing.json").write_text(json.dumps({"threads": args.threads, "mean_chars": chars, **results}, indent=2))


if __name__ == "__main__":
    main()
