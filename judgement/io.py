"""Rows of text from a file (JSONL, CSV or one text a line), for scoring or evaluating offline.

Plain Python, no Django. A bad row never stops the reading: each row comes
back as ``Row(line, row, error)`` with exactly one of ``row`` and ``error``
set, so the caller reports the bad ones by line number and goes on. The file
is read as bytes and decoded line by line, so one line of invalid UTF-8 is
one bad row, not a crash.
"""
from __future__ import annotations

import csv
import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, NamedTuple

FORMATS: tuple[str, ...] = ("jsonl", "csv", "lines")
EXTENSIONS: dict[str, str] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".txt": "lines"}
STDIN = "-"
# A comment is a few thousand characters at most; anything far larger is a mistake in the file
# (a whole article, a binary blob) and would cost a model minutes.
MAX_TEXT_CHARS = 100_000
# Lines longer than this are skipped without being held in memory: room for a text at the
# cap written with JSON escapes (up to 12 bytes a character) plus its other fields.
MAX_LINE_BYTES = 16 * MAX_TEXT_CHARS
_BOM = "\ufeff"


class InputError(ValueError):
    """The input as a whole cannot be read (unknown format, CSV header without the text column)."""


class Row(NamedTuple):
    line: int  # 1-based; for a CSV record spanning lines, the line it starts on
    row: dict | None
    error: str | None


def detect_format(path: str, *, override: str | None = None) -> str:
    """The format to read ``path`` as: ``override`` when given, else from the extension (stdin: jsonl)."""
    if override is not None:
        if override not in FORMATS:
            raise InputError(f"unknown format {override!r}; expected one of {', '.join(FORMATS)}")
        return override
    if path == STDIN:
        return "jsonl"
    found = EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        known = ", ".join(f"{ext} ({fmt})" for ext, fmt in EXTENSIONS.items())
        raise InputError(f"cannot tell the format of {path} from its extension ({known}); pass a format")
    return found


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """The file as bytes, or stdin for ``-``; raises OSError when it cannot be opened."""
    if path == STDIN:
        yield sys.stdin.buffer
        return
    with open(path, "rb") as stream:
        yield stream


def read_rows(stream: BinaryIO, *, fmt: str, text_field: str = "text") -> Iterator[Row]:
    """Every row of the stream in order, good or bad; the text is always under ``text_field``."""
    if fmt == "jsonl":
        return _jsonl(stream, text_field)
    if fmt == "csv":
        return _csv(stream, text_field)
    if fmt == "lines":
        return _lines(stream, text_field)
    raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def text_problem(value: object, *, field: str) -> str | None:
    """Why ``value`` cannot be scored as a text, or None when it can."""
    if value is None:
        return f"missing text field {field!r}"
    if not isinstance(value, str):
        return f"text field {field!r} is {type(value).__name__}, not a string"
    if not value.strip():
        return f"text field {field!r} is empty"
    if len(value) > MAX_TEXT_CHARS:
        return f"text field {field!r} has {len(value):,} characters, over the limit of {MAX_TEXT_CHARS:,}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # JSON can spell a lone surrogate ("\ud800"); the tokenizers cannot read one.
        return f"text field {field!r} contains invalid unicode (a lone surrogate)"
    return None


def _physical_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the line ending), or None for a line over MAX_LINE_BYTES."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line without keeping it
                raw = stream.readline(MAX_LINE_BYTES)
            yield number, None
            continue
        yield number, raw.rstrip(b"\r\n")


def _too_long() -> str:
    return f"line longer than {MAX_LINE_BYTES:,} bytes"


def _without_bom(text: str, number: int) -> str:
    return text[1:] if number == 1 and text.startswith(_BOM) else text


def _decoded_lines(stream: BinaryIO) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, None), or (line number, None, why) for a line too long or not UTF-8."""
    for number, raw in _physical_lines(stream):
        if raw is None:
            yield number, None, _too_long()
            continue
        try:
            yield number, _without_bom(raw.decode("utf-8"), number), None
        except UnicodeDecodeError as error:
            yield number, None, f"invalid UTF-8 at byte {error.start + 1}"


def _lines(stream: BinaryIO, text_field: str) -> Iterator[Row]:
    for number, text, error in _decoded_lines(stream):
        error = error or text_problem(text, field=text_field)
        yield Row(number, None, error) if error else Row(number, {text_field: text}, None)


def _jsonl(stream: BinaryIO, text_field: str) -> Iterator[Row]:
    for number, line, error in _decoded_lines(stream):
        if error:
            yield Row(number, None, error)
            continue
        if not line.strip():
            continue  # blank lines (a trailing one, say) separate nothing and are no row
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield Row(number, None, f"invalid JSON: {error.msg} (column {error.colno})")
            continue
        except (ValueError, RecursionError):  # an integer over Python's 4,300 digits, or nesting past the stack
            yield Row(number, None, "invalid JSON: a number too long or nesting too deep")
            continue
        if not isinstance(value, dict):
            yield Row(number, None, f"a JSON {type(value).__name__}, not an object")
            continue
        problem = text_problem(value.get(text_field), field=text_field)
        yield Row(number, None, problem) if problem else Row(number, value, None)


def _csv(stream: BinaryIO, text_field: str) -> Iterator[Row]:
    """CSV with a header row. Records may span lines (quoted newlines), so lines are decoded
    with surrogateescape and a record holding an undecodable byte is reported as a whole."""
    long_lines: set[int] = set()

    def feed() -> Iterator[str]:
        for number, raw in _physical_lines(stream):
            if raw is None:
                long_lines.add(number)
                yield "\n"
                continue
            yield _without_bom(raw.decode("utf-8", errors="surrogateescape"), number) + "\n"

    reader = csv.reader(feed(), strict=False)
    header: list[str] | None = None
    while True:
        first = reader.line_num + 1  # the reader has handed out one record per line range so far
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # the reader starts afresh on the next line
            yield Row(first, None, f"unreadable CSV record: {error}")
            continue
        too_long = any(number in long_lines for number in range(first, reader.line_num + 1))
        if header is None:
            if too_long:
                raise InputError(f"the CSV header is longer than {MAX_LINE_BYTES:,} bytes")
            if not record:
                continue
            header = record
            if text_field not in header:
                raise InputError(f"the CSV header has no column {text_field!r} (columns: {', '.join(header)})")
            continue
        if too_long:
            yield Row(first, None, _too_long())
        elif not record:
            continue  # a blank line
        elif any(_has_bad_bytes(field) for field in record):
            yield Row(first, None, "invalid UTF-8")
        elif len(record) != len(header):
            yield Row(first, None, f"{len(record)} fields where the header has {len(header)}")
        else:
            row = dict(zip(header, record))
            problem = text_problem(row[text_field], field=text_field)
            yield Row(first, None, problem) if problem else Row(first, row, None)


def _has_bad_bytes(field: str) -> bool:
    # surrogateescape turns each undecodable byte into U+DC80..U+DCFF.
    return any("\udc80" <= char <= "\udcff" for char in field)
