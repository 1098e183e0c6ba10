"""Regression tests for the failure patterns measured on real labelled comments.

1. conspiracy claims in vocabulary the lexicon lacked (bioweapon, sterilisation, "the virus
   never existed", the "replacement" conspiracy's own words, ...);
2. one stock phrase ("secretly", "cover-up", "they don't want us to know", "under the guise
   of") carrying a news report, a quotation, a protest notice or an everyday sentence;
3. technical comments getting framing spans ("Puppet", "set up", "wake up", quoted code);
4. spans that covered only the trigger word, not the phrase that plays the role.

The texts are written for these tests. Hand-written sets flatter any analyzer, so these
pin behaviour (which spans, which families, which side of 0.5); they are not quality figures.
"""
from __future__ import annotations

import pytest

from judgement.framing import LABEL, FramingAnalyzer


def _result(analyzer: FramingAnalyzer, text: str):
    return analyzer.score([text])[0]


def _spans(analyzer: FramingAnalyzer, text: str) -> list[tuple[str, str, str, float]]:
    return [(span.family, span.role, span.text, span.weight) for span in _result(analyzer, text).spans]


# --- 1. vocabulary of asserted harm and intent ---------------------------------------

VOCABULARY = [
    # (text, a word the evidence must cover, the role it must play)
    ("The vaccine is a bioweapon and they know it.", "bioweapon", "objective"),
    ("This whole rollout is an illegal medical experiment on the population.", "illegal medical experiment", "harm"),
    ("The jab is sterilising our daughters and nobody in charge cares.", "sterilising our daughters", "harm"),
    ("Mass sterilisation is the plan, and the shots are how they do it.", "sterilisation", "harm"),
    ("Mass sterilization is the plan, and the shots are how they do it.", "sterilization", "harm"),
    ("Since the jab my mum is magnetic, spoons stick to her arm.", "magnetic", "harm"),
    ("The vaccines make people magnetic and the doctors pretend not to see it.", "magnetic", "harm"),
    ("The virus never existed. The whole thing was theatre.", "virus never existed", "plot"),
    ("This is mass murder, carried out by the health ministry.", "mass murder", "harm"),
    ("Big Pharma pulls the strings at the regulator.", "Big Pharma", "agent"),
    ("Depopulation is the real goal and always was.", "Depopulation", "objective"),
    ("It is genocide by vaccine, pure and simple.", "genocide by vaccine", "objective"),
    ("They are poisoning us through the water and calling it public health.", "poisoning us", "harm"),
    ("The culling of the elderly in care homes was the plan.", "culling of the elderly", "objective"),
    ("It's not a vaccine, it's an experimental gene therapy.", "experimental gene therapy", "harm"),
    ("They are killing us slowly and calling it healthcare.", "killing us", "harm"),
    ("The plandemic was a dress rehearsal.", "plandemic", "objective"),
    ("The scamdemic is over but they want masks forever.", "scamdemic", "objective"),
    ("The great replacement is happening in every town.", "great replacement", "objective"),
    ("They are replacing us and calling anyone who notices a bigot.", "replacing us", "objective"),
    ("They are importing voters because they can't win with ours.", "importing voters", "objective"),
    ("The plan is to replace white people within two generations.", "replace white people", "objective"),
    ("Read about Kalergi and it all makes sense.", "Kalergi", "objective"),
]


@pytest.mark.parametrize(("text", "words", "role"), VOCABULARY)
def test_missing_vocabulary_is_now_evidence(lexical: FramingAnalyzer, text: str, words: str, role: str) -> None:
    spans = _spans(lexical, text)
    assert any(words.lower() in span_text.lower() and span_role == role for _, span_role, span_text, _ in spans), spans
    assert _result(lexical, text).labels[LABEL] > 0.5


