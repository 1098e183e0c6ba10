import threading

import pytest

from moderation import engine
from perspective import realtime
from perspective.realtime_server import RealtimeScorer
from perspective.services.keys import api_key_issue
from tests.moderation.conftest import owner, site  # noqa: F401  (the same named site and owner)
from tests.support.processes import RedisServer, free_port, wait_for


@pytest.fixture(scope="session")
def realtime_redis(tmp_path_factory):
    """A Redis of our own: the realtime lists of parallel test runs never meet."""
    server = RedisServer(port=free_port(), workdir=tmp_path_factory.mktemp("realtime-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tiny_models(settings, tiny_detoxify, realtime_redis):
    """The real Detoxify code on the tiny checkpoint, the lexical framing analyzer, the private Redis."""
    settings.TOXICITY_SCORER = tiny_detoxify.config()
    settings.FRAMING_SEMANTIC = False
    settings.REDIS_URL = realtime_redis.url
    settings.PERSPECTIVE_TIMEOUT_SECONDS = 20
    engine.reset()
    realtime.connection().flushdb()
    yield settings
    engine.reset()


@pytest.fixture
def realtime_scorer(tiny_models):
    """A real RealtimeScorer serving the private Redis from a thread of this process."""
    stop = threading.Event()
    scorer = RealtimeScorer(conn=realtime.connection())
    thread = threading.Thread(target=scorer.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: realtime.connection().exists(realtime.ALIVE), timeout=120, what="the realtime scorer")
    yield scorer
    stop.set()
    thread.join(timeout=10)


@pytest.fixture
def api_key(site, owner):
    """(ApiKey row, the key itself)."""
    return api_key_issue(user=owner, site=site, name="Coral production")


def toxicity_of(text: str) -> dict[str, float]:
    """What the loaded toxicity model says about a text, asked directly."""
    return engine.toxicity_scorer().scorer.score([text])[0].labels
