"""The SVG charts: escaped text, whole-number axes for counts, gaps for missing values."""
from __future__ import annotations

from analytics import charts
from analytics.tables import Table, table_csv


def test_counts_get_whole_number_ticks_and_shares_a_percent_axis():
    counts = Table("t", "Counts", ["day", "n"], [["Mon", 1], ["Tue", 3]])
    svg = str(charts.line_chart(counts, [1]))
    assert ">0<" in svg and ">4<" in svg and "0.75" not in svg and "1.25" not in svg
    shares = Table("s", "Shares", ["day", "p"], [["Mon", 12.5], ["Tue", 40.0]])
    assert ">40%<" in str(charts.line_chart(shares, [1], suffix="%"))


def test_a_missing_value_breaks_the_line():
    table = Table("t", "T", ["day", "p"], [["a", 1.0], ["b", None], ["c", 2.0], ["d", 3.0]])
    svg = str(charts.line_chart(table, [1], suffix="%"))
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 3


def test_stacked_bars_draw_one_rect_per_nonzero_part():
    table = Table("t", "T", ["day", "a", "b"], [["x", 2, 0], ["y", 1, 3]])
    assert str(charts.stacked_bars(table, [1, 2])).count("<rect") == 3


def test_outside_text_is_escaped_in_every_chart():
    hostile = '<script>alert("x")</script>'
    table = Table("t", hostile, [hostile, hostile], [[hostile, 1]])
    for svg in (charts.line_chart(table, [1]), charts.stacked_bars(table, [1]),
                charts.thread_tree([{"id": 1, "parent_id": None, "depth": 0, "toxicity": 0.5, "framed": True,
                                     "author": hostile, "label": hostile}])):
        assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)


def test_the_tree_indents_replies_and_joins_them_to_their_parent():
    nodes = [{"id": 1, "parent_id": None, "depth": 0, "toxicity": 0.1, "framed": False, "author": "a", "label": ""},
             {"id": 2, "parent_id": 1, "depth": 1, "toxicity": 0.9, "framed": True, "author": "b", "label": ""}]
    svg = str(charts.thread_tree(nodes))
    assert svg.count("<path") == 1 and 'href="#c-2"' in svg and 'stroke="#7c3aed"' in svg


def test_csv_has_the_header_and_the_rows():
    assert table_csv(Table("t", "T", ["a", "b"], [[1, None], ["-1", "x"]])) == "a,b\r\n1,\r\n-1,x\r\n"
