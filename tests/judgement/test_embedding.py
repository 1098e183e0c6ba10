"""The shared embedding: one pass per text, rows aligned with the analyzer's sentences, kept in a store."""
from __future__ import annotations

import numpy as np
import pytest

from judgement.embedding import DIMENSIONS, Embedder, pool, sentences_of, text_hash
from judgement.embedding_store import SqliteEmbeddingStore
from judgement.text import split_sentences


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


def test_rows_are_the_analyzers_sentences_and_unit_length(embedder: Embedder) -> None:
    text = "The first sentence is calm. The second one is not calm at all!\nA third line."
    [item] = embedder.embed([text])
    assert item.sentences.shape == (len(split_sentences(text)), DIMENSIONS) == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(item.sentences, axis=1), 1.0, atol=1e-4)
    alone = embedder.encode_sentences(["The second one is not calm at all!"])[0]
    assert float(alone @ item.sentences[1]) > 0.999


def test_each_text_is_encoded_once_per_process(embedder: Embedder) -> None:
    before = embedder.encoded_sentences
    texts = ["A text seen for the first time here.", "Another new one. With two sentences."]
    first = embedder.pooled(texts)
    assert embedder.encoded_sentences - before == 3
    again = embedder.pooled(list(reversed(texts)) + texts)
    assert embedder.encoded_sentences - before == 3
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])


def test_a_persistent_store_spares_a_new_process_the_model(tmp_path, embedder: Embedder) -> None:
    store = SqliteEmbeddingStore(tmp_path / "e.sqlite3")
    texts = ["Stored once, read back by the next process."]
    written = embedder.with_store(store).embed(texts)[0].sentences
    fresh = Embedder(store=SqliteEmbeddingStore(tmp_path / "e.sqlite3"))
    read = fresh.embed(texts)[0].sentences
    assert fresh.encoded_sentences == 0
    assert np.allclose(read, written, atol=2e-3)  # float16 on disk
    assert list(store.get_many(version=embedder.version, hashes=[text_hash(texts[0])]))


def test_a_sentence_longer_than_the_model_reads_is_windowed_not_cut(embedder: Embedder) -> None:
    calm = "the committee met on tuesday to discuss the budget for the coming year and approved it " * 12
    abusive_end = calm + "and then someone wrote that all of them are worthless idiots who should be beaten"
    [whole] = embedder.embed([abusive_end])
    [head_only] = embedder.embed([calm])
    assert len(sentences_of(abusive_end)) == 1
    # Truncation at 256 tokens would make the two identical; windows see the end.
    assert float(whole.sentences[0] @ head_only.sentences[0]) < 0.999


def test_pooling_keeps_a_lone_sentence_visible() -> None:
    rows = np.zeros((3, DIMENSIONS), dtype=np.float32)
    rows[:, 0] = 1.0
    rows[2, 0], rows[2, 1] = 0.0, 1.0
    pooled = pool(rows)
    assert pooled.shape == (2 * DIMENSIONS,)
    assert pooled[DIMENSIONS + 1] == 1.0  # the max half
    assert np.isclose(np.linalg.norm(pooled[:DIMENSIONS]), 1.0)


def test_empty_and_odd_texts_embed_without_error(embedder: Embedder) -> None:
    items = embedder.embed(["", "   ", "\ud800 broken surrogate", "😀" * 3])
    assert [item.sentences.shape[1] for item in items] == [DIMENSIONS] * 4
    assert all(np.all(np.isfinite(item.pooled)) for item in items)
