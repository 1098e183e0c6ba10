"""Official Detoxify model types need a download; without one they must fail clearly."""
import socket
import urllib.error

import pytest

from judgement.scorers.detoxify_scorer import DetoxifyScorer, DetoxifySettings
from judgement.errors import ScorerUnavailable


def _github_reachable() -> bool:
    try:
        socket.create_connection(("github.com", 443), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def empty_torch_hub(tmp_path, monkeypatch):
    # Detoxify looks in the torch hub cache first; an empty one forces the download path.
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))


def test_failed_download_raises_scorer_unavailable_with_reason(empty_torch_hub, monkeypatch):
    import torch.hub

    def no_network(url, **kwargs):
        raise urllib.error.URLError("simulated: no route to host")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", no_network)
    with pytest.raises(ScorerUnavailable) as info:
        DetoxifyScorer(DetoxifySettings(model_type="unbiased"))
    assert "'unbiased'" in info.value.reason
    assert "no route to host" in info.value.reason
    # The settings an operator sets, not the Python argument's name.
    assert "DETOXIFY_CHECKPOINT" in info.value.reason and "DETOXIFY_HF_CONFIG" in info.value.reason
    assert "huggingface_config_path" not in info.value.reason
    assert isinstance(info.value.__cause__, urllib.error.URLError)


@pytest.mark.skipif(_github_reachable(), reason="this machine can download Detoxify's weights")
def test_real_download_attempt_fails_offline(empty_torch_hub):
    with pytest.raises(ScorerUnavailable, match="'original' weights could not be downloaded"):
        DetoxifyScorer(DetoxifySettings(model_type="original"))
