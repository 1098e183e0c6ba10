"""Evaluate the framing analyzer on the evaluation set, per split.

    python tests/judgement/framing/evaluate.py [--no-semantic] [--errors] [--json]

Prints precision, recall, F1 and Matthews correlation for the tune and test
halves, and the false-positive rate on each contrast class. Weights are
fitted on the tune half only (tune.py), so the test half is the honest figure.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3])]

from framing_eval import Metrics, load_eval_set, metrics  # noqa: E402

from judgement.framing import LABEL, FramingAnalyzer  # noqa: E402


def _report(name: str, result: Metrics) -> str:
    fpr = ", ".join(f"{kind} {value:.2f}" for kind, value in result.fpr_by_kind.items())
    return (
        f"{name:5s} n={result.n:3d}  P={result.precision:.3f} R={result.recall:.3f} "
        f"F1={result.f1:.3f} MCC={result.mcc:.3f}\n      FPR by class: {fpr}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-semantic", action="store_true", help="lexical layer only")
    parser.add_argument("--errors", action="store_true", help="list misclassified texts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    analyzer = FramingAnalyzer(semantic=not args.no_semantic)
    items = load_eval_set()
    started = time.perf_counter()
    scores = [result.labels[LABEL] for result in analyzer.score([item.text for item in items])]
    elapsed = time.perf_counter() - started
    figures = {}
    for split in ("tune", "test"):
        chosen = [(item, score) for item, score in zip(items, scores) if item.split == split]
        figures[split] = metrics([item for item, _ in chosen], [score for _, score in chosen])
    if args.json:
        print(json.dumps({split: vars(result) for split, result in figures.items()}, indent=2))
        return
    print(f"{analyzer.name} {analyzer.version}  ({len(items)} texts in {elapsed:.1f}s)")
    for split, result in figures.items():
        print(_report(split, result))
    if args.errors:
        for item, score in zip(items, scores):
            if (score >= 0.5) != bool(item.label):
                print(f"  {item.split:4s} {item.kind:17s} {score:.2f}  {item.text}")


if __name__ == "__main__":
    main()
