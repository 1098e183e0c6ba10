"""Server-rendered SVG charts. Every text that reaches the markup is escaped:
article titles and author names come from the outside world."""
from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .tables import Table

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 12, 28
PALETTE = ("#2563eb", "#dc2626", "#d97706", "#16a34a", "#7c3aed", "#6b7280", "#0891b2", "#db2777")


def _nice_top(value: float, *, integer: bool) -> float:
    """The axis top: four equal steps of 1, 2, 2.5 or 5 times a power of ten (whole steps for counts)."""
    if value <= 0:
        return 4.0 if integer else 1.0
    magnitude = 10 ** math.floor(math.log10(value / 4))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if integer and step < 1:
            continue
        if integer and step != int(step):
            continue
        if step * 4 >= value:
            return step * 4
    return value


def _frame(title: str, body: list[str], legend: list[tuple[str, str]], *, height: int = HEIGHT, width: int = WIDTH,
           css: str = "chart") -> SafeString:
    items = "".join(
        # An SVG swatch: its fill is an attribute, not an inline style (which the CSP forbids).
        f'<span class="legend-item"><svg class="swatch" viewBox="0 0 1 1" aria-hidden="true">'
        f'<polygon points="0,0 1,0 1,1 0,1" fill="{escape(color)}"/></svg>{escape(name)}</span>'
        for name, color in legend
    )
    svg = (
        f'<svg class="{css}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="system-ui, sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )
    return mark_safe(f'<figure class="chart-box">{svg}<figcaption class="legend">{items}</figcaption></figure>')


def _axes(labels: list[str], top: float, suffix: str, width: int = WIDTH) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = []
    for i in range(5):
        value = top * i / 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        text = f"{value:g}{suffix}" if value < 10000 else f"{value / 1000:g}k{suffix}"
        out.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#6b7280">{text}</text>')
    n = len(labels)
    every = max(1, -(-n // 8))
    slot = (width - LEFT - RIGHT) / max(n, 1)
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            out.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="#6b7280">{escape(label)}</text>')
    return out


def line_chart(table: Table, columns: list[int], *, suffix: str = "", title: str | None = None, width: int = WIDTH) -> SafeString:
    """One line per column of the table; x is the first column. Missing values break the line."""
    labels = [str(v) for v in table.column(0)]
    values = [[v for v in table.column(c)] for c in columns]
    top = _nice_top(max([v for series in values for v in series if v is not None] or [0]), integer=not suffix)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (width - LEFT - RIGHT) / max(len(labels), 1)
    body = _axes(labels, top, suffix, width)
    for index, series in enumerate(values):
        color = PALETTE[index % len(PALETTE)]
        points, paths = [], []
        for i, value in enumerate(series):
            if value is None:
                if points:
                    paths.append(points)
                points = []
                continue
            points.append((LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot_h * value / top))
        if points:
            paths.append(points)
        for path in paths:
            if len(path) > 1:
                d = " ".join(f"{x:.1f},{y:.1f}" for x, y in path)
                body.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
            if len(path) <= 40:
                body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>' for x, y in path)
    legend = [(table.columns[c], PALETTE[i % len(PALETTE)]) for i, c in enumerate(columns)]
    return _frame(title or table.title, body, legend, width=width)


def stacked_bars(table: Table, columns: list[int], *, title: str | None = None, colors: tuple[str, ...] = PALETTE) -> SafeString:
    labels = [str(v) for v in table.column(0)]
    totals = [sum((row[c] or 0) for c in columns) for row in table.rows]
    top = _nice_top(max(totals or [0]), integer=True)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = max(1.0, slot * 0.7)
    body = _axes(labels, top, "")
    for i, row in enumerate(table.rows):
        y = HEIGHT - BOTTOM
        x = LEFT + slot * i + (slot - bar) / 2
        for index, c in enumerate(columns):
            value = row[c] or 0
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colors[index % len(colors)]}">'
                f"<title>{escape(labels[i])}: {escape(table.columns[c])} {value}</title></rect>"
            )
    legend = [(table.columns[c], colors[i % len(colors)]) for i, c in enumerate(columns)]
    return _frame(title or table.title, body, legend)


def _heat_color(value: float | None) -> str:
    if value is None:
        return "#d1d5db"
    value = max(0.0, min(1.0, value))
    # green (calm) to red (toxic)
    r = int(34 + (220 - 34) * value)
    g = int(197 + (38 - 197) * value)
    b = int(94 + (38 - 94) * value)
    return f"#{r:02x}{g:02x}{b:02x}"


def thread_tree(nodes: list[dict], *, title: str = "The thread as a tree") -> SafeString:
    """Comments in display order top to bottom, indented by depth, joined to
    their parent, each with its author and toxicity; the dot's colour is the
    toxicity, a ring marks conspiracy framing above the threshold.
    ``nodes``: id, parent_id, depth, toxicity, framed, author, label."""
    row_h, step = 18, 16
    max_depth = min(max((n["depth"] for n in nodes), default=0), 40)
    height = max(30, row_h * len(nodes) + 10)
    width = 12 + step * max_depth + 190
    pos: dict[int, tuple[float, float]] = {}
    body: list[str] = []
    dots: list[str] = []
    for i, node in enumerate(nodes):
        x = 10 + step * min(node["depth"], 40)
        y = 12 + row_h * i
        pos[node["id"]] = (x, y)
        parent = pos.get(node["parent_id"])
        if parent:
            body.append(f'<path d="M{parent[0]:.1f},{parent[1]:.1f} V{y:.1f} H{x:.1f}" fill="none" stroke="#9ca3af"/>')
        ring = ' stroke="#7c3aed" stroke-width="2.5"' if node.get("framed") else ""
        tox = node.get("toxicity")
        caption = f"{node.get('author', '')[:18]} {tox:.2f}" if tox is not None else node.get("author", "")[:18]
        dots.append(
            f'<a href="#c-{node["id"]}"><circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{_heat_color(tox)}"{ring}>'
            f"<title>{escape(node.get('label', ''))}</title></circle>"
            f'<text x="{x + 9:.1f}" y="{y + 4:.1f}" fill="#374151">{escape(caption)}</text></a>'
        )
    legend = [("calm", _heat_color(0.0)), ("toxic", _heat_color(1.0)), ("framing (ring)", "#7c3aed")]
    return _frame(title, body + dots, legend, height=height, width=width, css="chart tree")
