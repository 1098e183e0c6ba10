import math
from importlib.metadata import version

import pytest

from judgement.scorers.base import Scorer
from judgement.scorers.detoxify_loading import clear_detoxify_cache
from judgement.scorers.detoxify_scorer import DetoxifyScorer, DetoxifySettings
from judgement.errors import ScorerUnavailable
from judgement.scorers.windowing import window_starts
from tests.support.tiny_detoxify import build_tiny_detoxify

ORIGINAL_LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
SHORT_TEXTS = [
    "Thanks for the thoughtful reply, I learned something today.",
    "You are an idiot and everyone here knows it.",
    "",
    "ok",
    "Crème brûlée à la française — déjà vu 😀!!! https://example.com/x?y=1",
    "I strongly disagree with the second paragraph, but the data section is solid.",
]
# Each of these is a single WordPiece token in the uncased vocab, so a text of
# N of them is exactly N tokens and its windows can be rebuilt word by word.
FILLER = "the cat sat on a mat and we all went home after the game was over".split()


def settings_for(tiny, **overrides) -> DetoxifySettings:
    return DetoxifySettings(checkpoint=tiny.checkpoint, huggingface_config_path=tiny.hf_config_dir, **overrides)


@pytest.fixture(scope="module")
def scorer(tiny_detoxify) -> DetoxifyScorer:
    return DetoxifyScorer(settings_for(tiny_detoxify))


@pytest.fixture(scope="module")
def detoxify_model(tiny_detoxify):
    from detoxify import Detoxify

    return Detoxify(checkpoint=str(tiny_detoxify.checkpoint), huggingface_config_path=str(tiny_detoxify.hf_config_dir))


def assert_scores_close(left: dict, right: dict, tol: float = 1e-5) -> None:
    assert left.keys() == right.keys()
    for label in left:
        assert left[label] == pytest.approx(right[label], abs=tol), label


def words(n: int, offset: int = 0) -> list[str]:
    return [FILLER[(offset + i) % len(FILLER)] for i in range(n)]


def test_scorer_interface_labels_and_range(scorer):
    assert isinstance(scorer, Scorer)
    assert scorer.name == "detoxify-local"
    assert tuple(scorer.labels) == ORIGINAL_LABELS
    results = scorer.score(SHORT_TEXTS)
    assert len(results) == len(SHORT_TEXTS)
    for result in results:
        assert tuple(result.labels) == ORIGINAL_LABELS
        assert all(0.0 <= value <= 1.0 and math.isfinite(value) for value in result.labels.values())
        assert result.details["windows"] == 1


def test_empty_batch(scorer):
    assert scorer.score([]) == []


def test_deterministic_across_calls_and_fresh_loads(tiny_detoxify, scorer):
    first = scorer.score(SHORT_TEXTS)
    assert [r.labels for r in scorer.score(SHORT_TEXTS)] == [r.labels for r in first]
    clear_detoxify_cache()
    reloaded = DetoxifyScorer(settings_for(tiny_detoxify)).score(SHORT_TEXTS)
    for again, original in zip(reloaded, first):
        assert_scores_close(again.labels, original.labels, tol=1e-6)


def test_matches_detoxify_predict_on_short_texts(scorer, detoxify_model):
    expected = detoxify_model.predict(SHORT_TEXTS)
    for index, result in enumerate(scorer.score(SHORT_TEXTS)):
        assert_scores_close(result.labels, {label: expected[label][index] for label in ORIGINAL_LABELS})


def test_fast_tokenizer_path_reproduces_detoxify_tokenizer(scorer, detoxify_model):
    assert scorer._loaded.encoder_kind in {"converted", "fast"}
    expected = detoxify_model.tokenizer(SHORT_TEXTS, add_special_tokens=False)["input_ids"]
    assert scorer._loaded.encode(SHORT_TEXTS) == expected


def test_model_is_loaded_once_per_process(tiny_detoxify):
    first = DetoxifyScorer(settings_for(tiny_detoxify))
    second = DetoxifyScorer(settings_for(tiny_detoxify, token_budget=512))
    assert first._loaded is second._loaded


def test_windows_follow_model_positions_not_tokenizer_limit(scorer):
    # The tokenizer says 512, the model has 64 positions: 64 must win.
    assert scorer._loaded.tokenizer.model_max_length == 512
    assert scorer.max_length == 64
    text = " ".join(words(300))
    (result,) = scorer.score([text])
    assert result.details == {"windows": len(window_starts(300, size=62, overlap=31)), "tokens": 300}


