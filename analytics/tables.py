"""A chart's numbers: shown as a table under it and downloadable as CSV."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list]

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with one of these as a formula;
    # article titles and author names come from the outside world.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()
