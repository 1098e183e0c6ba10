"""What the analyzer must tell apart: plots asserted versus criticism, reports, denials, quotes, insults.

The texts here are not in the evaluation set; they pin down behaviour by class.
"""
from __future__ import annotations

import pytest

from judgement.framing import LABEL, FramingAnalyzer

FRAMED = [
    "Wake up! The globalists planned this crisis years ago so they can control us, and the media are their puppets.",
    "The bombing was a false flag staged by the intelligence agencies to justify another war. Do your own research.",
    "They don't want you to know that the vaccine makers own the regulators. The real goal is depopulation.",
    "The deep state rigged the count behind closed doors, and the courts were in on it.",
    "The elites are flooding our towns with newcomers on purpose to replace us. Nobody asked us.",
    "The central bankers engineered the crash so they could buy everything for pennies, "
    "and the press repeats their script.",
]
CONTRAST = {
    "criticism": [
        "The health minister botched the rollout and should resign.",
        "These hedge funds are greedy vultures and rents need to be capped.",
        "The government lied about the deficit. Vote them out at the next election.",
        "Big Tech lobbying watered down the privacy bill, which is a disgrace.",
    ],
    "reported": [
        "The senator claimed that the election had been rigged by a secret cabal.",
        "According to the pamphlet, the elites planned the pandemic to control the population.",
    ],
    "negation": [
        "There is no evidence of a cover-up at the ministry.",
        "Officials denied that the attack was a false flag.",
        "Claims that the crash was orchestrated by bankers are baseless.",
    ],
    "news_about_theory": [
        "Researchers say the conspiracy theory about a planned pandemic spread quickly on Telegram.",
        "The great replacement conspiracy theory has been cited in several manifestos.",
    ],
    "quotation": [
        'My neighbour keeps saying "the globalists staged the whole war", which is tiring.',
        'The placard read "They are hiding the cure from us", and the crowd was small.',
    ],
    "hostility": [
        "You are an idiot and nobody in this thread cares what you think.",
        "Shut up, clown. Worst take I have ever read.",
    ],
    "neutral": [
        "The bank kept rates at four percent and said it would review them in June.",
        "Polling stations open at seven tomorrow morning.",
    ],
}


def _score(analyzer: FramingAnalyzer, text: str) -> float:
    return analyzer.score([text])[0].labels[LABEL]


@pytest.mark.parametrize("text", FRAMED)
def test_framed_texts_score_above_half(lexical: FramingAnalyzer, text: str) -> None:
    assert _score(lexical, text) > 0.5


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in CONTRAST.items() for text in texts]
)
def test_contrast_classes_score_below_half(lexical: FramingAnalyzer, kind: str, text: str) -> None:
    assert _score(lexical, text) < 0.5, kind


def test_the_same_plot_scores_far_lower_when_denied_reported_or_quoted(lexical: FramingAnalyzer) -> None:
    asserted = _score(lexical, "The elites staged the attack as a false flag to start the war.")
    for variant in (
        "There is no evidence that the elites staged the attack as a false flag to start the war.",
        "The blogger claimed that the elites staged the attack as a false flag to start the war.",
        'He wrote "the elites staged the attack as a false flag to start the war" on his blog.',
        "The conspiracy theory that the elites staged the attack as a false flag spread online.",
    ):
        assert _score(lexical, variant) < asserted - 0.3, variant


def test_co_occurring_roles_weigh_more_than_one_word(lexical: FramingAnalyzer) -> None:
    one_word = _score(lexical, "What an agenda.")
    narrative = _score(
        lexical,
        "The bankers pull the strings, the politicians are their puppets, and ordinary people are drained dry.",
    )
    assert one_word < 0.5 < narrative


def test_scores_are_probabilities_and_labels_match_the_interface(lexical: FramingAnalyzer) -> None:
    results = lexical.score(FRAMED + CONTRAST["neutral"] + [""])
    assert len(results) == len(FRAMED) + len(CONTRAST["neutral"]) + 1
    for result in results:
        assert set(result.labels) == set(lexical.labels) == {LABEL}
        assert 0.0 <= result.labels[LABEL] <= 1.0
