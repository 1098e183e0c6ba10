import subprocess
import sys
import threading
from dataclasses import dataclass

import pytest
import requests

from moderation import loaded_scorers
from perspective import realtime
from perspective.realtime_server import RealtimeScorer
from perspective.services.keys import api_key_issue
from tests.moderation.conftest import owner, site  # noqa: F401  (the same named site and owner)
from tests.support.processes import ROOT, RedisServer, free_port, wait_for


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
    loaded_scorers.reset()
    realtime.connection().flushdb()
    yield settings
    loaded_scorers.reset()


def serve_in_thread(redis_url: str, *, timeout: float = 120):
    """A real RealtimeScorer serving ``redis_url`` from a thread of this process, until the generator ends."""
    stop = threading.Event()
    scorer = RealtimeScorer(redis_url=redis_url)
    thread = threading.Thread(target=scorer.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: realtime.connection().exists(realtime.ALIVE), timeout=timeout, what="the realtime scorer")
    yield scorer
    stop.set()
    thread.join(timeout=10)


@pytest.fixture
def realtime_scorer(tiny_models):
    """A real RealtimeScorer serving the private Redis from a thread of this process."""
    yield from serve_in_thread(tiny_models.REDIS_URL)


@pytest.fixture
def api_key(site, owner):
    """(ApiKey row, the key itself)."""
    return api_key_issue(user=owner, site=site, name="Coral production")


def toxicity_of(text: str) -> dict[str, float]:
    """What the loaded toxicity model says about a text, asked directly."""
    return loaded_scorers.toxicity_scorer().scorer.score([text])[0].labels


@dataclass
class ScorerProcess:
    process: subprocess.Popen
    url: str  # the base of its own HTTP server, e.g. http://127.0.0.1:41234

    def health(self) -> dict:
        return requests.get(f"{self.url}/healthz", timeout=5).json()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def scorer_process(tiny_models, tiny_detoxify, realtime_redis, tmp_path):
    """`manage.py realtime_scorer` as `make run` starts it, with its own HTTP server on a free port and the
    test database (key checks are not cached, so a revocation shows at once)."""
    from tests.moderation.test_worker_resilience import environment

    port = free_port()
    env = environment(redis_url=realtime_redis.url, checkpoint=tiny_detoxify.checkpoint,
                      hf_dir=tiny_detoxify.hf_config_dir, PERSPECTIVE_KEY_CACHE_SECONDS=0)
    log = (tmp_path / "realtime.log").open("wb")
    process = subprocess.Popen([sys.executable, "manage.py", "realtime_scorer", "--listen", f"127.0.0.1:{port}"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    scorer = ScorerProcess(process, f"http://127.0.0.1:{port}")
    try:
        wait_for(lambda: realtime.connection().exists(realtime.ALIVE), timeout=120, what="the realtime scorer process")
        wait_for(lambda: _answers(f"{scorer.url}/healthz"), timeout=30, what="the realtime scorer's HTTP server")
        yield scorer
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)
        log.close()