def test_the_new_vocabulary_respects_denial_and_report(lexical: FramingAnalyzer) -> None:
    for text in (
        "There is no evidence that the vaccine is a bioweapon or sterilises anyone.",
        "The influencer claimed the jabs make people magnetic.",
        "Researchers say the great replacement conspiracy theory spread on Telegram.",
    ):
        assert _result(lexical, text).labels[LABEL] < 0.5, text


def test_innocent_uses_of_the_new_words_stay_low(lexical: FramingAnalyzer) -> None:
    for text in (
        "Sterilise the jars in boiling water before you fill them.",
        "The hard drive stores data on magnetic platters.",
        "The frustum culling pass removes objects outside the camera view.",
        "Big Pharma lobbying pushed insulin prices up, and Congress should cap them.",
    ):
        assert _result(lexical, text).labels[LABEL] < 0.5, text


# --- 2. one stock phrase must not carry a text ----------------------------------------

LONE_STOCK = {
    "report": [
        "The report says officials covered up the leak.",
        "Ministers covered up the scale of the leak, an inquiry found.",
        "Officials covered up the spill for a week, the newspaper reported on Tuesday.",
        "The hospital board secretly settled the claims, it emerged on Friday.",
    ],
    "quotation": [
        'The protester shouted "they don\'t want us to know" at the cameras.',
        'He called the audit a "cover-up" in last night\'s speech.',
        'Her placard read "Secretly approved!" and she stood there all day.',
    ],
    "protest": [
        "Rally against the cover-up this Saturday at 2pm outside City Hall. Bring signs!",
        "March for transparency on Sunday. Stop the cover-up at the water board!",
        "Join us at the town hall on Friday: they don't want us to know the true cost of the incinerator.",
    ],
    "everyday": [
        "My sister secretly planned a surprise party for my birthday.",
        "The council cut library hours under the guise of efficiency savings.",
        "Behind closed doors, the committee agreed the budget.",
        "They don't want us to know the ending, so no spoilers please.",
    ],
}


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in LONE_STOCK.items() for text in texts]
)
def test_a_lone_stock_phrase_weighs_little(lexical: FramingAnalyzer, kind: str, text: str) -> None:
    result = _result(lexical, text)
    assert result.labels[LABEL] < 0.5, kind
    plot_spans = [span for span in result.spans if span.family not in ("agent", "victim")]
    assert all(span.weight <= 0.5 for span in plot_spans), plot_spans


def test_the_same_phrases_in_a_real_narrative_stay_strong(lexical: FramingAnalyzer) -> None:
    for text in (
        "The elites secretly poisoned the water to sicken us, and they covered it up.",
        "Big Pharma covered up the deaths so they could keep selling the jabs to our children.",
        "They don't want you to know the globalists planned the crisis to take total control.",
        "Under the guise of public health, the WHO and Bill Gates are sterilising the population.",
    ):
        result = _result(lexical, text)
        assert result.labels[LABEL] > 0.8, text
        assert any(span.role == "agent" for span in result.spans), text


def test_a_lone_stock_phrase_still_shows_as_weak_evidence(lexical: FramingAnalyzer) -> None:
    spans = _spans(lexical, "My sister secretly planned a surprise party.")
    assert ("secrecy", "plot", "secretly", 0.5) in spans


def test_diagnostic_tropes_are_not_stock_phrases(lexical: FramingAnalyzer) -> None:
    assert _result(lexical, "The bombing was a false flag.").labels[LABEL] > 0.5


# --- 3. technical false positives -------------------------------------------------------

TECHNICAL = [
    "We manage two hundred servers with Puppet and the manifests live in git.",
    "Puppet runs every thirty minutes and applies the catalog.",
    "I set up a cron job to rotate the logs every night.",
    "Use a reverse proxy and set up TLS termination there.",
    "My laptop won't wake up from sleep after the last kernel update.",
    "The machine doesn't wake up when I press a key.",
    'The API returns "null" when the field is missing, so check for it.',
    "Open the file with encoding 'utf-8' and it reads fine.",
    'Set "os.environ" before calling "load_config()" or the "DEBUG_MODE" flag is ignored.',
    'The value of `user_id` is "undefined" in the callback.',
    "Wrap it in `set_up()` and call it before the test.",
    "Our setup uses Kubernetes to orchestrate the containers.",
    "The event handlers are registered before the page loads.",
    "The script is designed to hide the toolbar when the window is narrow.",
    'Rename the branch to "main" and set up the remote again.',
]


