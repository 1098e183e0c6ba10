"""The one door from moderation into the judgement package: the scorers a process runs,
loaded once per process from settings, sharing one embedder whose matrices are kept in the database."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from judgement.embedding import Embedder, shared_embedder
from judgement.framing import FramingAnalyzer
from judgement.scorers.base import Scorer
from judgement.scorers.registry import ToxicityConfig, build_toxicity_scorer

from .services.embeddings import DatabaseEmbeddingStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedToxicity:
    scorer: Scorer
    fallback_reason: str | None


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    """The process's embedder; its matrices outlive the process in ``TextEmbedding``."""
    return shared_embedder().with_store(DatabaseEmbeddingStore())


@lru_cache(maxsize=4)
def _toxicity(config_key: str) -> LoadedToxicity:
    built = build_toxicity_scorer(ToxicityConfig.from_mapping(json.loads(config_key)), embedder=embedder())
    if built.fallback_reason:
        logger.warning("Toxicity scorer: %s", built.fallback_reason)
    logger.info("Toxicity scorer: %s %s", built.scorer.name, built.scorer.version)
    return LoadedToxicity(scorer=built.scorer, fallback_reason=built.fallback_reason)


def toxicity_scorer() -> LoadedToxicity:
    return _toxicity(json.dumps(settings.TOXICITY_SCORER, sort_keys=True, default=str))


@lru_cache(maxsize=64)
def _framing(terms_key: str, semantic: bool) -> Scorer:
    return FramingAnalyzer(
        extra_terms=json.loads(terms_key) or None, semantic=semantic, embedder=embedder() if semantic else None
    )


def framing_scorer(*, extra_terms: dict | None = None) -> Scorer:
    """The framing analyzer with a site's own terms (its version says which terms)."""
    return _framing(json.dumps(extra_terms or {}, sort_keys=True), settings.FRAMING_SEMANTIC)


def reset() -> None:
    """Forget loaded models (tests switch settings)."""
    _toxicity.cache_clear()
    _framing.cache_clear()
    embedder.cache_clear()
