import pytest

from moderation import engine


@pytest.fixture
def tiny_scoring(settings, tiny_detoxify):
    """Score with the real Detoxify code on the tiny checkpoint, and the lexical framing analyzer."""
    settings.TOXICITY_SCORER = tiny_detoxify.config()
    settings.FRAMING_SEMANTIC = False
    engine.reset()
    yield settings
    engine.reset()