@pytest.mark.parametrize("text", TECHNICAL)
def test_technical_comments_get_no_spans(lexical: FramingAnalyzer, text: str) -> None:
    result = _result(lexical, text)
    assert result.spans == [], [(s.family, s.text) for s in result.spans]
    assert result.labels[LABEL] < 0.2


def test_framers_still_wake_people_up(lexical: FramingAnalyzer) -> None:
    spans = _spans(lexical, "Wake up! The globalists planned this crisis so they can control us.")
    assert ("campaigner", "campaigner", "Wake up", 0.9) in spans
    assert any(role == "facilitator" for _, role, _, _ in _spans(lexical, "The president is a puppet of the banks."))
    assert any(text == "was a set-up" for _, _, text, _ in _spans(lexical, "The riot was a set-up by the feds."))


def test_scare_quotes_around_words_still_count(lexical: FramingAnalyzer) -> None:
    spans = _spans(lexical, 'The "experts" and their "vaccine" are a joke.')
    assert [text for family, _, text, _ in spans if family == "deception"] == ['"experts"', '"vaccine"']


# --- 4. spans cover the phrase that plays the role --------------------------------------


def _role_texts(analyzer: FramingAnalyzer, text: str, role: str) -> list[str]:
    return [span_text for _, span_role, span_text, _ in _spans(analyzer, text) if span_role == role]


def test_an_agent_span_covers_its_noun_phrase(lexical: FramingAnalyzer) -> None:
    text = "The WHO and Bill Gates planned the pandemic to sterilise the population in secret."
    assert "The WHO and Bill Gates" in _role_texts(lexical, text, "agent")
    assert "the corrupt globalist elites" in _role_texts(
        lexical, "Wake up: the corrupt globalist elites staged it all.", "agent"
    )
    assert "the Gates Foundation" in _role_texts(
        lexical, "They don't want you to know the Gates Foundation is behind it.", "agent"
    )


def test_a_harm_or_objective_span_runs_to_the_end_of_its_clause(lexical: FramingAnalyzer) -> None:
    text = "The elites secretly poisoned the water to sicken us, and our children are dying."
    assert "poisoned the water to sicken us" in _role_texts(lexical, text, "harm")
    objectives = _role_texts(lexical, "The globalists planned the crisis to destroy the middle class, then blamed us.", "objective")
    assert "destroy the middle class" in objectives  # bounded by the comma


def test_clause_spans_stop_at_a_conjunction_and_are_capped(lexical: FramingAnalyzer) -> None:
    text = "Israel sends terrorists to destabilize and destroy their Arab neighbors."
    assert "destabilize" in _role_texts(lexical, text, "objective")
    long = (
        "The elites planned it to destroy the middle class of every single small town in this whole "
        "wide country of ours forever and ever"
    )
    (span,) = [s for s in _result(lexical, long).spans if s.role == "objective"]
    assert span.text.startswith("destroy the middle class")
    assert len(span.text.split()) <= 12


def test_extended_spans_keep_valid_offsets_and_fields(lexical: FramingAnalyzer) -> None:
    text = "Big Pharma and the WHO covered up the deaths so they could keep selling boosters to our kids."
    result = _result(lexical, text)
    assert result.spans
    for span in result.spans:
        assert text[span.start : span.end] == span.text
        assert set(span.as_dict()) == {"start", "end", "family", "role", "text", "weight"}
    assert "Big Pharma and the WHO" in [s.text for s in result.spans if s.role == "agent"]
