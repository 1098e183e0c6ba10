"""Sentence boundaries and quotation detection, with offsets into the original text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from judgement.text import quoted_ranges, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_splits_on_terminal_punctuation_and_line_breaks() -> None:
    text = "They planned it. Wake up!\nWho benefits? Nobody asks."
    assert _sentences(text) == ["They planned it.", "Wake up!", "Who benefits?", "Nobody asks."]


def test_abbreviations_do_not_end_sentences() -> None:
    text = "So, any Israeli/U.S. hopes of using Kurds will be dashed. Picture S. Korea and Japan."
    assert _sentences(text) == [
        "So, any Israeli/U.S. hopes of using Kurds will be dashed.",
        "Picture S. Korea and Japan.",
    ]


def test_a_closing_quote_without_a_space_still_ends_a_sentence() -> None:
    text = "Ontikov told Sputnik.\u201dIt is possible that the US moved on."
    assert _sentences(text) == ["Ontikov told Sputnik.\u201d", "It is possible that the US moved on."]


def test_quotes_of_three_words_or_more_count_but_scare_quotes_do_not() -> None:
    text = 'He said "the elites planned it all" about the so-called "experts".'
    ranges = quoted_ranges(text, min_words=3)
    assert [text[a:b] for a, b in ranges] == ["the elites planned it all"]


def test_curly_quotes_pair_within_a_paragraph_only() -> None:
    text = "\u201cThe US is trying to destroy Syria.\u201d\n\nAn unpaired \u201d mark here."
    ranges = quoted_ranges(text, min_words=3)
    assert [text[a:b] for a, b in ranges] == ["The US is trying to destroy Syria."]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"'“”‘’US")), max_size=120))
def test_sentence_offsets_are_ordered_trimmed_and_in_bounds(text: str) -> None:
    previous_end = 0
    for segment in split_sentences(text):
        assert previous_end <= segment.start < segment.end <= len(text)
        assert not text[segment.start].isspace() and not text[segment.end - 1].isspace()
        previous_end = segment.end
