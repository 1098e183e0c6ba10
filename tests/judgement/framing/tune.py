"""Fit the combination weights on the tune half of the evaluation set and write data/weights.json.

    python tests/judgement/framing/tune.py

A logistic regression over the analyzer's named features, with each weight's
sign fixed by what the feature means (evidence of a plot may only raise the
score; criticism cues, negated or reported mentions may only lower it), so the
fit cannot learn a nonsensical rule from a small sample. The test half is never read.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[3])]

from framing_eval import load_eval_set  # noqa: E402

from judgement.framing import FramingAnalyzer  # noqa: E402
from judgement.framing.features import LEXICAL_FEATURES  # noqa: E402
from judgement.framing.resources import DATA_DIR, reload_data  # noqa: E402
from judgement.framing.semantic_features import SEMANTIC_FEATURES  # noqa: E402

NEGATIVE = {"mentioned", "meta", "criticism", "sem_contrast"}
L2 = 0.002  # ridge penalty (per sample): keeps weights moderate on ~220 texts


def _fit(x: np.ndarray, y: np.ndarray, names: list[str]) -> tuple[float, dict[str, float]]:
    n = len(y)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = theta[0] + x @ theta[1:]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        eps = 1e-9
        value = -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + L2 * np.sum(theta[1:] ** 2)
        grad = np.empty_like(theta)
        grad[0] = np.mean(p - y)
        grad[1:] = x.T @ (p - y) / n + 2 * L2 * theta[1:]
        return float(value), grad

    bounds = [(None, None)] + [((None, 0.0) if name in NEGATIVE else (0.0, None)) for name in names]
    result = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return float(result.x[0]), {name: round(float(w), 4) for name, w in zip(names, result.x[1:])}


def main() -> None:
    items = load_eval_set("tune")
    texts = [item.text for item in items]
    y = np.array([item.label for item in items], dtype=float)
    path = DATA_DIR / "weights.json"
    weights: dict[str, object] = {"schema": 1, "about": ""}
    for layer, names in (("lexical", list(LEXICAL_FEATURES)), ("semantic", [*LEXICAL_FEATURES, *SEMANTIC_FEATURES])):
        analyzer = FramingAnalyzer(semantic=layer == "semantic")
        features = [result.details["features"] for result in analyzer.score(texts)]
        x = np.array([[row[name] for name in names] for row in features])
        bias, coef = _fit(x, y, names)
        weights[layer] = {"bias": round(bias, 4), "coef": coef}
        print(layer, "bias", round(bias, 3), {k: v for k, v in coef.items() if v})
    weights["about"] = (
        "Combination weights, fitted by tests/judgement/framing/tune.py on the tune half of "
        f"tests/judgement/framing/eval_set.jsonl ({len(items)} texts) with sign constraints and L2={L2}. "
        "p = sigmoid(bias + sum(coef[f] * feature[f])); 'lexical' is used without the semantic layer."
    )
    path.write_text(json.dumps(weights, indent=2) + "\n")
    reload_data()


if __name__ == "__main__":
    main()
