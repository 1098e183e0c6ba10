"""A smoke run of the real training on a subset of the public corpora (the full run is documented)."""
from __future__ import annotations

import json

import pytest

from judgement.embedding import Embedder
from judgement.embedding_store import SqliteEmbeddingStore
from judgement.heads import load_heads
from judgement.scorers.heads_scorer import HeadsScorer
from judgement.training import card
from judgement.training.corpora import default_data_dir, hash_split, load_all
from judgement.training.train import train

DATA = default_data_dir()
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared/data is not beside this checkout")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    root = tmp_path_factory.mktemp("heads")
    embedder = Embedder(store=SqliteEmbeddingStore(root / "cache.sqlite3"))
    first = train(data_dir=DATA, out_dir=root / "a", embedder=embedder, limit=48, experiments=False,
                  enforce_floors=False, log=lambda line: None)
    second = train(data_dir=DATA, out_dir=root / "b", embedder=embedder, limit=48, experiments=False,
                   enforce_floors=False, log=lambda line: None)
    return root, first, second


def test_training_is_deterministic(smoke) -> None:
    root, first, second = smoke
    versions = {label: head.get("version") for label, head in first["heads"].items()}
    assert versions == {label: head.get("version") for label, head in second["heads"].items()}
    assert (root / "a" / "toxicity.npz").read_bytes() == (root / "b" / "toxicity.npz").read_bytes()


def test_the_written_heads_load_and_score(smoke) -> None:
    root, first, _ = smoke
    heads = load_heads(directory=root / "a")
    assert "toxicity" in heads.heads and "conspiracy_framing" in heads.heads
    scorer = HeadsScorer(directory=root / "a")
    [result] = scorer.score(["an ordinary sentence"])
    assert 0.0 <= result.labels["toxicity"] <= 1.0


def test_figures_are_measured_on_test_rows_only(smoke) -> None:
    _, first, _ = smoke
    tox = first["heads"]["toxicity"]
    olid_test = sum(1 for row in load_all(DATA)["olid"] if row.split == "test")
    assert 0 < tox["results"]["served"]["olid"]["n"] < olid_test  # the smoke subset of the test rows
    assert first["corpora"]["olid"]["train"] == 48


def test_floors_decide_what_is_served(tmp_path, smoke, monkeypatch) -> None:
    from judgement.training import train as training

    root, _, _ = smoke
    monkeypatch.setattr(training, "SPECS", (
        training.HeadSpec("toxicity", "toxicity", ("olid",), floors=(training.Floor("olid", "auc", 1.01),)),
        training.HeadSpec("insult", "toxicity", ("olid",), floors=(training.Floor("olid", "auc", 0.0),)),
    ))
    embedder = Embedder(store=SqliteEmbeddingStore(root / "cache.sqlite3"))
    manifest = train(data_dir=DATA, out_dir=tmp_path, embedder=embedder, limit=48, experiments=False,
                     log=lambda line: None)
    missed, met = manifest["heads"]["toxicity"], manifest["heads"]["insult"]
    assert missed["served"] is False and "missed its floor: auc" in missed["reason"] and "< 1.01" in missed["reason"]
    assert met["served"] is True
    heads = load_heads(directory=tmp_path)
    assert "toxicity" in heads.unserved and "insult" in heads.heads


def test_the_model_card_names_data_licences_and_figures(smoke) -> None:
    root, first, _ = smoke
    text = card.render(first)
    assert "CC BY-SA 4.0" in text and "| served | olid |" in text
    assert json.loads((root / "a" / "manifest.json").read_text())["seed"] == first["seed"]


def test_splits_are_stable_and_disjoint() -> None:
    assert hash_split("Some text") == hash_split("  some   TEXT ")
    rows = load_all(DATA)["hatexplain"]
    train_texts = {row.text for row in rows if row.split == "train"}
    assert not any(row.text in train_texts for row in rows if row.split == "test")
