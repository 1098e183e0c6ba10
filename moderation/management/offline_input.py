"""What ``score_texts`` and ``evaluate_scorers`` share: opening the input, reporting bad rows, exit codes.

Exit status: 0 when every row was good, 1 when some rows were bad (reported on
stderr by line, every other row handled), 2 when nothing could be done
(unknown site, unreadable file, unknown format, CSV header without the column).
"""
from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager, redirect_stdout
from typing import Iterator

from django.core.management.base import CommandError, OutputWrapper

from judgement.io import FORMATS, InputError, Row, detect_format, open_input, read_rows
from moderation.offline.scoring import OfflineSetup, UnknownSite, offline_setup

FATAL = 2  # nothing was done; 1 (some rows bad) is kept for a run that did its work


def add_input_arguments(parser, *, formats: tuple[str, ...] = FORMATS) -> None:
    parser.add_argument("file", help="the input file, or - for stdin")
    parser.add_argument("--format", choices=formats, default=None,
                        help="how to read the file (default: from its extension; stdin: jsonl)")
    parser.add_argument("--site", default=None, help="site slug: its framing terms and flag policy")


def setup_for(*, site: str | None, stderr: OutputWrapper) -> OfflineSetup:
    try:
        # Loading models may print (torch.hub's "Downloading: ..."); stdout is for results only.
        with redirect_stdout(sys.stderr):
            setup = offline_setup(site_slug=site)
    except UnknownSite as error:
        raise CommandError(str(error), returncode=FATAL) from error
    if setup.scorers.toxicity.fallback_reason:
        stderr.write(f"warning: toxicity scorer: {setup.scorers.toxicity.fallback_reason}")
    return setup


@contextmanager
def input_rows(
    *, path: str, fmt: str | None, text_field: str, formats: tuple[str, ...] = FORMATS
) -> Iterator[Iterator[Row]]:
    """The file's rows; an unreadable file or a file-level problem is a CommandError."""
    try:
        chosen = detect_format(path, override=fmt)
    except InputError as error:
        raise CommandError(str(error), returncode=FATAL) from error
    if chosen not in formats:
        raise CommandError(f"{path} reads as {chosen}; this command reads {' or '.join(formats)}", returncode=FATAL)
    with ExitStack() as stack:
        try:
            stream = stack.enter_context(open_input(path))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror or error}", returncode=FATAL) from error
        yield _guarded(read_rows(stream, fmt=chosen, text_field=text_field), path)


def _guarded(rows: Iterator[Row], path: str) -> Iterator[Row]:
    # Only errors of the reading itself, not of whatever the caller does with each row.
    try:
        yield from rows
    except InputError as error:
        raise CommandError(f"{path}: {error}", returncode=FATAL) from error
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}", returncode=FATAL) from error


class BadRows:
    """Reports each bad row on stderr as it is read, and says at the end whether any was bad."""

    def __init__(self, stderr: OutputWrapper) -> None:
        self.stderr = stderr
        self.count = 0

    def __call__(self, row: Row) -> None:
        self.count += 1
        self.stderr.write(f"line {row.line}: {row.error}")

    def finish(self, *, good: int) -> None:
        if self.count:
            raise CommandError(
                f"{self.count} bad row{'s' if self.count != 1 else ''} skipped (reported above); "
                f"{good} handled", returncode=1,
            )
