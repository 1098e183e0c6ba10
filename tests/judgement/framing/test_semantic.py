"""The semantic layer: loaded once, batched, and explained by role-named sentence spans."""
from __future__ import annotations

import pytest

from judgement.framing import LABEL, FramingAnalyzer
from judgement import embedding as embedding_module

PLAIN_PLOT = (
    "The people at the top arranged this shortage long ago, and every newspaper repeats the same lines. "
    "Ordinary families pay for it."
)


def test_the_model_is_loaded_once_per_process(semantic: FramingAnalyzer) -> None:
    other = FramingAnalyzer(semantic=True, extra_terms={"agent": ["the lizard council"]})
    other.score(["One more text."])
    assert len(embedding_module._MODELS) == 1
    assert ".head." in other.version and other.version != semantic.version


def test_a_plot_without_stock_words_is_lifted_and_the_sentence_says_why(
    semantic: FramingAnalyzer, lexical: FramingAnalyzer
) -> None:
    text = "Someone powerful made sure this happened, and they are hiding their part in it."
    with_model = semantic.score([text])[0]
    assert lexical.score([text])[0].labels[LABEL] < 0.5 < with_model.labels[LABEL]
    spans = [span for span in with_model.spans if span.family == "semantic"]
    assert [(span.start, span.end, span.role) for span in spans] == [(0, len(text), "agent")]
    assert spans[0].text == text


def test_semantic_layer_keeps_contrast_texts_low(semantic: FramingAnalyzer) -> None:
    texts = [
        "There is no evidence that the people at the top arranged the shortage.",
        "The minister botched the fuel policy and should resign.",
        "Researchers say the theory that elites arranged the shortage spread on Telegram.",
    ]
    for text, result in zip(texts, semantic.score(texts)):
        assert result.labels[LABEL] < 0.5, text
        assert not [span for span in result.spans if span.family == "semantic"], text


def test_batch_scores_equal_one_by_one_scores(semantic: FramingAnalyzer) -> None:
    texts = [PLAIN_PLOT, "Lovely weather today.", "Wake up, they staged it."]
    together = [result.labels[LABEL] for result in semantic.score(texts)]
    alone = [semantic.score([text])[0].labels[LABEL] for text in texts]
    assert together == pytest.approx(alone, abs=1e-3)
