"""The workers' ``EmbeddingStore``: sentence embeddings kept in the database, keyed by text hash and version.

It sits beside ``loaded_scorers.py``, not in ``services/``: the judgement embedder calls it
(a cache under the loaded scorers, not a business operation), and the scoring service
calls the loaded scorers, so a store inside ``services/`` made the two import each other."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from judgement.embedding import decode_matrix, encode_matrix

from .models import TextEmbedding


class DatabaseEmbeddingStore:
    def get_many(self, *, version: str, hashes: Sequence[str]) -> Mapping[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 1000):
            rows = TextEmbedding.objects.filter(
                model_version=version, text_hash__in=list(hashes[start : start + 1000])
            ).values_list("text_hash", "vectors")
            found.update({text_hash: decode_matrix(bytes(blob)) for text_hash, blob in rows})
        return found

    def put_many(self, *, version: str, matrices: Mapping[str, np.ndarray]) -> None:
        # A second writer of the same text (two workers, a rescore) is a no-op, not an error.
        TextEmbedding.objects.bulk_create(
            [TextEmbedding(text_hash=h, model_version=version, vectors=encode_matrix(m)) for h, m in matrices.items()],
            ignore_conflicts=True,
        )
