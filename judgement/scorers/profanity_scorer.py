"""Fallback toxicity scorer: the offensive-language model shipped inside ``alt-profanity-check``.

``profanity_check.predict_prob`` is a linear model over a bag of words and
character n-grams, trained on offensive/profane comments; it returns the
probability that a text is offensive. That probability is reported as the
``toxicity`` label so code that reads ``toxicity`` works on either backend.
It is not calibrated like Detoxify's ``toxicity``, so thresholds tuned on one
backend need re-checking on the other; the scorer name keeps stored scores apart.
It needs no weights beyond the package and has no length limit.
"""
from __future__ import annotations

from importlib import metadata
from typing import Sequence

from .base import TextScore
from ..errors import ScorerUnavailable

BACKEND = "profanity-check"
_PACKAGE = "alt-profanity-check"


class ProfanityScorer:
    name = BACKEND
    labels: Sequence[str] = ("toxicity",)

    def __init__(self) -> None:
        try:
            # Importing profanity_check unpickles its model and vectorizer.
            from profanity_check import predict_prob

            self.version = metadata.version(_PACKAGE)
        except (ImportError, metadata.PackageNotFoundError, OSError) as exc:
            raise ScorerUnavailable(BACKEND, f"{_PACKAGE} not usable: {exc}") from exc
        self._predict_prob = predict_prob

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        if not texts:
            return []
        probabilities = self._predict_prob(list(texts))
        return [TextScore(labels={"toxicity": float(p)}) for p in probabilities]