def test_long_text_is_the_max_over_its_windows(scorer):
    content = scorer.max_length - 2
    tokens = words(150)
    (result,) = scorer.score([" ".join(tokens)])
    starts = window_starts(len(tokens), size=content, overlap=31)
    window_texts = [" ".join(tokens[s : s + content]) for s in starts]
    window_scores = [r.labels for r in scorer.score(window_texts)]
    expected = {label: max(scores[label] for scores in window_scores) for label in ORIGINAL_LABELS}
    assert_scores_close(result.labels, expected)


def test_abuse_at_the_end_of_a_long_text_is_not_cut_off(scorer):
    content = scorer.max_length - 2
    opening = words(content + 60)  # the first window (all truncation sees) is identical for both texts
    calm = " ".join(opening + "have a lovely evening everyone".split())
    abusive = " ".join(opening + "you stupid worthless idiot".split())
    truncated = scorer.score([" ".join(opening[:content])])[0].labels
    calm_score, abusive_score = (r.labels for r in scorer.score([calm, abusive]))
    assert calm_score != abusive_score
    last_window = " ".join(abusive.split()[-content:])
    last_window_score = scorer.score([last_window])[0].labels
    assert any(abs(abusive_score[label] - truncated[label]) > 1e-4 for label in ORIGINAL_LABELS)
    for label in ORIGINAL_LABELS:
        assert abusive_score[label] >= max(truncated[label], last_window_score[label]) - 1e-6


def test_order_is_preserved_with_mixed_lengths_and_many_batches(tiny_detoxify):
    small_batches = DetoxifyScorer(settings_for(tiny_detoxify, token_budget=200, max_batch_rows=3))
    texts = [" ".join(words(n, offset=n)) for n in (5, 140, 1, 60, 33, 0, 200, 12, 61, 62, 63, 9)]
    together = small_batches.score(texts)
    alone = [small_batches.score([text])[0] for text in texts]
    for batched, single in zip(together, alone):
        assert_scores_close(batched.labels, single.labels)
        assert batched.details == single.details


def test_tokenizer_without_model_max_length_is_still_windowed(tmp_path):
    checkpoint, hf_dir = build_tiny_detoxify(tmp_path, tokenizer_model_max_length=None, max_position_embeddings=40)
    scorer = DetoxifyScorer(DetoxifySettings(checkpoint=checkpoint, huggingface_config_path=hf_dir))
    assert scorer.max_length == 40
    (result,) = scorer.score([" ".join(words(500))])
    assert result.details["windows"] > 1


def test_version_tracks_checkpoint_and_quantization(tmp_path, tiny_detoxify, scorer):
    other_checkpoint, other_hf = build_tiny_detoxify(tmp_path, seed=1)
    other = DetoxifyScorer(DetoxifySettings(checkpoint=other_checkpoint, huggingface_config_path=other_hf))
    assert other.version != scorer.version
    assert DetoxifyScorer(settings_for(tiny_detoxify)).version == scorer.version
    assert scorer.version.startswith(version("detoxify") + "-")
    quantized = DetoxifyScorer(settings_for(tiny_detoxify, quantize=True))
    assert quantized.version == scorer.version + "-int8"


def test_quantized_model_scores_in_range_and_close(tiny_detoxify, scorer):
    quantized = DetoxifyScorer(settings_for(tiny_detoxify, quantize=True))
    for q, f in zip(quantized.score(SHORT_TEXTS), scorer.score(SHORT_TEXTS)):
        assert q.labels.keys() == f.labels.keys()
        assert all(0.0 <= value <= 1.0 for value in q.labels.values())
        assert max(abs(q.labels[k] - f.labels[k]) for k in f.labels) < 0.05


def test_missing_or_broken_checkpoint_is_unavailable(tmp_path, tiny_detoxify):
    with pytest.raises(ScorerUnavailable, match="cannot be read"):
        DetoxifyScorer(DetoxifySettings(checkpoint=tmp_path / "missing.ckpt"))
    broken = tmp_path / "broken.ckpt"
    broken.write_bytes(b"not a checkpoint")
    with pytest.raises(ScorerUnavailable, match="could not be loaded") as info:
        DetoxifyScorer(DetoxifySettings(checkpoint=broken, huggingface_config_path=tiny_detoxify.hf_config_dir))
    assert info.value.backend == "detoxify"
    assert info.value.__cause__ is not None


def test_unknown_model_type_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown Detoxify model_type"):
        DetoxifyScorer(DetoxifySettings(model_type="orignal"))


def test_quantization_requires_cpu(tiny_detoxify):
    with pytest.raises(ValueError, match="CPU-only"):
        DetoxifyScorer(settings_for(tiny_detoxify, quantize=True, device="cuda"))
