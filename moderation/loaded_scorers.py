"""The scorers this process has loaded: the one door from moderation into the judgement
package, each scorer loaded once per process from settings, sharing one embedder whose matrices are kept in the database.

``keep_embeddings=False`` (and ``scorers_without_store``) gives the very same scorers (same
names and versions) on an embedder that keeps nothing outside the process, for the realtime
scorer and for commands that must write nothing."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from judgement.embedding import Embedder, shared_embedder
from judgement.framing import LABEL as FRAMING_LABEL, FramingAnalyzer
from judgement.scorers.base import Scorer
from judgement.scorers.registry import ToxicityConfig, build_toxicity_scorer
from judgement.scorers.served_labels import ServedLabels, toxicity_labels_served
from judgement.text import split_sentences

from .db_embedding_store import DatabaseEmbeddingStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedToxicity:
    scorer: Scorer
    fallback_reason: str | None


@lru_cache(maxsize=2)
def embedder(*, keep: bool = True) -> Embedder:
    """The process's embedder. With ``keep`` its matrices outlive the process in ``TextEmbedding``;
    without, they stay in this process's memory (the realtime scorer: a ``doNotStore`` text leaves
    nothing behind). Both share one model and one memory."""
    return shared_embedder().with_store(DatabaseEmbeddingStore() if keep else None)


def _build_toxicity(config: ToxicityConfig, *, via: Embedder) -> LoadedToxicity:
    built = build_toxicity_scorer(config, embedder=via)
    if built.fallback_reason:
        logger.warning("Toxicity scorer: %s", built.fallback_reason)
    logger.info("Toxicity scorer: %s %s", built.scorer.name, built.scorer.version)
    return LoadedToxicity(scorer=built.scorer, fallback_reason=built.fallback_reason)


@lru_cache(maxsize=4)
def _toxicity(config_key: str, keep: bool) -> LoadedToxicity:
    return _build_toxicity(ToxicityConfig.from_mapping(json.loads(config_key)), via=embedder(keep=keep))


def _toxicity_key() -> str:
    return json.dumps(settings.TOXICITY_SCORER, sort_keys=True, default=str)


def toxicity_scorer(*, keep_embeddings: bool = True) -> LoadedToxicity:
    return _toxicity(_toxicity_key(), keep_embeddings)


def _build_framing(terms_key: str, *, semantic: bool, via: Embedder) -> Scorer:
    return FramingAnalyzer(
        extra_terms=json.loads(terms_key) or None, semantic=semantic, embedder=via if semantic else None
    )


@lru_cache(maxsize=64)
def _framing(terms_key: str, semantic: bool, keep: bool) -> Scorer:
    return _build_framing(terms_key, semantic=semantic, via=embedder(keep=keep))


def _terms_key(extra_terms: dict | None) -> str:
    return json.dumps(extra_terms or {}, sort_keys=True)


def framing_scorer(*, extra_terms: dict | None = None, keep_embeddings: bool = True) -> Scorer:
    """The framing analyzer with a site's own terms (its version says which terms)."""
    return _framing(_terms_key(extra_terms), settings.FRAMING_SEMANTIC, keep_embeddings)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of ``text`` starts and ends, split as the scorers split it."""
    return [(segment.start, segment.end) for segment in split_sentences(text)]


@dataclass(frozen=True)
class StorelessScorers:
    toxicity: LoadedToxicity
    framing: Scorer


def scorers_without_store(*, extra_terms: dict | None = None) -> StorelessScorers:
    """The workers' toxicity scorer and (with a site's terms) framing analyzer, built the same
    way from the same settings, but on an embedder with no persistent store: embeddings stay in
    this process's memory and nothing reaches ``TextEmbedding``."""
    return StorelessScorers(
        toxicity=toxicity_scorer(keep_embeddings=False),
        framing=framing_scorer(extra_terms=extra_terms, keep_embeddings=False),
    )


def reset() -> None:
    """Forget loaded models (tests switch settings)."""
    _toxicity.cache_clear()
    _framing.cache_clear()
    embedder.cache_clear()


def labels_configured(*, running_toxicity: str | None = None) -> ServedLabels:
    """The labels this configuration's scorers produce (toxicity's, and framing's), from
    settings and the heads manifest: no model is loaded, so a web page may ask.
    ``running_toxicity`` is the toxicity scorer a worker recorded ("auto" may have fallen back)."""
    toxicity = toxicity_labels_served(ToxicityConfig.from_mapping(settings.TOXICITY_SCORER), running=running_toxicity)
    if toxicity.labels is None:
        return toxicity
    return ServedLabels(toxicity.backend, (*toxicity.labels, FRAMING_LABEL), toxicity.why_not)
