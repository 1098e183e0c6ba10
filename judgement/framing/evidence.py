"""Find marker hits in a text, weigh them by assertion context, and gate them by role.

A word such as "they", "the government" or "our children" says nothing alone;
it becomes role evidence (the agent, the victim) only next to a plot marker.
That gating is what keeps sharp criticism of a government low while a story
of what "they" secretly arranged scores high.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from .context import SentenceContext, assertion_factor, sentence_assertion, sentence_context
from .resources import Resources
from judgement.text import Segment, quoted_ranges, split_sentences

# A marker counts as asserted when context left at least this share of its weight.
ASSERTED = 0.5
# Asserted plot-marker weight (from other families) that opens a sentence gate,
# and the weight an agent mention needs to open an objective's gate.
SENTENCE_GATE = 0.35
AGENT_FOR_OBJECTIVE = 0.5
# An objective this diagnostic ("depopulation", "social credit") needs no gate.
OBJECTIVE_ALONE = 0.8
# Asserted plot-marker weight in the whole text that opens victim and harm gates.
TEXT_GATE = 0.8
# How far after an agent mention an action may sit to form an agent-action triplet.
TRIPLET_REACH = 100
TRIPLET_ACTIONS = frozenset({"intent", "secrecy", "power", "objective"})


@dataclass
class Hit:
    start: int
    end: int
    family: str
    role: str
    weight: float
    sentence: int
    factor: float = 1.0
    reason: str = ""  # why the weight was discounted: quoted, reported, negated, meta
    counted: bool = True  # False when its role gate stayed closed

    @property
    def effective(self) -> float:
        return self.weight * self.factor if self.counted else 0.0

    @property
    def asserted(self) -> bool:
        return self.factor >= ASSERTED


@dataclass
class Evidence:
    text: str
    sentences: list[Segment]
    contexts: list[SentenceContext]
    hits: list[Hit]
    criticism: list[float]  # per sentence: summed weight of criticism cues
    assertion: list[float]  # per sentence: how far it is the writer's own claim (1 = fully)
    triplets: list[float] = field(default_factory=list)  # per sentence: summed agent-action strength
    _by_sentence: list[list[Hit]] | None = field(default=None, repr=False)


    @property
    def hits_by_sentence(self) -> list[list[Hit]]:
        if self._by_sentence is None:
            self._by_sentence = [[] for _ in self.sentences]
            for hit in self.hits:
                self._by_sentence[hit.sentence].append(hit)
        return self._by_sentence


def _sentence_index(starts: list[int], position: int) -> int:
    return max(0, bisect_right(starts, position) - 1)


def _find_hits(text: str, resources: Resources, starts: list[int]) -> list[Hit]:
    """Marker hits; within a family, overlapping matches keep the heaviest, then the longest."""
    matches = sorted(
        resources.markers.find(text),
        key=lambda m: (m.payload.family, -m.payload.weight, m.start - m.end, m.start),
    )
    hits: list[Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for match in matches:
        marker = match.payload
        spans = taken.setdefault(marker.family, [])
        if any(s < match.end and match.start < e for s, e in spans):
            continue
        spans.append((match.start, match.end))
        sentence = _sentence_index(starts, match.start)
        hits.append(Hit(match.start, match.end, marker.family, marker.role, marker.weight, sentence))
    hits.sort(key=lambda hit: (hit.start, -hit.weight))
    return hits


def _apply_gates(hits: list[Hit], resources: Resources, n_sentences: int) -> None:
    families = resources.families
    open_markers = [
        hit for hit in hits if families[hit.family].plot_marker and families[hit.family].gate is None and hit.asserted
    ]
    per_sentence: list[dict[str, float]] = [{} for _ in range(n_sentences)]
    for hit in open_markers:
        bucket = per_sentence[hit.sentence]
        bucket[hit.family] = bucket.get(hit.family, 0.0) + hit.weight * hit.factor
    text_plot = sum(hit.weight * hit.factor for hit in open_markers)
    strongest_agent = [0.0] * n_sentences
    for hit in hits:
        if hit.family == "agent" and hit.asserted:
            strongest_agent[hit.sentence] = max(strongest_agent[hit.sentence], hit.weight)
    for hit in hits:
        gate = families[hit.family].gate
        if gate == "sentence":
            bucket = per_sentence[hit.sentence]
            others = sum(value for name, value in bucket.items() if name != hit.family)
            hit.counted = others >= SENTENCE_GATE or (
                hit.family == "objective"
                and (hit.weight >= OBJECTIVE_ALONE or strongest_agent[hit.sentence] >= AGENT_FOR_OBJECTIVE)
            )
        elif gate == "text":
            hit.counted = text_plot >= TEXT_GATE


def _triplets(hits: list[Hit], n_sentences: int) -> list[float]:
    """Agent-action strength per sentence: an asserted agent followed closely by a covert action."""
    strength = [0.0] * n_sentences
    for index, hit in enumerate(hits):
        if hit.family != "agent" or not hit.counted or not hit.asserted:
            continue
        best = 0.0
        for later in hits[index + 1 :]:
            if later.start - hit.end > TRIPLET_REACH or later.sentence != hit.sentence:
                break
            if later.family in TRIPLET_ACTIONS and later.start >= hit.end:
                best = max(best, later.effective)
        strength[hit.sentence] += hit.weight * hit.factor * best
    return strength


def collect(text: str, resources: Resources) -> Evidence:
    rules = resources.context
    sentences = split_sentences(text) or [Segment(0, len(text))]
    starts = [segment.start for segment in sentences]
    cues = rules.cues.find(text)
    contexts = [sentence_context(text, segment, rules, cues) for segment in sentences]
    quotes = quoted_ranges(text, rules.quote_min_words)
    hits = _find_hits(text, resources, starts)
    for hit in hits:
        hit.factor, hit.reason = assertion_factor(contexts[hit.sentence], hit.start, quotes, rules)
    _apply_gates(hits, resources, len(sentences))
    criticism = [0.0] * len(sentences)
    for cue in cues:
        if cue.payload.kind == "criticism":
            criticism[_sentence_index(starts, cue.start)] += cue.payload.weight
    assertion = [sentence_assertion(context, quotes, rules) for context in contexts]
    return Evidence(text, sentences, contexts, hits, criticism, assertion, _triplets(hits, len(sentences)))
