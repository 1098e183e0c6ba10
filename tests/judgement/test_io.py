"""The file reader behind score_texts and evaluate_scorers: one bad row never stops the others."""
import io
import sys

import pytest

from judgement import io as text_io
from judgement.io import MAX_TEXT_CHARS, InputError, detect_format, open_input, read_rows


def rows_of(data: bytes, fmt: str, **options) -> list[tuple[int, dict | None, str | None]]:
    return [tuple(row) for row in read_rows(io.BytesIO(data), fmt=fmt, **options)]


def good(rows) -> list[tuple[int, str]]:
    return [(line, row["text"]) for line, row, error in rows if error is None]


def bad(rows) -> dict[int, str]:
    return {line: error for line, row, error in rows if error is not None}


@pytest.mark.parametrize("path, expected", [
    ("a.jsonl", "jsonl"), ("a.NDJSON", "jsonl"), ("a.csv", "csv"), ("a.txt", "lines"), ("-", "jsonl"),
])
def test_the_format_comes_from_the_extension(path, expected):
    assert detect_format(path) == expected


def test_a_given_format_wins_and_an_unknown_one_is_refused():
    assert detect_format("comments.csv", override="lines") == "lines"
    with pytest.raises(InputError, match="unknown format"):
        detect_format("comments.csv", override="xml")
    with pytest.raises(InputError, match="extension"):
        detect_format("comments.json")


def test_jsonl_rows_python_cannot_parse_are_bad_rows_not_a_crash():
    lines = [b'{"text": "ok"}', b'{"text": "x", "n": ' + b"9" * 4301 + b"}", b'{"text": "y", "d": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"]
    rows = rows_of(b"\n".join(lines) + b"\n", "jsonl")
    assert good(rows) == [(1, "ok")]
    assert sorted(bad(rows)) == [2, 3] and all(e.startswith("invalid JSON") for e in bad(rows).values())


def test_jsonl_reports_each_bad_row_by_line_and_reads_on():
    lines = [
        b'{"text": "first", "id": 7}',
        b'{"text": ',  # invalid JSON
        b'["text"]',  # not an object
        b'{"body": "no text field"}',
        b'{"text": 42}',
        b'{"text": "   "}',
        b'{"text": "caf\xe9"}',  # Latin-1, not UTF-8
        b"",  # a blank line is no row at all
        b'{"text": "\\ud800 lone surrogate"}',
        b'{"text": "last \xc3\xa9"}',
    ]
    rows = rows_of(b"\n".join(lines) + b"\n", "jsonl")
    assert good(rows) == [(1, "first"), (10, "last \u00e9")]
    assert rows[0][1] == {"text": "first", "id": 7}  # the whole object comes back
    errors = bad(rows)
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 9]
    assert errors[2].startswith("invalid JSON")
    assert "not an object" in errors[3]
    assert "missing text field 'text'" in errors[4]
    assert "int, not a string" in errors[5]
    assert "empty" in errors[6]
    assert "invalid UTF-8" in errors[7]
    assert "surrogate" in errors[9]


def test_a_text_over_the_cap_is_a_bad_row():
    at_cap, over = "a" * MAX_TEXT_CHARS, "a" * (MAX_TEXT_CHARS + 1)
    rows = rows_of(f'{{"text": "{at_cap}"}}\n{{"text": "{over}"}}\n'.encode(), "jsonl")
    assert [line for line, _ in good(rows)] == [1]
    assert "over the limit" in bad(rows)[2]


def test_a_line_over_the_byte_limit_is_skipped_and_the_next_is_read(monkeypatch):
    monkeypatch.setattr(text_io, "MAX_LINE_BYTES", 40)
    data = b'{"text": "short"}\n{"text": "' + b"x" * 200 + b'"}\n{"text": "after"}'
    rows = rows_of(data, "jsonl")
    assert good(rows) == [(1, "short"), (3, "after")]
    assert "longer than" in bad(rows)[2]


def test_a_custom_text_field():
    rows = rows_of(b'{"body": "hello"}\n{"text": "wrong field"}\n', "jsonl", text_field="body")
    assert [(line, row["body"]) for line, row, error in rows if row] == [(1, "hello")]
    assert "missing text field 'body'" in bad(rows)[2]


def test_csv_rows_keep_the_line_their_record_starts_on():
    data = (
        "\ufefftext,label\n"  # a BOM, as spreadsheets write it
        "plain,1\n"
        '"two\nlines",0\n'
        "too,many,fields\n"
        ",1\n"
        "caf\xe9,0\n"
        "last,1\n"
    ).encode("utf-8").replace("caf\xe9".encode("utf-8"), b"caf\xe9")
    rows = rows_of(data, "csv")
    assert good(rows) == [(2, "plain"), (3, "two\nlines"), (8, "last")]
    assert rows[0][1] == {"text": "plain", "label": "1"}
    errors = bad(rows)
    assert sorted(errors) == [5, 6, 7]
    assert "3 fields where the header has 2" in errors[5]
    assert "empty" in errors[6]
    assert "invalid UTF-8" in errors[7]


def test_a_csv_header_without_the_text_column_stops_the_reading():
    with pytest.raises(InputError, match="no column 'text'"):
        rows_of(b"body,label\nhello,1\n", "csv")


def test_lines_are_texts_one_a_line():
    rows = rows_of(b"first\r\n\n  \nthird \xff\nfourth\n", "lines")
    assert good(rows) == [(1, "first"), (5, "fourth")]
    assert sorted(bad(rows)) == [2, 3, 4]
    assert "invalid UTF-8" in bad(rows)[4]


def test_dash_reads_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"text": "from stdin"}\n')))
    with open_input("-") as stream:
        assert good(list(read_rows(stream, fmt="jsonl"))) == [(1, "from stdin")]


def test_a_missing_file_cannot_be_opened(tmp_path):
    with pytest.raises(OSError):
        with open_input(str(tmp_path / "missing.jsonl")):
            pass
