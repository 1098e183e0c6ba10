"""FramingAnalyzer: the conspiracy-framing scorer (implements ``moderation.scorers.base.Scorer``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from moderation.scorers.base import Span, TextScore

from .evidence import Evidence, collect
from .features import family_scores, lexical_features, present_roles
from .model import LinearModel, load_model
from .resources import ExtraTerms, Resources, load_resources
from .semantic import SemanticLayer, Similarities
from .semantic_features import semantic_features

LABEL = "conspiracy_framing"
MAJOR_VERSION = "1.0"


class FramingAnalyzer:
    """Scores how far each text tells a conspiracy narrative, with the evidence for it.

    ``extra_terms`` adds a site's own phrases to marker families, e.g.
    ``{"agent": ["the lizard council"], "trope": [["operation gladio", 0.8]]}``;
    the version changes with them. ``semantic=False`` skips the embedding model
    (faster, lexical evidence only).
    """

    name = "framing"

    def __init__(
        self,
        *,
        semantic: bool = True,
        extra_terms: ExtraTerms | None = None,
        model_path: Path | None = None,
        batch_size: int = 64,
    ) -> None:
        self._resources: Resources = load_resources(extra_terms)
        self._semantic = semantic
        self._model_path = model_path
        self._batch_size = batch_size
        self._model: LinearModel = load_model(self._resources.weights, semantic)
        self._layer = (
            SemanticLayer(self._resources.roles, self._resources.contrast, model_path, batch_size) if semantic else None
        )
        suffix = "sem" if semantic else "lex"
        self.version = f"{MAJOR_VERSION}+{self._resources.fingerprint}.{suffix}"

    @property
    def labels(self) -> Sequence[str]:
        return (LABEL,)

    @property
    def semantic(self) -> bool:
        return self._semantic

    def with_extra_terms(self, extra_terms: ExtraTerms) -> "FramingAnalyzer":
        """A sibling analyzer for one site; the embedding model stays shared."""
        return FramingAnalyzer(
            semantic=self._semantic, extra_terms=extra_terms, model_path=self._model_path, batch_size=self._batch_size
        )

    def score(self, texts: Sequence[str]) -> list[TextScore]:
        evidences = [collect(text, self._resources) for text in texts]
        sims, offsets = self._similarities(evidences)
        return [self._score_one(evidence, sims, offset) for evidence, offset in zip(evidences, offsets)]

    def _similarities(self, evidences: list[Evidence]) -> tuple[Similarities | None, list[int]]:
        """Embed every sentence of the batch in one call; offsets locate each text's rows."""
        offsets, total, sentences = [], 0, []
        for evidence in evidences:
            offsets.append(total)
            total += len(evidence.sentences)
            sentences += [evidence.text[s.start : s.end] for s in evidence.sentences]
        if self._layer is None:
            return None, offsets
        return self._layer.similarities(sentences), offsets

    def _features(self, evidence: Evidence, ids: list[int], sims: Similarities | None, offset: int) -> dict[str, float]:
        features = lexical_features(evidence, ids)
        if sims is not None:
            rows = [offset + i for i in ids]
            assertion = [evidence.assertion[i] for i in ids]
            features.update(semantic_features(sims, rows, assertion, self._resources.role_threshold))
        return features

    def _score_one(self, evidence: Evidence, sims: Similarities | None, offset: int) -> TextScore:
        all_ids = list(range(len(evidence.sentences)))
        features = self._features(evidence, all_ids, sims, offset)
        probability = self._model.probability(features)
        sentences = [
            {
                "start": segment.start,
                "end": segment.end,
                "score": round(self._model.probability(self._features(evidence, [i], sims, offset)), 4),
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
            details=self._details(evidence, features),
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

    def _details(self, evidence: Evidence, features: dict[str, float]) -> dict[str, Any]:
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
            "contributions": self._model.contributions(features),
            "discounted": discounted,
            "semantic": self._semantic,
            "version": self.version,
        }
