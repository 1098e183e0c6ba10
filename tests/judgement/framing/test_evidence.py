"""Spans and sentence scores: the right words, the right roles, valid offsets."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from judgement.framing import LABEL, FramingAnalyzer

# Hypothesis tests cannot take function-scoped fixtures; the analyzer is cheap without the model.
_LEXICAL = FramingAnalyzer(semantic=False)

TEXT = (
    "Wake up, people. The globalists planned this crisis so they can control us. "
    "The media are their puppets, and our children will suffer for it."
)


def _spans(analyzer: FramingAnalyzer, text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for span in analyzer.score([text])[0].spans:
        out.setdefault(span.role or span.family, []).append(span.text)
    return out


def test_spans_name_each_role_with_the_words_that_carry_it(lexical: FramingAnalyzer) -> None:
    roles = _spans(lexical, TEXT)
    assert "The globalists" in roles["agent"]  # the agent's noun phrase, determiner included
    assert "Wake up" in roles["campaigner"]
    assert "their puppets" in roles["facilitator"]
    assert "control us" in roles["objective"]
    assert "our children" in roles["victim"]
    assert "suffer for it" in roles["harm"]  # the harm's clause, up to the full stop
    assert any("planned" in text for text in roles["plot"])


def test_span_offsets_point_into_the_original_text(lexical: FramingAnalyzer) -> None:
    result = lexical.score([TEXT])[0]
    assert result.spans
    for span in result.spans:
        assert TEXT[span.start : span.end] == span.text
        assert span.weight > 0
        assert set(span.as_dict()) == {"start", "end", "family", "role", "text", "weight"}


def test_sentence_scores_cover_the_sentences_and_rank_the_plot_highest(lexical: FramingAnalyzer) -> None:
    text = "The weather was lovely at the match. The elites staged the attack as a false flag to start a war."
    sentences = lexical.score([text])[0].sentences
    assert [text[s["start"] : s["end"]] for s in sentences] == [
        "The weather was lovely at the match.",
        "The elites staged the attack as a false flag to start a war.",
    ]
    assert sentences[0]["score"] < 0.5 < sentences[1]["score"]


def test_family_scores_and_roles_are_in_the_details(lexical: FramingAnalyzer) -> None:
    details = lexical.score([TEXT])[0].details
    assert {"secrecy", "intent", "trope", "agent", "facilitator", "objective", "campaigner"} <= set(details["families"])
    assert all(0.0 <= value <= 1.0 for value in details["families"].values())
    assert {"agent", "facilitator", "objective", "campaigner"} <= set(details["roles"])
    assert details["contributions"], "a score must say what pushed it"


def test_denied_markers_are_listed_as_discounted_not_as_evidence(lexical: FramingAnalyzer) -> None:
    result = lexical.score(["There is no evidence of a cover-up at the ministry."])[0]
    assert not [span for span in result.spans if span.family == "secrecy"]
    assert [(d["text"], d["reason"]) for d in result.details["discounted"]] == [("cover-up", "negated")]


def test_agent_words_alone_are_not_evidence(lexical: FramingAnalyzer) -> None:
    result = lexical.score(["The government raised the fuel tax again and they should be ashamed."])[0]
    assert not [span for span in result.spans if span.role == "agent"]
    assert result.labels[LABEL] < 0.2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "They planned it.", "Wake up!", "The \u201celites\u201d", "no evidence of a plot", "U.S.",
                "\n\n", " ", "the deep state", "\u201cfalse flag\u201d", "Officials said", "?", "our kids",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_offsets_stay_valid_on_arbitrary_text(text: str) -> None:
    result = _LEXICAL.score([text])[0]
    assert 0.0 <= result.labels[LABEL] <= 1.0
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text) and text[span.start : span.end] == span.text
    for sentence in result.sentences:
        assert 0 <= sentence["start"] < sentence["end"] <= len(text)
        assert 0.0 <= sentence["score"] <= 1.0
