"""The word-indexed matcher finds what a plain regex scan finds, without scanning every pattern."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from judgement.framing.matcher import PhraseIndex, pattern_keys
from judgement.framing.resources import load_resources


def test_keys_are_the_first_letters_a_match_can_start_with() -> None:
    assert pattern_keys(r"false[- ]flags?") == {"fal"}
    assert pattern_keys(r"(?:was|were) staged") == {"was", "wer"}
    assert pattern_keys(r"(?-i:US)|the (?:elite|cabal)") == {"us", "the"}
    assert pattern_keys(r"a cabal") == {"a"}
    assert pattern_keys(r"(?:\w+ ){0,3}plot") is None  # starts with any word: must be scanned
    assert pattern_keys(r"'quoted'") is None


def test_matches_in_different_groups_overlap_and_groups_keep_their_heaviest() -> None:
    index = PhraseIndex(
        [("planned", ("secrecy", 0.4)), ("planned this", ("intent", 0.8)), ("planned this all", ("intent", 0.5))],
        group=lambda payload: payload[0],
        rank=lambda payload: payload[1],
    )
    found = {(m.start, m.end, m.payload) for m in index.find("They planned this all along.")}
    assert found == {(5, 12, ("secrecy", 0.4)), (5, 17, ("intent", 0.8))}


def test_case_sensitive_parts_stay_case_sensitive() -> None:
    index = PhraseIndex([("(?-i:US)", "agent")])
    assert [m.start for m in index.find("The US told us.")] == [4]


def test_the_shipped_lexicon_is_almost_entirely_indexed() -> None:
    # A pattern that falls back to scanning costs as much as dozens of indexed ones.
    resources = load_resources()
    assert len(resources.markers._scanned) <= 2
    assert not resources.context.cues._scanned


WORDS = ["they", "planned", "the", "plot", "US", "us", "false", "flag", "don't", "staged", "was", "a"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
def test_same_matches_as_a_regex_scan(text: str) -> None:
    patterns = ["they planned", "false flags?", "(?:was|were) staged", "(?-i:US)", "plot", "a plot", "don't"]
    index = PhraseIndex([(p, p) for p in patterns])
    expected = {
        (m.start(), m.end(), p)
        for p in patterns
        for m in re.finditer(rf"(?<!\w)(?:{p})(?!\w)", text, re.IGNORECASE)
    }
    assert {(m.start, m.end, m.payload) for m in index.find(text)} == expected
