"""Fitting one head: a standardised, L2-regularised logistic regression, then Platt calibration.

Deterministic for a given seed and data: the regularisation strength is chosen
by stratified cross-validation on the training rows only, and the calibration
is fitted on the same cross-validated logits, never on a test split.
"""
from __future__ import annotations

import numpy as np

from ..heads import Head

C_GRID = (0.01, 0.03, 0.1, 0.3)
FOLDS = 4


def fit_head(
    features: np.ndarray, truth: np.ndarray, *, label: str, extra_features: tuple[str, ...], seed: int,
    c_grid: tuple[float, ...] = C_GRID,
) -> tuple[Head, dict]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(truth).astype(int)
    if len(np.unique(y)) < 2:
        raise ValueError(f"head {label}: the training rows have one class only")
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0)
    x = (features - mean) / scale
    folds = list(StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed).split(x, y))

    def cv_logits(c: float) -> np.ndarray:
        out = np.zeros(len(y))
        for train, held in folds:
            model = LogisticRegression(C=c, max_iter=3000, random_state=seed).fit(x[train], y[train])
            out[held] = model.decision_function(x[held])
        return out

    scores = {}
    logits_by_c = {}
    for c in c_grid:
        logits_by_c[c] = cv_logits(c)
        scores[c] = log_loss(y, 1.0 / (1.0 + np.exp(-np.clip(logits_by_c[c], -40, 40))))
    best_c = min(c_grid, key=lambda c: (scores[c], c))
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(logits_by_c[best_c].reshape(-1, 1), y)
    final = LogisticRegression(C=best_c, max_iter=3000, random_state=seed).fit(x, y)
    head = Head(
        label=label,
        extra_features=extra_features,
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        coef=final.coef_[0].astype(np.float32),
        intercept=float(final.intercept_[0]),
        platt_a=float(platt.coef_[0][0]),
        platt_b=float(platt.intercept_[0]),
    )
    return head, {"C": best_c, "cv_log_loss": {str(c): round(v, 4) for c, v in scores.items()}}
