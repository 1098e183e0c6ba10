import pytest

from moderation import loaded_scorers
from tests.factories import SiteFactory, member


@pytest.fixture
def tiny_scoring(settings, tiny_detoxify):
    """Score with the real Detoxify code on the tiny checkpoint, and the lexical framing analyzer."""
    settings.TOXICITY_SCORER = tiny_detoxify.config()
    settings.FRAMING_SEMANTIC = False
    loaded_scorers.reset()
    yield settings
    loaded_scorers.reset()


@pytest.fixture
def site():
    return SiteFactory(slug="news", name="News")


@pytest.fixture
def owner(site):
    return member(site, "owner", "owner")


@pytest.fixture
def moderator(site):
    return member(site, "moderator", "moderator")


@pytest.fixture
def colleague(site):
    return member(site, "moderator", "colleague")


@pytest.fixture
def senior(site):
    return member(site, "senior", "senior")
