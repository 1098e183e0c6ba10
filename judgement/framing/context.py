"""Is the writer asserting a marker, or only mentioning it?

Moderators must not flag "officials denied the plot", "there is no evidence of
a cover-up", a news report about a conspiracy theory, or someone else's words
in quotation marks. Each marker gets a multiplier below 1 when it sits in such
a context; the data file says how much.
"""
from __future__ import annotations

from dataclasses import dataclass

from .matcher import Match
from .resources import ContextRules, Cue
from judgement.text import Segment, inside


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    negated: bool
    reported: bool


@dataclass(frozen=True)
class SentenceContext:
    segment: Segment
    clauses: tuple[Clause, ...]
    meta: bool  # the sentence talks about a conspiracy theory rather than telling one
    technical: bool = False  # software, systems or hardware talk: "set up", "orchestrate" are technique there
    protest: bool = False  # the text announces a protest, which names its cause rather than telling a plot


def _cue_positions(cues: list[Match[Cue]], kind: str, segment: Segment) -> list[int]:
    """Starts of ``kind`` cues inside the sentence that overlap none of that kind's exceptions."""
    inside_ = [c for c in cues if segment.start <= c.start < segment.end]
    excepted = [(c.start, c.end) for c in inside_ if c.payload.kind == f"{kind}_exceptions"]
    return [
        c.start
        for c in inside_
        if c.payload.kind == kind and not any(s < c.end and c.start < e for s, e in excepted)
    ]


def sentence_context(text: str, segment: Segment, rules: ContextRules, cues: list[Match[Cue]]) -> SentenceContext:
    """``cues`` are the context cues found in the whole text (``rules.cues.find(text)``)."""
    bounds = [segment.start]
    bounds += [m.start() for m in rules.clause_reset.finditer(text, segment.start, segment.end)]
    bounds.append(segment.end)
    negations = _cue_positions(cues, "negation", segment)
    reports = _cue_positions(cues, "reported", segment)
    clauses = []
    for start, end in zip(bounds, bounds[1:]):
        if end <= start:
            continue
        clauses.append(
            Clause(
                start,
                end,
                negated=any(start <= p < end for p in negations),
                reported=any(start <= p < end for p in reports),
            )
        )
    meta = bool(_cue_positions(cues, "meta", segment))
    technical = bool(_cue_positions(cues, "technical", segment))
    return SentenceContext(segment, tuple(clauses), meta, technical)


def assertion_factor(
    context: SentenceContext, position: int, quotes: list[tuple[int, int]], rules: ContextRules
) -> tuple[float, str]:
    """Multiplier for a marker at ``position`` and the reason for it ("" when asserted)."""
    factor, reason = 1.0, ""
    candidates: list[str] = []
    if inside(quotes, position):
        candidates.append("quoted")
    if context.meta:
        candidates.append("meta")
    if context.technical:
        candidates.append("technical")
    if context.protest:
        candidates.append("protest")
    for clause in context.clauses:
        if clause.start <= position < clause.end:
            if clause.negated:
                candidates.append("negated")
            if clause.reported:
                candidates.append("reported")
            break
    for name in candidates:
        value = rules.discount[name]
        if value < factor:
            factor, reason = value, name
    return factor, reason


def sentence_assertion(context: SentenceContext, quotes: list[tuple[int, int]], rules: ContextRules) -> float:
    """How far the sentence as a whole is the writer's own claim (for sentence-level evidence).

    The semantic layer sees a whole sentence, so it gets the strongest discount
    any part of the sentence earned; a sentence mostly in quotation marks counts as quoted.
    """
    factor = 1.0
    segment = context.segment
    quoted = sum(max(0, min(end, segment.end) - max(start, segment.start)) for start, end in quotes)
    if quoted * 2 > segment.end - segment.start:
        factor = min(factor, rules.discount["quoted"])
    if context.meta:
        factor = min(factor, rules.discount["meta"])
    if context.technical:
        factor = min(factor, rules.discount["technical"])
    if context.protest:
        factor = min(factor, rules.discount["protest"])
    for clause in context.clauses:
        if clause.negated:
            factor = min(factor, rules.discount["negated"])
        if clause.reported:
            factor = min(factor, rules.discount["reported"])
    return factor
