import copy
import os

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings

from moderation import loaded_scorers
from perspective import realtime
from tests.perspective.conftest import realtime_redis, serve_in_thread  # noqa: F401  (a fixture, a helper)

from .world import USERS, world_build

# Examples per URL (each example is sent by all four callers, as GET and as POST). "no-5xx" is the CI
# profile; NO_5XX_PROFILE=no-5xx-deep runs many more when hunting. The admin turns every one of the four
# callers away before reading anything (none is staff), so it gets fewer.
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
          HealthCheck.filter_too_much, HealthCheck.large_base_example]
for name, product, admin in (("no-5xx", 5, 1), ("no-5xx-deep", 100, 10)):
    settings.register_profile(name, max_examples=product, deadline=None, print_blob=True, suppress_health_check=HEALTH)
    settings.register_profile(f"{name}-admin", parent=settings.get_profile(name), max_examples=admin)
PROFILE = os.environ.get("NO_5XX_PROFILE", "no-5xx")
NO_5XX = settings.get_profile(PROFILE)
NO_5XX_ADMIN = settings.get_profile(f"{PROFILE}-admin")


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction that is rolled back at its end, so every test of the
    module starts from it (each test's own transaction is a savepoint inside) and no other module sees it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = world_build()
            yield world, {name: Caller(name, world.users[name]) for name in USERS}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, settings, db):
    settings.WEBHOOK_RATE_LIMIT = 0  # reach the parsing, not the rate limit
    settings.PERSPECTIVE_KEY_CACHE_SECONDS = 0  # a key revoked (and rolled back) in one example is not remembered
    return shared_world[0]


@pytest.fixture
def realtime_scorer(settings, realtime_redis):
    """A real realtime scorer in a thread, on a private Redis, for the doors that score while the caller
    waits. profanity-check is its model: the fuzz is about the doors, and it loads in a second where
    Detoxify's imports take half a minute."""
    settings.TOXICITY_SCORER = {"backend": "profanity-check"}
    settings.FRAMING_SEMANTIC = False
    settings.REDIS_URL = realtime_redis.url
    settings.PERSPECTIVE_TIMEOUT_SECONDS = 20
    loaded_scorers.reset()
    realtime.connection().flushdb()
    yield from serve_in_thread(realtime_redis.url)
    loaded_scorers.reset()


class Caller:
    """One of the four callers: a test client (a 500 comes back as a response) and its logged-in cookies."""

    def __init__(self, name: str, user):
        self.name = name
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self._cookies = copy.deepcopy(self.client.cookies)

    def reset(self) -> None:
        """Logged in again as at the start (a fuzzed POST /logout/ logs the client out)."""
        self.client.cookies = copy.deepcopy(self._cookies)


@pytest.fixture
def callers(shared_world, world) -> list[Caller]:
    return list(shared_world[1].values())


# NO_5XX_SURVEY=<file>: every 5xx is appended to the file (one JSON object a line) instead of stopping the
# random tests at the first (so hypothesis does not shrink); the run still fails, with a summary by cause.
SURVEY = os.environ.get("NO_5XX_SURVEY")
_SURVEY_START = {}


def pytest_sessionstart(session):
    if SURVEY:
        _SURVEY_START["lines"] = _survey_lines()


def _survey_lines() -> list[dict]:
    import json

    try:
        with open(SURVEY) as survey:
            return [json.loads(line) for line in survey if line.strip()]
    except FileNotFoundError:
        return []


def _survey_new() -> list[dict]:
    return _survey_lines()[len(_SURVEY_START.get("lines", [])):]


def pytest_terminal_summary(terminalreporter):
    if not SURVEY:
        return
    causes: dict[tuple, list[dict]] = {}
    for failure in _survey_new():
        causes.setdefault((failure["route"].split()[0], failure["exception"][:80], failure["where"]), []).append(failure)
    terminalreporter.section(f"5xx recorded in {SURVEY}: {sum(map(len, causes.values()))}, {len(causes)} causes")
    for (route, exception, where), seen in causes.items():
        callers = ",".join(sorted({failure["caller"] for failure in seen}))
        terminalreporter.line(f"{len(seen):4} × {route} [{callers}] {exception} at {where}")


def pytest_sessionfinish(session):
    if SURVEY and _survey_new() and session.exitstatus == 0:
        session.exitstatus = 1
