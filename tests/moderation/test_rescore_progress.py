"""`rescore`'s progress: one bar, in comments per second, with the models loaded before it starts.

Loading the models logs "Toxicity scorer: …" on the console (settings.LOGGING's
StreamHandler on stderr). Loaded inside the first chunk, that line cut the bar
in two, and the load time counted as scoring time ("9.12s/comment").
"""
from __future__ import annotations

import logging
import re
import sys

import pytest
from django.core.management import call_command

from comments.services import comment_upsert
from tests.factories import SiteFactory, comment_input

pytestmark = pytest.mark.django_db


class _CurrentStderr:
    """Whatever sys.stderr is when a record is written (capsys swaps it per test)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@pytest.fixture
def console_on_stderr(capsys):
    """The console handler of settings.LOGGING, writing where capsys reads (and only there)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers = [logging.StreamHandler(_CurrentStderr())]
    root.setLevel(logging.INFO)
    yield
    root.handlers = handlers
    root.setLevel(level)


def test_rescore_shows_one_progress_bar_in_comments_per_second(tiny_scoring, capsys, console_on_stderr):
    site = SiteFactory(slug="news")
    for i in range(70):  # more than one chunk of 64
        comment_upsert(site=site, data=comment_input(f"c{i}"))
    capsys.readouterr()
    call_command("rescore", "--site", "news")
    err = capsys.readouterr().err
    loaded = err.index("Toxicity scorer:")
    bar = err[loaded:].split("\n", 1)[1]  # everything after the models' log line
    assert "|" not in err[:loaded], err  # no bar drawn before the models are loaded
    # One bar: every redraw goes over the same line (\r), one newline when it closes.
    assert bar.count("\n") == 1 and bar.endswith("\n"), err
    final = re.split(r"\r", bar.rstrip("\n"))[-1]
    assert "70/70" in final, err
    assert re.search(r"(comments?/s|s/comment)\]$", final), final
