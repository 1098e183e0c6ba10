"""Real-browser tests: Playwright (from PyPI) drives Debian's chromium against
pytest-django's live server."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from moderation import loaded_scorers

# Playwright's sync API keeps an event loop running in this thread; the test
# body still talks to the database synchronously, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "deir-ez-zor-article.txt"
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/threadwarden-e2e"))


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Every browser context a test opens through new_context() reports what the
# Content-Security-Policy blocked; the autouse fixture below fails the test on any.
_CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("csp-violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
                + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
_watched: list[list[str]] = []


def new_context(browser, **options):
    """A browser context whose pages report CSP violations (and the console's "Refused to ..." lines)."""
    context = browser.new_context(**options)
    found: list[str] = []
    context.add_init_script(_CSP_REPORTER)

    def on_console(message):
        text = message.text
        if "csp-violation" in text or "Content Security Policy" in text:
            found.append(f"{message.type}: {text}")

    context.on("console", on_console)
    _watched.append(found)
    return context


@pytest.fixture(autouse=True)
def no_csp_violations():
    _watched.clear()
    yield
    violations = [line for found in _watched for line in found]
    _watched.clear()
    assert violations == [], "the Content-Security-Policy blocked something:\n" + "\n".join(violations)


@pytest.fixture
def e2e_scoring(settings, tiny_detoxify):
    """The real scorers on small models: the tiny Detoxify checkpoint and the lexical framing analyzer."""
    settings.TOXICITY_SCORER = tiny_detoxify.config()
    settings.FRAMING_SEMANTIC = False
    settings.QUEUE_POLL_SECONDS = 1
    loaded_scorers.reset()
    yield settings
    loaded_scorers.reset()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def close_connections_after_each_request():
    """The live server answers each request in a new thread; with persistent
    connections every finished thread would leave one open until the test
    database cannot be dropped."""
    from django.db import connections

    saved = connections.settings["default"].get("CONN_MAX_AGE", 0)
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    connections.settings["default"]["CONN_MAX_AGE"] = saved
