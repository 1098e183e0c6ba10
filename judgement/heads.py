"""Learned heads: calibrated logistic regressions on the shared sentence embedding.

A head file (``data/heads/<label>.npz``) holds plain arrays, never a pickle:
the standardiser, the weights, and a Platt calibration fitted on
cross-validated logits, so 0.5 means "more likely than not" on the data it was
trained on. ``data/heads/manifest.json`` says which heads are served: a head
that missed its floor on public test data is listed with the reason and not
loaded, and its attribute keeps answering 400 offline.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .errors import ScorerUnavailable

HEADS_DIR = Path(__file__).resolve().parent / "data" / "heads"
MANIFEST = "manifest.json"
# Bumped when the way features are built or heads are applied changes.
HEAD_CODE_VERSION = "1"


@dataclass(frozen=True)
class Head:
    label: str
    extra_features: tuple[str, ...]  # named features after the embedding, in order
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    platt_a: float
    platt_b: float

    @property
    def version(self) -> str:
        digest = hashlib.sha256()
        for array in (self.mean, self.scale, self.coef):
            digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
        digest.update(f"{self.intercept:.8f}|{self.platt_a:.8f}|{self.platt_b:.8f}|{self.extra_features}".encode())
        return f"{HEAD_CODE_VERSION}.{digest.hexdigest()[:10]}"

    def logits(self, features: np.ndarray) -> np.ndarray:
        """Raw (uncalibrated) logits for rows of [embedding, extra features]."""
        standard = (features - self.mean) / self.scale
        return standard @ self.coef + self.intercept

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = np.clip(self.platt_a * self.logits(features) + self.platt_b, -40.0, 40.0)
        return 1.0 / (1.0 + np.exp(-z))

    def contributions(self, row: np.ndarray, *, embedding_size: int) -> dict[str, float]:
        """Each named feature's push on the calibrated logit, and the embedding's as one number."""
        pushes = self.platt_a * ((row - self.mean) / self.scale) * self.coef
        named = {name: float(pushes[embedding_size + i]) for i, name in enumerate(self.extra_features)}
        named["embedding"] = float(pushes[:embedding_size].sum())
        return {name: round(value, 4) for name, value in sorted(named.items(), key=lambda kv: -abs(kv[1]))
                if abs(value) >= 1e-4}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:  # np.savez would add ".npz" to a name without it
            np.savez_compressed(
                handle,
                label=np.array(self.label),
                extra_features=np.array(self.extra_features, dtype=str),
                mean=self.mean.astype(np.float32),
                scale=self.scale.astype(np.float32),
                coef=self.coef.astype(np.float32),
                scalars=np.array([self.intercept, self.platt_a, self.platt_b], dtype=np.float64),
            )


def load_head(path: Path) -> Head:
    """A head from its file; a missing or corrupt file raises ``ScorerUnavailable`` naming the path."""
    try:
        with np.load(path, allow_pickle=False) as data:
            scalars = data["scalars"]
            head = Head(
                label=str(data["label"]),
                extra_features=tuple(str(name) for name in data["extra_features"]),
                mean=data["mean"].astype(np.float32),
                scale=data["scale"].astype(np.float32),
                coef=data["coef"].astype(np.float32),
                intercept=float(scalars[0]),
                platt_a=float(scalars[1]),
                platt_b=float(scalars[2]),
            )
    except FileNotFoundError as error:
        raise ScorerUnavailable("heads", f"head file missing: {path}") from error
    except Exception as error:  # zip, key or shape errors all mean the same: this file cannot be used
        raise ScorerUnavailable("heads", f"head file {path} is corrupt: {type(error).__name__}: {error}") from error
    if not (head.mean.shape == head.scale.shape == head.coef.shape) or not np.all(np.isfinite(head.coef)):
        raise ScorerUnavailable("heads", f"head file {path} is corrupt: inconsistent shapes or non-finite weights")
    return head


@dataclass(frozen=True)
class HeadSet:
    """The served heads of one directory, and why the others are not served."""

    heads: Mapping[str, Head]
    unserved: Mapping[str, str]  # label -> reason
    directory: Path

    @property
    def version(self) -> str:
        joined = ",".join(f"{label}={head.version}" for label, head in sorted(self.heads.items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:10]


def read_manifest(directory: Path = HEADS_DIR) -> dict:
    path = directory / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as error:
        raise ScorerUnavailable("heads", f"head manifest missing: {path}") from error
    except (OSError, ValueError) as error:
        raise ScorerUnavailable("heads", f"head manifest {path} is corrupt: {error}") from error


def load_heads(labels: Sequence[str] | None = None, directory: Path = HEADS_DIR) -> HeadSet:
    """Load the served heads (optionally only ``labels``), failing loudly on a bad file."""
    manifest = read_manifest(directory)
    heads: dict[str, Head] = {}
    unserved: dict[str, str] = {}
    for label, entry in manifest.get("heads", {}).items():
        if labels is not None and label not in labels:
            continue
        if not entry.get("served"):
            unserved[label] = entry.get("reason") or "not served"
            continue
        head = load_head(directory / entry["file"])
        if head.version != entry.get("version"):
            raise ScorerUnavailable(
                "heads", f"head file {directory / entry['file']} does not match its manifest "
                f"(version {head.version}, manifest says {entry.get('version')})"
            )
        heads[label] = head
    return HeadSet(heads=heads, unserved=unserved, directory=directory)
