"""Which labels a toxicity configuration produces, read from the configuration and
the heads manifest only: nothing here loads a model (a web page asks this)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..errors import ScorerUnavailable
from ..heads import HEADS_DIR, read_manifest
from .heads_scorer import BACKEND as HEADS_NAME, TOXICITY_LABELS
from .profanity_scorer import BACKEND as PROFANITY_NAME
from .registry import ToxicityConfig

_SIX = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
# The class lists of Detoxify's official checkpoints (the identity subgroups of
# "unbiased" are not policy labels).
DETOXIFY_LABELS: Mapping[str, tuple[str, ...]] = {
    "original": _SIX, "original-small": _SIX,
    "unbiased": (*_SIX, "sexual_explicit"), "unbiased-small": (*_SIX, "sexual_explicit"),
    "multilingual": (*_SIX, "sexual_explicit"),
}


@dataclass(frozen=True)
class ServedLabels:
    backend: str  # the scorer that runs: "detoxify", "heads" or "profanity-check"
    # None when the configuration cannot say without loading the model (a local checkpoint).
    labels: tuple[str, ...] | None
    why_not: Mapping[str, str] = field(default_factory=dict)  # label -> why it is not produced, where known


def _running_backend(config: ToxicityConfig, running: str | None) -> str:
    if config.backend != "auto":
        return config.backend
    # "auto" runs Detoxify unless it could not load; a worker records what it fell back to.
    if running == HEADS_NAME:
        return "heads"
    if running == PROFANITY_NAME:
        return "profanity-check"
    return "detoxify"


def toxicity_labels_served(config: ToxicityConfig, *, running: str | None = None) -> ServedLabels:
    """The labels the configured toxicity scorer produces; ``running`` is the scorer
    name a worker recorded (it says which one "auto" fell back to)."""
    backend = _running_backend(config, running)
    if backend == "profanity-check":
        return ServedLabels(backend, ("toxicity",), {
            label: "profanity-check scores swearing only" for label in TOXICITY_LABELS if label != "toxicity"})
    if backend == "heads":
        try:
            manifest = read_manifest(Path(config.heads_dir) if config.heads_dir else HEADS_DIR)
        except ScorerUnavailable as error:
            return ServedLabels(backend, (), {label: error.reason for label in TOXICITY_LABELS})
        entries = manifest.get("heads", {})
        served = tuple(label for label in TOXICITY_LABELS if entries.get(label, {}).get("served"))
        why = {label: (entries.get(label, {}).get("reason") or "no head is served for it")
               for label in TOXICITY_LABELS if label not in served}
        return ServedLabels(backend, served, why)
    if config.checkpoint:
        return ServedLabels(backend, None)
    labels = DETOXIFY_LABELS.get(config.model_type)
    if labels is None:
        return ServedLabels(backend, None)
    return ServedLabels(backend, labels, {
        "sexual_explicit": f"Detoxify's {config.model_type!r} model has no such output"} if "sexual_explicit" not in labels else {})
