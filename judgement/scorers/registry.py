"""Build the toxicity scorer from plain configuration, falling back where Detoxify cannot run.

``backend``:

* ``"detoxify"``: Detoxify or nothing; raises ``ScorerUnavailable`` when its weights cannot be loaded.
* ``"heads"``: the learned heads on the shared MiniLM embedding (``judgement/data/heads``);
  raises ``ScorerUnavailable`` naming the file when a head file is missing or corrupt.
* ``"profanity-check"``: the alt-profanity-check model (one label, swearing only).
* ``"auto"``: Detoxify; when (and only when) its weights cannot be loaded, the
  heads; ``BuiltScorer.fallback_reason`` says why. Profanity-check comes after
  the heads only with ``allow_profanity_fallback`` (a broken head file must
  not quietly turn six labels into one).

Configuration mistakes (unknown backend, unknown model type, unknown key)
raise ``ValueError`` in every mode instead of silently falling back.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal, Mapping

from .base import Scorer
from .detoxify_scorer import DetoxifyScorer, DetoxifySettings
from ..errors import ScorerUnavailable
from ..heads import HEADS_DIR
from .heads_scorer import HeadsScorer
from .profanity_scorer import ProfanityScorer

Backend = Literal["detoxify", "heads", "profanity-check", "auto"]
BACKENDS: tuple[str, ...] = ("detoxify", "heads", "profanity-check", "auto")


@dataclass(frozen=True)
class ToxicityConfig:
    backend: Backend = "auto"
    model_type: str = "original"
    checkpoint: Path | str | None = None
    huggingface_config_path: Path | str | None = None
    quantize: bool = False
    device: str = "cpu"
    window_overlap: int = 128
    token_budget: int = 8192
    max_batch_rows: int = 64
    batch_overhead_tokens: int = 128
    heads_dir: Path | str | None = None
    allow_profanity_fallback: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> "ToxicityConfig":
        """Build from a dict (e.g. a Django setting); keys are the field names, case-insensitive."""
        known = {f.name for f in fields(cls)}
        normalised = {str(key).lower(): value for key, value in values.items()}
        unknown = sorted(set(normalised) - known)
        if unknown:
            raise ValueError(f"unknown toxicity scorer settings: {', '.join(unknown)}")
        return cls(**normalised)  # type: ignore[arg-type]

    def detoxify_settings(self) -> DetoxifySettings:
        return DetoxifySettings(
            model_type=self.model_type,
            checkpoint=Path(self.checkpoint) if self.checkpoint else None,
            huggingface_config_path=Path(self.huggingface_config_path) if self.huggingface_config_path else None,
            device=self.device,
            quantize=self.quantize,
            window_overlap=self.window_overlap,
            token_budget=self.token_budget,
            max_batch_rows=self.max_batch_rows,
            batch_overhead_tokens=self.batch_overhead_tokens,
        )


@dataclass(frozen=True)
class BuiltScorer:
    scorer: Scorer
    # None when the requested backend was built; otherwise why "auto" fell back.
    fallback_reason: str | None = None


def _heads(config: ToxicityConfig, embedder) -> HeadsScorer:
    return HeadsScorer(embedder=embedder, directory=Path(config.heads_dir) if config.heads_dir else HEADS_DIR)


def build_toxicity_scorer(
    config: ToxicityConfig | Mapping[str, object] | None = None, *, embedder=None
) -> BuiltScorer:
    """Return the configured toxicity scorer (models are loaded once per process and reused).

    ``embedder`` is the process's shared ``judgement.embedding.Embedder`` for the heads."""
    if config is None:
        config = ToxicityConfig()
    elif not isinstance(config, ToxicityConfig):
        config = ToxicityConfig.from_mapping(config)
    if config.backend not in BACKENDS:
        raise ValueError(f"unknown toxicity backend {config.backend!r}; expected one of {', '.join(BACKENDS)}")

    if config.backend == "profanity-check":
        return BuiltScorer(scorer=ProfanityScorer())
    if config.backend == "detoxify":
        return BuiltScorer(scorer=DetoxifyScorer(config.detoxify_settings()))
    if config.backend == "heads":
        return BuiltScorer(scorer=_heads(config, embedder))
    try:
        return BuiltScorer(scorer=DetoxifyScorer(config.detoxify_settings()))
    except ScorerUnavailable as detoxify_error:
        reasons = [detoxify_error.reason]
    try:
        heads = _heads(config, embedder)
        return BuiltScorer(
            scorer=heads,
            fallback_reason=f"using {heads.name} {heads.version} because Detoxify is unavailable: {reasons[0]}",
        )
    except ScorerUnavailable as heads_error:
        if not config.allow_profanity_fallback:
            raise ScorerUnavailable(
                "toxicity", f"{reasons[0]}; the heads are unavailable too: {heads_error.reason}"
            ) from heads_error
        reasons.append(heads_error.reason)
    try:
        fallback = ProfanityScorer()
    except ScorerUnavailable as fallback_error:
        raise ScorerUnavailable(
            "toxicity", f"{'; '.join(reasons)}; fallback also failed: {fallback_error.reason}"
        ) from fallback_error
    return BuiltScorer(
        scorer=fallback,
        fallback_reason=f"using {fallback.name} {fallback.version} because Detoxify and the heads are "
        f"unavailable: {'; '.join(reasons)}",
    )
