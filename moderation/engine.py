"""The scorers a worker process runs, loaded once per process from settings."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from .scorers.base import Scorer
from .scorers.registry import ToxicityConfig, build_toxicity_scorer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedToxicity:
    scorer: Scorer
    fallback_reason: str | None


@lru_cache(maxsize=4)
def _toxicity(config_key: str) -> LoadedToxicity:
    built = build_toxicity_scorer(ToxicityConfig.from_mapping(json.loads(config_key)))
    if built.fallback_reason:
        logger.warning("Toxicity scorer: %s", built.fallback_reason)
    logger.info("Toxicity scorer: %s %s", built.scorer.name, built.scorer.version)
    return LoadedToxicity(scorer=built.scorer, fallback_reason=built.fallback_reason)


def toxicity_scorer() -> LoadedToxicity:
    return _toxicity(json.dumps(settings.TOXICITY_SCORER, sort_keys=True, default=str))


@lru_cache(maxsize=64)
def _framing(terms_key: str, semantic: bool) -> Scorer:
    from .framing import FramingAnalyzer

    return FramingAnalyzer(extra_terms=json.loads(terms_key) or None, semantic=semantic)


def framing_scorer(*, extra_terms: dict | None = None) -> Scorer:
    """The framing analyzer with a site's own terms (its version says which terms)."""
    return _framing(json.dumps(extra_terms or {}, sort_keys=True), settings.FRAMING_SEMANTIC)


def reset() -> None:
    """Forget loaded models (tests switch settings)."""
    _toxicity.cache_clear()
    _framing.cache_clear()
