"""Offline toxicity: learned heads on the shared embedding (the default where Detoxify cannot load).

Each served head reports one Detoxify label (toxicity, insult, identity_attack,
...). A label whose head missed its floor is not reported at all, so the
Perspective attribute behind it answers 400 with ``unserved[label]`` as the
reason instead of a number nobody should trust.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..embedding import Embedder, shared_embedder
from ..heads import HEADS_DIR, HeadSet, load_heads
from .base import TextScore
from ..errors import ScorerUnavailable

BACKEND = "minilm-heads"
TOXICITY_LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")


class HeadsScorer:
    name = BACKEND

    def __init__(self, *, embedder: Embedder | None = None, directory: Path = HEADS_DIR) -> None:
        self._heads: HeadSet = load_heads(TOXICITY_LABELS, directory)
        if not self._heads.heads:
            raise ScorerUnavailable(BACKEND, f"no toxicity head is served from {directory}")
        self.embedder = embedder or shared_embedder()
        needs_profanity = any("profanity" in head.extra_features for head in self._heads.heads.values())
        self._profanity = _profanity_model() if needs_profanity else None
        self.version = f"{self._heads.version}+{self.embedder.version}"

    @property
    def labels(self) -> Sequence[str]:
        return tuple(label for label in TOXICITY_LABELS if label in self._heads.heads)

    @property
    def unserved(self) -> dict[str, str]:
        return dict(self._heads.unserved)

    def head_versions(self) -> dict[str, str]:
        return {label: head.version for label, head in self._heads.heads.items()}

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of [pooled embedding, profanity-check probability]."""
        pooled = self.embedder.pooled(texts)
        profanity = self._profanity(list(texts)) if self._profanity and texts else np.zeros(len(texts))
        return np.hstack([pooled, np.asarray(profanity, dtype=np.float32).reshape(-1, 1)])

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        if not texts:
            return []
        rows = self.features(texts)
        by_label = {label: head.probabilities(_columns(rows, head.extra_features)) for label, head in
                    self._heads.heads.items()}
        return [
            TextScore(
                labels={label: round(float(by_label[label][i]), 4) for label in self.labels},
                details={"heads": self.head_versions(), "embedding": self.embedder.version},
            )
            for i in range(len(texts))
        ]


def _columns(rows: np.ndarray, extra: tuple[str, ...]) -> np.ndarray:
    """The embedding, plus the profanity column only for heads that were trained with it."""
    return rows if "profanity" in extra else rows[:, :-1]


def _profanity_model():
    try:
        from profanity_check import predict_prob
    except ImportError as error:
        raise ScorerUnavailable(BACKEND, f"alt-profanity-check is needed by a head and not usable: {error}") from error
    return predict_prob
