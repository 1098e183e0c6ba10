"""The optional semantic layer: how close each sentence is to short descriptions of each role.

Plots told in ordinary words ("the people at the top arranged this so we would
hand over our savings") carry few stock keywords; sentence embeddings catch
them. The sentence rows come from the shared ``judgement.embedding.Embedder``
(one pass per comment for every head and this layer).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

if TYPE_CHECKING:
    from judgement.embedding import Embedder

_DESCRIPTIONS: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}


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
        embedder: "Embedder",
    ) -> None:
        self._roles = {name: tuple(items) for name, items in roles.items()}
        self._contrast = {name: tuple(items) for name, items in contrast.items()}
        self.embedder = embedder

    def _descriptions(self, groups: Mapping[str, tuple[str, ...]]) -> tuple[np.ndarray, list[int]]:
        """Embeddings of all descriptions (cached per process) and which group each belongs to."""
        flat = tuple(item for items in groups.values() for item in items)
        owners = [index for index, items in enumerate(groups.values()) for _ in items]
        key = (self.embedder.version, flat)
        if key not in _DESCRIPTIONS:
            _DESCRIPTIONS[key] = self.embedder.encode_sentences(flat)
        return _DESCRIPTIONS[key], owners

    @staticmethod
    def _best_per_group(sims: np.ndarray, owners: list[int], n_groups: int) -> np.ndarray:
        out = np.full((sims.shape[0], n_groups), -1.0, dtype=np.float32)
        for column, owner in enumerate(owners):
            np.maximum(out[:, owner], sims[:, column], out=out[:, owner])
        return out

    def similarities(self, embedded: np.ndarray) -> Similarities:
        """Similarities of sentence rows the shared embedder already computed."""
        names = tuple(self._roles)
        if embedded.shape[0] == 0:
            return Similarities(np.zeros((0, len(names))), np.zeros((0, len(self._contrast))), names)
        role_vectors, role_owners = self._descriptions(self._roles)
        contrast_vectors, contrast_owners = self._descriptions(self._contrast)
        return Similarities(
            roles=self._best_per_group(embedded @ role_vectors.T, role_owners, len(self._roles)),
            contrast=self._best_per_group(embedded @ contrast_vectors.T, contrast_owners, len(self._contrast)),
            role_names=names,
        )
