import urllib.error

import pytest

from judgement.scorers.detoxify_scorer import DetoxifyScorer
from judgement.errors import ScorerUnavailable
from judgement.scorers.heads_scorer import HeadsScorer
from judgement.scorers.profanity_scorer import ProfanityScorer
from judgement.scorers.registry import ToxicityConfig, build_toxicity_scorer


@pytest.fixture
def no_download(tmp_path, monkeypatch):
    """Official weights cannot be had: empty torch hub cache, and downloads fail as they do offline."""
    import torch.hub

    def refuse(url, **kwargs):
        raise urllib.error.URLError("simulated: no network")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", refuse)


def test_auto_uses_detoxify_when_its_weights_load(tiny_detoxify):
    built = build_toxicity_scorer(tiny_detoxify.config(backend="auto"))
    assert isinstance(built.scorer, DetoxifyScorer)
    assert built.fallback_reason is None


def test_auto_falls_back_to_the_heads_with_the_reason(no_download):
    built = build_toxicity_scorer({"backend": "auto", "model_type": "original"})
    assert isinstance(built.scorer, HeadsScorer)
    assert "minilm-heads" in built.fallback_reason
    assert "'original'" in built.fallback_reason
    assert "no network" in built.fallback_reason
    assert "toxicity" in built.scorer.labels


def test_auto_with_a_broken_head_file_fails_loudly_naming_it(no_download, tmp_path):
    (tmp_path / "manifest.json").write_text(
        '{"heads": {"toxicity": {"file": "toxicity.npz", "version": "x", "served": true}}}'
    )
    (tmp_path / "toxicity.npz").write_bytes(b"not a zip file")
    with pytest.raises(ScorerUnavailable, match=r"toxicity\.npz is corrupt"):
        build_toxicity_scorer({"backend": "auto", "heads_dir": str(tmp_path)})


def test_auto_falls_back_to_profanity_check_only_where_the_settings_allow(no_download, tmp_path):
    built = build_toxicity_scorer({"backend": "auto", "heads_dir": str(tmp_path), "allow_profanity_fallback": True})
    assert isinstance(built.scorer, ProfanityScorer)
    assert "head manifest missing" in built.fallback_reason
    assert str(tmp_path) in built.fallback_reason


def test_default_config_is_auto_with_original():
    assert ToxicityConfig() == ToxicityConfig(backend="auto", model_type="original")


def test_explicit_detoxify_raises_instead_of_falling_back(no_download):
    with pytest.raises(ScorerUnavailable):
        build_toxicity_scorer(ToxicityConfig(backend="detoxify"))


def test_explicit_profanity_check():
    built = build_toxicity_scorer({"BACKEND": "profanity-check"})
    assert isinstance(built.scorer, ProfanityScorer)
    assert built.fallback_reason is None


def test_configuration_mistakes_raise_even_in_auto():
    with pytest.raises(ValueError, match="unknown toxicity scorer settings: modle_type"):
        build_toxicity_scorer({"backend": "auto", "modle_type": "original"})
    with pytest.raises(ValueError, match="unknown toxicity backend"):
        build_toxicity_scorer({"backend": "perspective"})
    with pytest.raises(ValueError, match="unknown Detoxify model_type"):
        build_toxicity_scorer({"backend": "auto", "model_type": "orignal"})


def test_config_settings_reach_the_detoxify_scorer(tiny_detoxify):
    built = build_toxicity_scorer(tiny_detoxify.config(quantize=True, window_overlap=10, token_budget=1000))
    settings = built.scorer.settings
    assert (settings.quantize, settings.window_overlap, settings.token_budget) == (True, 10, 1000)
    assert built.scorer.version.endswith("-w64o10-int8")
