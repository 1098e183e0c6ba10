"""The fitted linear model that turns named features into a probability.

Weights come from ``data/weights.json`` (written by ``tests/judgement/framing/tune.py``
from the tune half of the evaluation set), so a score is a readable sum of
"feature x weight" contributions plus a bias.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class LinearModel:
    bias: float
    coef: Mapping[str, float]

    def logit(self, features: Mapping[str, float]) -> float:
        return self.bias + sum(weight * features.get(name, 0.0) for name, weight in self.coef.items())

    def probability(self, features: Mapping[str, float]) -> float:
        z = max(-40.0, min(40.0, self.logit(features)))
        return 1.0 / (1.0 + math.exp(-z))

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each feature's push on the logit, largest first, zeros left out."""
        pushes = {name: weight * features.get(name, 0.0) for name, weight in self.coef.items()}
        return {
            name: round(value, 4)
            for name, value in sorted(pushes.items(), key=lambda item: -abs(item[1]))
            if abs(value) >= 1e-4
        }


def load_model(weights: Mapping[str, Any], semantic: bool) -> LinearModel:
    spec = weights["semantic" if semantic else "lexical"]
    return LinearModel(bias=float(spec["bias"]), coef={k: float(v) for k, v in spec["coef"].items()})
