"""The evaluation set and its metrics, shared by evaluate.py, tune.py and the tests."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

EVAL_SET = Path(__file__).resolve().parent / "eval_set.jsonl"
THRESHOLD = 0.5
CONTRAST_KINDS = ("criticism", "reported", "negation", "news_about_theory", "quotation", "hostility", "neutral")


@dataclass(frozen=True)
class Item:
    id: str
    topic: str
    kind: str
    label: int
    split: str
    text: str


def load_eval_set(split: str | None = None) -> list[Item]:
    items = [Item(**json.loads(line)) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item for item in items if split is None or item.split == split]


@dataclass(frozen=True)
class Metrics:
    n: int
    precision: float
    recall: float
    f1: float
    mcc: float
    fpr_by_kind: dict[str, float]


def metrics(items: Sequence[Item], scores: Iterable[float], threshold: float = THRESHOLD) -> Metrics:
    predicted = [score >= threshold for score in scores]
    tp = sum(1 for item, p in zip(items, predicted) if p and item.label)
    fp = sum(1 for item, p in zip(items, predicted) if p and not item.label)
    fn = sum(1 for item, p in zip(items, predicted) if not p and item.label)
    tn = len(items) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denominator if denominator else 0.0
    fpr: dict[str, float] = {}
    for kind in CONTRAST_KINDS:
        flags = [p for item, p in zip(items, predicted) if item.kind == kind]
        if flags:
            fpr[kind] = sum(flags) / len(flags)
    return Metrics(len(items), precision, recall, f1, mcc, fpr)
