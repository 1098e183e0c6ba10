"""A file-backed ``EmbeddingStore`` (SQLite), for training runs and for using the package alone.

The workers keep theirs in the product's database instead (``moderation``'s
``TextEmbedding``); both hold the same float16 matrices under the same keys.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .embedding import decode_matrix, encode_matrix


class SqliteEmbeddingStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=60)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embedding (version TEXT, text_hash TEXT, vectors BLOB,"
            " PRIMARY KEY (version, text_hash))"
        )
        self._db.commit()

    def get_many(self, *, version: str, hashes: Sequence[str]) -> Mapping[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(hashes), 500):
                chunk = list(hashes[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for text_hash, blob in self._db.execute(
                    f"SELECT text_hash, vectors FROM embedding WHERE version = ? AND text_hash IN ({marks})",
                    [version, *chunk],
                ):
                    found[text_hash] = decode_matrix(blob)
        return found

    def put_many(self, *, version: str, matrices: Mapping[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR IGNORE INTO embedding (version, text_hash, vectors) VALUES (?, ?, ?)",
                [(version, h, encode_matrix(m)) for h, m in matrices.items()],
            )
            self._db.commit()
