from importlib.metadata import version

from judgement.scorers.base import Scorer
from judgement.scorers.profanity_scorer import ProfanityScorer


def test_profanity_scorer_identity():
    scorer = ProfanityScorer()
    assert isinstance(scorer, Scorer)
    assert scorer.name == "profanity-check"
    assert scorer.version == version("alt-profanity-check")
    assert tuple(scorer.labels) == ("toxicity",)


def test_insult_scores_higher_than_friendly_text():
    friendly, insult, empty = ProfanityScorer().score(
        ["Thanks so much for sharing this, it really helped me.", "Shut up, you worthless piece of shit.", ""]
    )
    assert insult.labels["toxicity"] > 0.8
    assert friendly.labels["toxicity"] < 0.2
    assert 0.0 <= empty.labels["toxicity"] <= 1.0


def test_empty_batch():
    assert ProfanityScorer().score([]) == []
