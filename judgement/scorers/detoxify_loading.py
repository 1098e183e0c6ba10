"""Load Detoxify weights once per process, through Detoxify's own loader.

Detoxify does the parts that must match its behaviour exactly (checkpoint
format, class-name standardisation, tokenizer and model classes); this module
adds a process-wide cache, the file hash used in the scorer's version, the
model's real maximum sequence length, and optional int8 quantization.
"""
from __future__ import annotations

import hashlib
import threading
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import ScorerUnavailable
from .token_encoding import Encoder, make_encoder

BACKEND = "detoxify"
OFFICIAL_MODEL_TYPES: tuple[str, ...] = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")

# A tokenizer saved without model_max_length reports this huge sentinel;
# anything this large means "no limit of its own".
_UNBOUNDED_TOKENIZER = 1_000_000
_DEFAULT_MAX_LENGTH = 512


@dataclass(frozen=True)
class DetoxifySource:
    """Which weights to load: an official model type, or a local checkpoint (+ local HF config folder)."""

    model_type: str = "original"
    checkpoint: Path | None = None
    huggingface_config_path: Path | None = None
    device: str = "cpu"
    quantize: bool = False


@dataclass(frozen=True)
class LoadedDetoxify:
    model: Any  # transformers *ForSequenceClassification, possibly int8-quantized
    tokenizer: Any
    encode: Encoder
    encoder_kind: str
    class_names: tuple[str, ...]
    max_length: int  # tokens per model input, special tokens included
    checkpoint_sha256: str
    detoxify_version: str


_CACHE: dict[tuple, LoadedDetoxify] = {}
_LOCK = threading.Lock()


def load_detoxify(source: DetoxifySource) -> LoadedDetoxify:
    """Return the loaded model for ``source``, loading it on first use in this process.

    Raises ``ScorerUnavailable`` when the weights (or Detoxify itself) cannot
    be loaded, ``ValueError`` for a configuration that can never work.
    """
    _validate(source)
    key = _cache_key(source)
    with _LOCK:
        loaded = _CACHE.get(key)
        if loaded is None:
            loaded = _load(source)
            _CACHE[key] = loaded
        return loaded


def clear_detoxify_cache() -> None:
    """Forget loaded models (tests; freeing memory after a configuration change)."""
    with _LOCK:
        _CACHE.clear()


def _validate(source: DetoxifySource) -> None:
    if source.checkpoint is None and source.model_type not in OFFICIAL_MODEL_TYPES:
        raise ValueError(
            f"unknown Detoxify model_type {source.model_type!r}; expected one of {', '.join(OFFICIAL_MODEL_TYPES)} "
            "or a local checkpoint"
        )
    if source.quantize and source.device != "cpu":
        raise ValueError("int8 dynamic quantization is CPU-only; set quantize=False for other devices")


def _cache_key(source: DetoxifySource) -> tuple:
    if source.checkpoint is None:
        return (source, None)
    path = Path(source.checkpoint).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ScorerUnavailable(BACKEND, f"checkpoint {path} cannot be read: {exc}") from exc
    # Size and mtime in the key: a checkpoint replaced in place is loaded again.
    return (source, (str(path), stat.st_size, stat.st_mtime_ns))


def _load(source: DetoxifySource) -> LoadedDetoxify:
    try:
        import torch
        from detoxify.detoxify import MODEL_URLS, load_checkpoint
    except ImportError as exc:
        raise ScorerUnavailable(BACKEND, f"detoxify/torch not importable: {exc}") from exc

    checkpoint = str(source.checkpoint) if source.checkpoint is not None else None
    hf_path = str(source.huggingface_config_path) if source.huggingface_config_path is not None else None
    try:
        model, tokenizer, class_names = load_checkpoint(
            model_type=source.model_type,
            checkpoint=checkpoint,
            device=source.device,
            huggingface_config_path=hf_path,
        )
    except Exception as exc:  # every loading failure means the same thing here: no usable weights
        raise ScorerUnavailable(BACKEND, _describe_failure(source, exc)) from exc

    if checkpoint is not None:
        sha256 = _file_sha256(Path(checkpoint))
    else:
        sha256 = _official_checkpoint_sha256(MODEL_URLS[source.model_type], torch)

    model.to(source.device)
    model.eval()
    if source.quantize:
        model = _quantize_int8(model, torch)
    encode, encoder_kind = make_encoder(tokenizer)
    return LoadedDetoxify(
        model=model,
        tokenizer=tokenizer,
        encode=encode,
        encoder_kind=encoder_kind,
        class_names=tuple(class_names),
        max_length=_max_length(model, tokenizer),
        checkpoint_sha256=sha256,
        detoxify_version=metadata.version("detoxify"),
    )


def _describe_failure(source: DetoxifySource, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"
    if source.checkpoint is None:
        return (
            f"Detoxify's {source.model_type!r} weights could not be downloaded or loaded ({error}). "
            "On a machine without internet access, set DETOXIFY_CHECKPOINT (a local Detoxify .ckpt file) "
            "and DETOXIFY_HF_CONFIG (a folder with its config.json and tokenizer files) instead; "
            "see README.md, Scoring."
        )
    return f"checkpoint {source.checkpoint} could not be loaded ({error})"


def _max_length(model: Any, tokenizer: Any) -> int:
    """Longest input the model accepts, whatever the tokenizer claims.

    RoBERTa-family embeddings reserve the first ``padding_idx + 1`` positions
    (514 positions -> 512 tokens); BERT and ALBERT use all of them. The
    tokenizer's own limit also applies, because it is what Detoxify truncates to.
    """
    limits = []
    positions = getattr(model.config, "max_position_embeddings", None)
    if positions:
        embeddings = getattr(model.base_model, "embeddings", None)
        padding_idx = getattr(embeddings, "padding_idx", None)
        limits.append(positions - (padding_idx + 1 if padding_idx is not None else 0))
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if tokenizer_limit and tokenizer_limit < _UNBOUNDED_TOKENIZER:
        limits.append(int(tokenizer_limit))
    return min(limits) if limits else _DEFAULT_MAX_LENGTH


def _quantize_int8(model: Any, torch: Any) -> Any:
    with warnings.catch_warnings():
        # torch.ao.quantization warns that it will move to torchao; it still works in torch 2.13.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        # In place: the freshly loaded float model is ours, and a copy would double start-up memory.
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _official_checkpoint_sha256(url: str, torch: Any) -> str:
    cached = Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]
    if cached.is_file():
        return _file_sha256(cached)
    # Detoxify's release file names end in the first 8 hex digits of their sha256.
    return url.rsplit("-", 1)[-1].split(".", 1)[0]
