"""The shared sample article: its three reader comments are framed, its body reports claims."""
from __future__ import annotations


import pytest

from comments.article_text import ParsedArticle, parse_article_text
from judgement.framing import LABEL, FramingAnalyzer
from tests.support.paths import SAMPLE_ARTICLE

SAMPLE = SAMPLE_ARTICLE


@pytest.fixture(scope="module")
def article() -> ParsedArticle:
    if not SAMPLE.exists():
        pytest.skip(f"sample article not found at {SAMPLE}")
    parsed = parse_article_text(SAMPLE.read_text(encoding="utf-8"))
    assert len(parsed.comments) == 3
    return parsed


@pytest.mark.parametrize("layer", ["lexical", "semantic"])
def test_comments_are_framed_and_the_body_scores_lower(
    article: ParsedArticle, layer: str, request: pytest.FixtureRequest
) -> None:
    analyzer: FramingAnalyzer = request.getfixturevalue(layer)
    body, *comments = analyzer.score([article.body] + [comment.text for comment in article.comments])
    # The lexical layer discounts the body's quoted claims; the learned head reads the body's embedding
    # too, and this body (from a low-credibility outlet) is close to its comments' theme: it sits near
    # 0.5, still under the default policy's framing threshold (0.60) and under every comment.
    gap, ceiling = (0.3, 0.5) if layer == "lexical" else (0.1, 0.6)
    for comment in comments:
        assert comment.labels[LABEL] > 0.5
        assert comment.labels[LABEL] > body.labels[LABEL] + gap
    assert body.labels[LABEL] < ceiling


def test_each_comment_carries_its_evidence(article: ParsedArticle, lexical: FramingAnalyzer) -> None:
    texts = [comment.text for comment in article.comments]
    first, second, third = (
        {(span.role or span.family, span.text) for span in result.spans} for result in lexical.score(texts)
    )
    assert ("plot", "Divide-&-Conquer/Rule") in first
    assert ("objective", "maintain conflict") in first
    assert ("agent", "U.S.") in first
    assert ("evidence", "has been exposed") in second
    assert ("campaigner", "anyone paying attention") in second
    assert ("harm", "drained") in second
    assert ("agent", "Israel") in third
    assert ("plot", "sends terrorists") in third
    assert ("objective", "destabilize") in third


def test_the_body_s_claims_are_discounted_as_quoted(article: ParsedArticle, lexical: FramingAnalyzer) -> None:
    details = lexical.score([article.body])[0].details
    reasons = {d["text"]: d["reason"] for d in details["discounted"]}
    assert reasons.get("destroy Syrian statehood") == "quoted"
