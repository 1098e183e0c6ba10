"""The analyzer is a Scorer, stays free of Django, and versions its data, site terms included."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from judgement.framing import LABEL, FramingAnalyzer
from judgement.framing import resources
from judgement.scorers.base import Scorer

ROOT = Path(__file__).resolve().parents[3]


def test_it_implements_the_scorer_interface(lexical: FramingAnalyzer) -> None:
    assert isinstance(lexical, Scorer)
    assert lexical.name == "framing"
    assert list(lexical.labels) == [LABEL]
    assert lexical.version.startswith("2.0+") and lexical.version.endswith(".lex")


def test_importing_and_scoring_pulls_in_neither_django_nor_the_model() -> None:
    code = (
        "import sys; from judgement.framing import FramingAnalyzer;"
        "FramingAnalyzer(semantic=False).score(['They planned it.']);"
        "print('django' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_extra_terms_add_evidence_and_change_the_version(lexical: FramingAnalyzer) -> None:
    text = "The lizard council arranged the flood on purpose."
    site = FramingAnalyzer(semantic=False, extra_terms={"agent": ["the lizard council"]})
    assert site.version != lexical.version
    spans = [span for span in site.score([text])[0].spans if span.role == "agent"]
    assert [span.text for span in spans] == ["The lizard council"]
    assert site.score([text])[0].labels[LABEL] > lexical.score([text])[0].labels[LABEL]


def test_version_depends_on_the_terms_not_their_order_or_spacing() -> None:
    def make(terms: dict) -> FramingAnalyzer:
        return FramingAnalyzer(semantic=False, extra_terms=terms)

    one = make({"agent": ["the  Lizard council"], "trope": [["op gladio", 0.8]]})
    two = make({"trope": [["op gladio", 0.8]], "agent": ["the lizard council"]})
    three = make({"agent": ["the lizard council"], "trope": [["op gladio", 0.7]]})
    assert one.version == two.version != three.version


def test_extra_terms_build_a_site_analyzer(lexical: FramingAnalyzer) -> None:
    site = FramingAnalyzer(semantic=lexical.semantic, extra_terms={"facilitator": ["the local rag"]})
    assert not site.semantic and site.version != lexical.version


def test_bad_extra_terms_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown family"):
        FramingAnalyzer(semantic=False, extra_terms={"villain": ["x"]})
    with pytest.raises(ValueError, match="weight"):
        FramingAnalyzer(semantic=False, extra_terms={"agent": [["x", 3.0]]})


def test_version_changes_when_a_data_file_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = FramingAnalyzer(semantic=False).version
    raw = list(resources._raw_data())
    weights = json.loads(raw[3])
    weights["lexical"]["bias"] += 0.1
    raw[3] = json.dumps(weights).encode()
    resources.reload_data()
    monkeypatch.setattr(resources, "_raw_data", lambda: tuple(raw))
    try:
        assert FramingAnalyzer(semantic=False).version != before
    finally:
        monkeypatch.undo()
        resources.reload_data()
    assert FramingAnalyzer(semantic=False).version == before


def test_data_files_are_valid_json_with_known_families() -> None:
    lexicon = json.loads((resources.DATA_DIR / "lexicon.json").read_text())
    weights = json.loads((resources.DATA_DIR / "weights.json").read_text())
    assert {"agent", "facilitator", "victim", "objective", "harm", "campaigner", "evidence"} <= set(lexicon["families"])
    assert weights["lexical"]["coef"] and weights["semantic"]["coef"]
