"""Head files: plain arrays, versions that follow the weights, loud failures on a bad file."""
from __future__ import annotations

import json

import numpy as np
import pytest

from judgement.heads import HEADS_DIR, Head, load_head, load_heads, read_manifest
from judgement.errors import ScorerUnavailable
from judgement.scorers.heads_scorer import HeadsScorer, TOXICITY_LABELS


def make_head(seed: int = 0, label: str = "toxicity") -> Head:
    rng = np.random.default_rng(seed)
    return Head(label=label, extra_features=("profanity",), mean=rng.normal(size=5).astype(np.float32),
                scale=np.ones(5, np.float32), coef=rng.normal(size=5).astype(np.float32),
                intercept=0.1, platt_a=1.2, platt_b=-0.3)


def test_a_saved_head_loads_back_with_the_same_version_and_scores(tmp_path) -> None:
    head = make_head()
    head.save(tmp_path / "toxicity.npz")
    again = load_head(tmp_path / "toxicity.npz")
    x = np.random.default_rng(1).normal(size=(4, 5)).astype(np.float32)
    assert again.version == head.version
    assert np.allclose(again.probabilities(x), head.probabilities(x))
    assert make_head(seed=2).version != head.version


def test_calibration_is_applied_to_the_logit() -> None:
    head = make_head()
    x = np.zeros((1, 5), dtype=np.float32)
    expected = 1 / (1 + np.exp(-(head.platt_a * head.logits(x)[0] + head.platt_b)))
    assert head.probabilities(x)[0] == pytest.approx(expected)


def test_a_missing_or_corrupt_head_file_names_its_path(tmp_path) -> None:
    with pytest.raises(ScorerUnavailable, match="missing: .*nothing.npz"):
        load_head(tmp_path / "nothing.npz")
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ScorerUnavailable, match="bad.npz is corrupt"):
        load_head(tmp_path / "bad.npz")


def test_a_head_that_does_not_match_its_manifest_is_refused(tmp_path) -> None:
    make_head().save(tmp_path / "toxicity.npz")
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"heads": {"toxicity": {"file": "toxicity.npz", "version": "1.0000000000", "served": True}}}))
    with pytest.raises(ScorerUnavailable, match="does not match its manifest"):
        load_heads(directory=tmp_path)


def test_the_shipped_manifest_serves_what_met_its_floor_and_says_why_not_for_the_rest() -> None:
    manifest = read_manifest(HEADS_DIR)
    heads = load_heads(directory=HEADS_DIR)
    for label, entry in manifest["heads"].items():
        if entry["served"]:
            assert label in heads.heads and heads.heads[label].version == entry["version"]
        else:
            assert heads.unserved[label] == entry["reason"] and entry["reason"]
    assert "severe_toxicity" in heads.unserved


def test_the_heads_scorer_reports_only_served_labels_with_their_versions() -> None:
    scorer = HeadsScorer()
    served = set(scorer.labels)
    assert served <= set(TOXICITY_LABELS) and "toxicity" in served
    assert not served & set(scorer.unserved)
    [calm, rude] = scorer.score(["Thanks for the thoughtful article, I learned a lot.",
                                 "You are a worthless fucking idiot and everyone hates you."])
    assert set(calm.labels) == served
    assert rude.labels["toxicity"] > 0.5 > calm.labels["toxicity"]
    assert scorer.embedder.version in scorer.version
    assert calm.details["heads"] == scorer.head_versions()


