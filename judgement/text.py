"""Sentence boundaries and quoted stretches, as character offsets into the original text.

Offsets must survive untouched because the API serves sentence scores and
evidence spans against the text the platform sent us.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# A sentence ends at terminal punctuation (plus closing quotes/brackets) that is
# followed by whitespace, or directly by a capital when a closing quote sits in
# between (scraped text often loses the space: 'Sputnik.”It is possible').
_BOUNDARY = re.compile(r"[.!?…]+(?P<close>[\"'”’)\]]*)(?P<gap>\s*)")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d{1,3}[.)])\s)")
# Words before a full stop that do not end a sentence ("U.S. hopes", "S. Korea", "Dr. Smith").
_ABBREVIATION = re.compile(
    r"(?:\b[A-Za-z]|\b(?:Mr|Mrs|Ms|Dr|St|Prof|Gen|Sen|Rep|Gov|vs|etc|e\.g|i\.e|No|Jr|Sr|Inc|Ltd|Co))$"
)

_DOUBLE_QUOTES = "\"“”„«»"
_OPENING_SINGLE = re.compile(r"(?<!\w)[‘'](?=\S)")
_CLOSING_SINGLE = re.compile(r"(?<=\S)[’'](?!\w)")


@dataclass(frozen=True)
class Segment:
    start: int
    end: int


def split_sentences(text: str) -> list[Segment]:
    """Sentences with offsets (end exclusive), stripped of surrounding whitespace."""
    segments: list[Segment] = []
    for block_start, block_end in _blocks(text):
        start = block_start
        for match in _BOUNDARY.finditer(text, block_start, block_end):
            stop = match.end() - len(match["gap"])
            nxt = match.end()
            if nxt >= block_end:
                continue
            following = text[nxt]
            has_gap = bool(match["gap"])
            if not (has_gap or match["close"]):
                continue
            if not (following.isupper() or following.isdigit() or following in _DOUBLE_QUOTES + "‘'(["):
                continue
            if match.group().startswith(".") and _ABBREVIATION.search(text, start, match.start()):
                continue
            _append(segments, text, start, stop)
            start = nxt
        _append(segments, text, start, block_end)
    return segments


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs and single lines: a line break ends a sentence in comments."""
    blocks: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"\n", text):
        blocks.append((start, match.start()))
        start = match.end()
    blocks.append((start, len(text)))
    return blocks


def _append(segments: list[Segment], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        segments.append(Segment(start, end))


def quoted_ranges(text: str, min_words: int) -> list[tuple[int, int]]:
    """Stretches inside quotation marks that hold at least ``min_words`` words.

    Shorter quoted bits are scare quotes ("the 'experts'"), which framers use
    to sneer, so they are not treated as someone else's words. Quotes pair up
    within a paragraph; an unpaired mark is ignored rather than swallowing the rest.
    """
    ranges: list[tuple[int, int]] = []
    for para_start, para_end in _paragraph_spans(text):
        opening: int | None = None
        for index in range(para_start, para_end):
            if text[index] in _DOUBLE_QUOTES:
                if opening is None:
                    opening = index
                else:
                    _add_quote(ranges, text, opening + 1, index, min_words)
                    opening = None
        for match in _OPENING_SINGLE.finditer(text, para_start, para_end):
            close = _CLOSING_SINGLE.search(text, match.end(), para_end)
            if close:
                _add_quote(ranges, text, match.end(), close.start(), min_words)
    ranges.sort()
    return ranges


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _PARAGRAPH.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _add_quote(ranges: list[tuple[int, int]], text: str, start: int, end: int, min_words: int) -> None:
    if len(text[start:end].split()) >= min_words:
        ranges.append((start, end))


def inside(ranges: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` falls in one of the sorted ``ranges``."""
    index = bisect_right(ranges, (position, float("inf"))) - 1
    return index >= 0 and ranges[index][0] <= position < ranges[index][1]
