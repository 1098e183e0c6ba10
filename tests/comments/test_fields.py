"""The field parsers every door uses (comments.fields) and their bounds."""
import datetime as dt

import pytest

from comments.fields import (
    MAX_BIGINT, IngestError, OversizedInteger, date_field, datetime_field, identifier_field, integer_field, json_depth,
    parse_json, text_field,
)

UTC = dt.timezone.utc


def refused(call, field: str, words: str = "") -> str:
    with pytest.raises(IngestError) as caught:
        call()
    assert caught.value.field == field and words in caught.value.message
    return caught.value.message


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00Z",
                                   "1969-12-31T23:59:59Z", "2100-01-01T00:00:00.000001Z", "2100-01-01T00:00:00-00:01",
                                   "9999-12-31", "0001-01-01"])
def test_date_times_outside_the_range_are_refused_whatever_the_offset(value):
    refused(lambda: datetime_field(value, "data.created_at"), "data.created_at", "must be between 1970-01-01")


@pytest.mark.parametrize("value", ["2026-02-30T00:00:00", "2026-02-29", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00",
                                   "2026-01-01T00:00:00+24:00", "２０２６-01-01T00:00:00", "2026-01-01T00:00:00" + "0" * 80,
                                   "x" * 1000, "yesterday"])
def test_impossible_or_unreadable_date_times_are_refused(value):
    refused(lambda: datetime_field(value, "when"), "when", "ISO 8601")


@pytest.mark.parametrize("value, expected", [
    ("2026-11-20T08:05:00Z", dt.datetime(2026, 11, 20, 8, 5, tzinfo=UTC)),
    ("2026-11-20T08:05:00", dt.datetime(2026, 11, 20, 8, 5, tzinfo=UTC)),
    ("2026-11-20", dt.datetime(2026, 11, 20, tzinfo=UTC)),
    ("1970-01-01T05:00:00+05:00", dt.datetime(1970, 1, 1, tzinfo=UTC)),
    ("2100-01-01T00:00:00Z", dt.datetime(2100, 1, 1, tzinfo=UTC)),
    ("2099-12-31T19:00:00-05:00", dt.datetime(2100, 1, 1, tzinfo=UTC)),
])
def test_date_times_inside_the_range_are_kept_with_their_instant(value, expected):
    assert datetime_field(value, "when") == expected
    assert datetime_field(None, "when") is None and datetime_field("", "when") is None


def test_the_range_comes_from_the_settings(settings):
    settings.INPUT_DATE_MIN = dt.datetime(2000, 1, 1, tzinfo=UTC)
    settings.INPUT_DATE_MAX = dt.datetime(2030, 1, 1, tzinfo=UTC)
    refused(lambda: datetime_field("1999-12-31T23:59:59Z", "when"), "when", "between 2000-01-01")
    refused(lambda: date_field("2030-01-02", "day"), "day", "between 2000-01-01 and 2030-01-01")
    assert date_field("2030-01-01", "day") == dt.date(2030, 1, 1)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1969-12-31", "2100-01-02"])
def test_plain_dates_outside_the_range_are_refused(value):
    refused(lambda: date_field(value, "from"), "from", "must be between")


@pytest.mark.parametrize("value", ["2026-02-30", "2026-2-1", "20260201", "2026-W01-1", "٢٠٢٦-01-01", "2026-01-01T00:00"])
def test_plain_dates_must_be_real_and_written_yyyy_mm_dd(value):
    refused(lambda: date_field(value, "from"), "from")


def test_plain_dates_in_range_and_dates_already_parsed():
    assert date_field("2026-11-20", "from") == dt.date(2026, 11, 20)
    assert date_field(dt.date(2026, 11, 20), "from") == dt.date(2026, 11, 20)
    assert date_field("", "from") is None


