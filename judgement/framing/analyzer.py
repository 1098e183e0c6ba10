"""FramingAnalyzer: the conspiracy-framing scorer (implements ``judgement.scorers.base.Scorer``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from judgement.embedding import Embedder, pool, shared_embedder
from judgement.heads import HEADS_DIR, Head, load_heads
from judgement.scorers.base import Span, TextScore

from .evidence import Evidence, collect
from .features import LEXICAL_FEATURES, family_scores, lexical_features, present_roles
from .model import LinearModel, load_model
from .resources import ExtraTerms, Resources, load_resources
from .semantic import SemanticLayer, Similarities
from .semantic_features import SEMANTIC_FEATURES, semantic_features

LABEL = "conspiracy_framing"
MAJOR_VERSION = "2.0"
# The analyzer's named features, in the order the learned head reads them after the embedding.
HEAD_FEATURES = (*LEXICAL_FEATURES, *SEMANTIC_FEATURES)


class FramingAnalyzer:
    """Scores how far each text tells a conspiracy narrative, with the evidence for it.

    ``extra_terms`` adds a site's own phrases to marker families, e.g.
    ``{"agent": ["the lizard council"], "trope": [["operation gladio", 0.8]]}``;
    the version changes with them. ``semantic=False`` skips the embedding model
    (faster, lexical evidence only, the hand-fitted linear model).

    With the embedding, the probability comes from the learned framing head
    (``judgement/data/heads``): the pooled sentence embedding plus the
    analyzer's own role and family features, so the lexical evidence feeds the
    score and the spans still say why. ``use_head=False`` (or no served head)
    keeps the hand-fitted linear model over the same features.
    """

    name = "framing"

    def __init__(
        self,
        *,
        semantic: bool = True,
        extra_terms: ExtraTerms | None = None,
        model_path: Path | None = None,
        embedder: Embedder | None = None,
        use_head: bool = True,
        heads_dir: Path = HEADS_DIR,
    ) -> None:
        self._resources: Resources = load_resources(extra_terms)
        self._semantic = semantic
        self._model: LinearModel = load_model(self._resources.weights, semantic)
        self._embedder = (embedder or shared_embedder(model_path)) if semantic else None
        self._layer = (
            SemanticLayer(self._resources.roles, self._resources.contrast, self._embedder) if self._embedder else None
        )
        self.head: Head | None = None
        if semantic and use_head:
            self.head = load_heads([LABEL], heads_dir).heads.get(LABEL)
        suffix = "sem" if semantic else "lex"
        if self.head is not None and self._embedder is not None:
            suffix = f"head.{self.head.version}+{self._embedder.version}"
        self.version = f"{MAJOR_VERSION}+{self._resources.fingerprint}.{suffix}"

    @property
    def labels(self) -> Sequence[str]:
        return (LABEL,)

    @property
    def semantic(self) -> bool:
        return self._semantic

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        evidences = [collect(text, self._resources) for text in texts]
        rows, sims, offsets = self._similarities(evidences)
        return [
            self._score_one(evidence, rows, sims, offset) for evidence, offset in zip(evidences, offsets)
        ]

    def head_features(self, texts: Sequence[str]) -> np.ndarray:
        """What the learned head reads for each whole text (used to train it)."""
        evidences = [collect(text, self._resources) for text in texts]
        rows, sims, offsets = self._similarities(evidences)
        out = []
        for evidence, offset in zip(evidences, offsets):
            ids = list(range(len(evidence.sentences)))
            out.append(self._head_row(rows, offset, ids, self._features(evidence, ids, sims, offset)))
        return np.stack(out) if out else np.zeros((0, 768 + len(HEAD_FEATURES)), dtype=np.float32)

    def _similarities(
        self, evidences: list[Evidence]
    ) -> tuple[np.ndarray | None, Similarities | None, list[int]]:
        """Every sentence row of the batch from the shared embedder; offsets locate each text's rows."""
        offsets, total = [], 0
        for evidence in evidences:
            offsets.append(total)
            total += len(evidence.sentences)
        if self._layer is None or self._embedder is None:
            return None, None, offsets
        embedded = self._embedder.embed([evidence.text for evidence in evidences])
        for evidence, item in zip(evidences, embedded, strict=True):
            if item.sentences.shape[0] != len(evidence.sentences):
                raise RuntimeError("embedding rows and analyzer sentences disagree")  # one splitter; never expected
        rows = np.vstack([item.sentences for item in embedded]) if embedded else np.zeros((0, 384), np.float32)
        return rows, self._layer.similarities(rows), offsets

    @staticmethod
    def _head_row(rows: np.ndarray, offset: int, ids: list[int], features: dict[str, float]) -> np.ndarray:
        pooled = pool(rows[[offset + i for i in ids]])
        named = np.array([features.get(name, 0.0) for name in HEAD_FEATURES], dtype=np.float32)
        return np.concatenate([pooled, named])

    def _probability(
        self, rows: np.ndarray | None, offset: int, ids: list[int], features: dict[str, float]
    ) -> float:
        if self.head is None or rows is None:
            return self._model.probability(features)
        return float(self.head.probabilities(self._head_row(rows, offset, ids, features)[None, :])[0])

    def _features(self, evidence: Evidence, ids: list[int], sims: Similarities | None, offset: int) -> dict[str, float]:
        features = lexical_features(evidence, ids)
        if sims is not None:
            rows = [offset + i for i in ids]
            assertion = [evidence.assertion[i] for i in ids]
            features.update(semantic_features(sims, rows, assertion, self._resources.role_threshold))
        return features

    def _score_one(
        self, evidence: Evidence, rows: np.ndarray | None, sims: Similarities | None, offset: int
    ) -> TextScore:
        all_ids = list(range(len(evidence.sentences)))
        features = self._features(evidence, all_ids, sims, offset)
        probability = self._probability(rows, offset, all_ids, features)
        sentences = [
            {
                "start": segment.start,
                "end": segment.end,
                "score": round(self._probability(rows, offset, [i], self._features(evidence, [i], sims, offset)), 4),
            }
            for i, segment in enumerate(evidence.sentences)
            if segment.end > segment.start
        ]
        spans = self._lexical_spans(evidence) + self._semantic_spans(evidence, sims, offset)
        spans.sort(key=lambda span: (span.start, span.end))
        return TextScore(
            labels={LABEL: round(probability, 4)},
            spans=spans,
            sentences=sentences,
            details=self._details(evidence, features, rows, offset),
        )

    @staticmethod
    def _lexical_spans(evidence: Evidence) -> list[Span]:
        return [
            Span(hit.start, hit.end, hit.family, evidence.text[hit.start : hit.end], hit.effective, hit.role)
            for hit in evidence.hits
            if hit.asserted and hit.effective > 0
        ]

    def _semantic_spans(self, evidence: Evidence, sims: Similarities | None, offset: int) -> list[Span]:
        """A sentence whose meaning is close to a role description, named by that role."""
        if sims is None:
            return []
        threshold = self._resources.span_margin
        margins = sims.margin()
        spans = []
        for i, segment in enumerate(evidence.sentences):
            margin = float(margins[offset + i]) * evidence.assertion[i]
            if margin >= threshold and float(sims.roles[offset + i].max()) >= self._resources.role_threshold:
                role = sims.role_names[int(sims.roles[offset + i].argmax())]
                text = evidence.text[segment.start : segment.end]
                spans.append(Span(segment.start, segment.end, "semantic", text, margin, role))
        return spans

    def _contributions(
        self, features: dict[str, float], rows: np.ndarray | None, offset: int, n: int
    ) -> dict[str, float]:
        if self.head is None or rows is None:
            return self._model.contributions(features)
        row = self._head_row(rows, offset, list(range(n)), features)
        return self.head.contributions(row, embedding_size=768)

    def _details(
        self, evidence: Evidence, features: dict[str, float], rows: np.ndarray | None, offset: int
    ) -> dict[str, Any]:
        discounted = [
            {
                "start": h.start,
                "end": h.end,
                "family": h.family,
                "text": evidence.text[h.start : h.end],
                "reason": h.reason,
            }
            for h in evidence.hits
            if not h.asserted and h.family not in ("agent", "victim")
        ]
        return {
            "families": {name: round(value, 4) for name, value in family_scores(evidence).items()},
            "roles": present_roles(evidence),
            "features": {name: round(value, 4) for name, value in features.items()},
            "contributions": self._contributions(features, rows, offset, len(evidence.sentences)),
            "model": "head" if self.head is not None and rows is not None else "linear",
            "discounted": discounted,
            "semantic": self._semantic,
            "version": self.version,
        }
