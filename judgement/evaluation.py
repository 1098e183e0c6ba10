"""Figures of merit for one score against binary truth: AUC, MCC at a threshold, best MCC, P and R.

The same function serves training (the model card's figures) and
``evaluate_scorers`` (a user's own file), so the two can never disagree on
what "MCC" means.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Figures:
    n: int
    positives: int
    auc: float | None  # None when the truth has one class only
    threshold: float
    mcc: float
    precision: float
    recall: float
    best_threshold: float
    best_mcc: float

    def as_dict(self) -> dict:
        return {key: (round(value, 4) if isinstance(value, float) else value) for key, value in asdict(self).items()}


def mcc_at(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    """(MCC, precision, recall) of boolean predictions."""
    tp = float(np.sum(predicted & truth))
    fp = float(np.sum(predicted & ~truth))
    fn = float(np.sum(~predicted & truth))
    tn = float(np.sum(~predicted & ~truth))
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denominator if denominator else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return float(mcc), precision, recall


def auc(truth: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve; None when the truth has one class only."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(truth, scores)) if 0 < int(truth.sum()) < len(truth) else None


def _best(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """The threshold (one of the scores) with the highest MCC, from cumulative counts."""
    if len(s) == 0:
        return 0.5, 0.0
    order = np.argsort(-s, kind="mergesort")
    ranked, hits = s[order], y[order]
    last_of_tie = np.r_[ranked[1:] != ranked[:-1], True]
    tp = np.cumsum(hits)[last_of_tie].astype(np.float64)
    fp = np.cumsum(~hits)[last_of_tie].astype(np.float64)
    p, n = float(y.sum()), float((~y).sum())
    fn, tn = p - tp, n - fp
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(denominator > 0, (tp * tn - fp * fn) / denominator, 0.0)
    best = int(np.argmax(values))
    return float(ranked[last_of_tie][best]), float(values[best])


def figures(truth: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray, *, threshold: float = 0.5) -> Figures:
    y = np.asarray(truth).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError("truth and scores must be two sequences of the same length")
    mcc, precision, recall = mcc_at(y, s >= threshold)
    best_threshold, best_mcc = _best(y, s)
    if mcc >= best_mcc:
        best_threshold, best_mcc = threshold, mcc
    return Figures(
        n=int(len(y)), positives=int(y.sum()), auc=auc(y, s), threshold=float(threshold), mcc=mcc,
        precision=precision, recall=recall, best_threshold=best_threshold, best_mcc=best_mcc,
    )