@pytest.mark.parametrize("text", ["²", "٣", "1_000", "+5", "5.0", "0x10", "1e3", " ", "-", "9" * 19, "9" * 5000])
def test_integers_in_text_are_ascii_digits_and_bounded(text):
    # "²".isdigit() and "٣".isdigit() are True: isdigit is not the test.
    refused(lambda: integer_field(text, "limit", allow_text=True), "limit")


def test_integers_in_text_that_are_fine():
    assert integer_field("42", "limit", allow_text=True) == 42
    assert integer_field(" 7 ", "limit", allow_text=True) == 7
    assert integer_field("000000000000000000000042", "limit", allow_text=True) == 42
    assert integer_field("-3", "n", minimum=-5, allow_text=True) == -3
    assert integer_field("", "limit", allow_text=True, required=False) is None
    refused(lambda: integer_field("-3", "n", allow_text=True), "n")
    refused(lambda: integer_field("501", "limit", maximum=500, allow_text=True), "limit", "between 0 and 500")


@pytest.mark.parametrize("value", [True, 1.5, "12", None, 2**63, -1, OversizedInteger(5000)])
def test_json_integers_are_real_ints_within_a_bigint(value):
    refused(lambda: integer_field(value, "post.id"), "post.id")
    assert integer_field(MAX_BIGINT, "post.id") == MAX_BIGINT


@pytest.mark.parametrize("value", ["a\x00b", "a\x01", "a\x1fb", "a\x7f", "a\nb", "a\u0085b", "x" * 256, "", "  ", None,
                                   OversizedInteger(4301), True, 1.5, ["a"]])
def test_ids_are_bounded_text_without_control_characters(value):
    refused(lambda: identifier_field(value, "data.id"), "data.id")


def test_ids_that_are_fine():
    assert identifier_field(" c-1 ", "data.id") == "c-1"
    assert identifier_field(12, "data.id") == "12"
    assert identifier_field("x" * 255, "data.id") == "x" * 255
    assert identifier_field(None, "data.parent_id", required=False) == ""


@pytest.mark.parametrize("value, message", [(None, "is required"), ("", "must not be empty"), ("  \n", "must not be empty")])
def test_required_text_is_present_and_not_only_whitespace_even_unstripped(value, message):
    assert refused(lambda: text_field(value, "data.body", max_chars=10, required=True, strip=False), "data.body") == message


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth(b'"\\"[[[["') == 0
    assert json_depth(b"[" * 50_000 + b"]" * 50_000) == 50_000


def test_parse_json_bounds_depth_before_parsing_and_size():
    refused(lambda: parse_json(b"[" * 50_000 + b"]" * 50_000, max_bytes=10**6), "body", "nested deeper than 64 levels")
    refused(lambda: parse_json(b"[" * 65 + b"]" * 65, max_bytes=10**6), "body", "nested deeper")
    assert parse_json(b"[" * 64 + b"]" * 64, max_bytes=10**6)
    assert parse_json('{"s": "' + "[" * 10_000 + '"}', max_bytes=10**6) == {"s": "[" * 10_000}
    refused(lambda: parse_json(b"[1, 2]", max_bytes=5), "body", "larger than 5 bytes")
    refused(lambda: parse_json(b"\xff", max_bytes=5), "body", "UTF-8")
    refused(lambda: parse_json(b"{nope", max_bytes=50, field="line 3"), "line 3", "invalid JSON")


def test_integers_python_cannot_read_are_kept_for_the_field_to_refuse():
    document = parse_json(b'{"id": ' + b"9" * 4301 + b', "n": -' + b"1" * 4300 + b', "f": 1e999}', max_bytes=10**5)
    assert isinstance(document["id"], OversizedInteger) and document["id"].digits == 4301
    assert document["n"] == -int("1" * 4300)
    refused(lambda: identifier_field(document["id"], "data.id"), "data.id", "4301 digits")
    refused(lambda: text_field(document["id"], "data.body", max_chars=10), "data.body", "4301 digits")
