"""Find marker hits in a text, weigh them by assertion context, and gate them by role.

A word such as "they", "the government" or "our children" says nothing alone;
it becomes role evidence (the agent, the victim) only next to a plot marker.
That gating is what keeps sharp criticism of a government low while a story
of what "they" secretly arranged scores high.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from .context import SentenceContext, _cue_positions, assertion_factor, sentence_assertion, sentence_context
from .resources import ContextRules, Resources
from judgement.text import Segment, inside, quoted_ranges, split_sentences

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
# Lone stock phrases: a hit corroborates a text's story when it weighs at least this much
# (an agent: at least AGENT_CORROBORATES, so "the government" does not, "the elites" does).
CORROBORATES = 0.5
AGENT_CORROBORATES = 0.7
CORROBORATING = frozenset({"harm", "deception"})  # besides the plot-marker families
# Plot words inside quotation marks, however short, are someone's words, not scare quotes:
# framers sneer at "experts" and "vaccines", not at their own "cover-up".
SHORT_QUOTE_FAMILIES = frozenset({"secrecy", "intent", "trope", "campaigner", "evidence"})
# Span extension: an agent over its noun phrase, a harm or objective to the end of its clause.
PHRASE_ROLES = frozenset({"agent"})
CLAUSE_ROLES = frozenset({"harm", "objective"})
PHRASE_MAX_CHARS = 80
CLAUSE_MAX_WORDS = 12  # words in the whole span, trigger included
CLAUSE_MAX_CHARS = 90
_DETERMINERS = frozenset(
    "the a an these those our their his her its some all many certain such every both same".split()
)
_MODIFIERS = frozenset(
    "global globalist corrupt powerful shadowy unelected foreign international rich wealthy evil western "
    "secret hidden big greedy so-called ruling financial political corporate liberal criminal satanic "
    "few handful".split()
)
_HEADS = frozenset(
    "elite elites cabal bankers banks class families family men crowd set lobby oligarchs billionaires insiders "
    "donors foundation foundations companies corporations giants industry cartel mafia establishment network "
    "networks forces interests agencies agents executives bosses".split()
)
_NOT_NAMES = frozenset({"I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d", "I'll", "I’ll", "It", "They", "We", "You"})
_CLAUSE_STOPS = frozenset(
    "and but or nor so because since while whereas although though yet then which who whom whose when where "
    "unless until if whether as".split()
)
_CLAUSE_PUNCT = set(".,;:!?()[]{}\"“”«»—–…\n")
_TOKEN = re.compile(r"[\w][\w.'’&-]*")
_BACKTICKS = re.compile(r"```.*?```|`[^`\n]+`", re.S)
_QUOTED_TOKEN = re.compile(r"[\"“”'‘’]([^\s\"“”'‘’`]{1,60})[\"“”'‘’]")
_CODE_SIGNS = re.compile(r"[._()\[\]{}=/\\:<>$@#%+*]|\d|[a-z][A-Z]|^[A-Z0-9_]*_[A-Z0-9_]*$")


@dataclass
class Hit:
    start: int
    end: int
    family: str
    role: str
    weight: float
    sentence: int
    factor: float = 1.0
    reason: str = ""  # why the weight was discounted: quoted, reported, negated, meta, technical, protest, lone
    counted: bool = True  # False when its role gate stayed closed
    stock: bool = False  # an everyday idiom ("secretly", "cover-up"): weak when nothing else supports it

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


def code_ranges(text: str, rules: ContextRules) -> list[tuple[int, int]]:
    """Stretches that are code, not prose: backticks, and quoted single tokens that look like code.

    ``"null"``, ``'utf-8'``, ``"os.environ"``, ``"load_config()"``, ``"DEBUG_MODE"`` are values and
    identifiers, not the scare quotes of "the 'experts'".
    """
    ranges = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    for match in _QUOTED_TOKEN.finditer(text):
        token = match.group(1)
        if _CODE_SIGNS.search(token) or token.lower() in rules.code_literals:
            ranges.append((match.start(), match.end()))
    ranges.sort()
    return ranges


def _find_hits(text: str, resources: Resources, starts: list[int]) -> list[Hit]:
    """Marker hits; within a family, overlapping matches keep the heaviest, then the longest.

    Matches that touch code (see ``code_ranges``) are no evidence at all.
    """
    code = code_ranges(text, resources.context)
    matches = sorted(
        (
            m
            for m in resources.markers.find(text)
            if not any(s < m.end and m.start < e for s, e in code)
        ),
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
        stock = resources.stock.matches(text[match.start : match.end])
        hits.append(Hit(match.start, match.end, marker.family, marker.role, marker.weight, sentence, stock=stock))
    hits.sort(key=lambda hit: (hit.start, -hit.weight))
    return _drop_restated(hits)


def _drop_restated(hits: list[Hit]) -> list[Hit]:
    """A harm word inside a heavier hit that already states that harm ("mass sterilisation")
    is not evidence twice."""
    kept = []
    for hit in hits:
        if hit.family == "harm" and any(
            other is not hit
            and other.family != "harm"
            and other.role == "harm"
            and other.weight >= hit.weight
            and other.start <= hit.start
            and hit.end <= other.end
            for other in hits
        ):
            continue
        kept.append(hit)
    return kept


def _corroborates(hit: Hit, resources: Resources) -> bool:
    if not hit.asserted:
        return False
    if hit.family == "agent":
        return hit.weight >= AGENT_CORROBORATES
    family = resources.families[hit.family]
    return hit.weight >= CORROBORATES and (family.plot_marker or hit.family in CORROBORATING)


def _discount_lone_stock(hits: list[Hit], resources: Resources) -> bool:
    """A text whose only real evidence is stock phrases gets them at a fraction of their weight.

    "Secretly", "cover-up", "under the guise of" or "they don't want us to know" are everyday
    idioms; one of them in a news report, a quotation or a protest notice tells no plot. Any
    other asserted marker of weight (a specific agent, a harm, a non-stock plot marker) lifts it.
    Returns whether the text is such a text: then the idiom opens no role gate either, so
    "they" or "us" beside it do not become an agent or a victim.
    """
    factor = resources.stock.lone_factor
    if factor >= 1.0:
        return False
    strong = [hit for hit in hits if _corroborates(hit, resources)]
    if not strong or not all(hit.stock for hit in strong):
        return False
    for hit in hits:
        if hit.asserted and resources.families[hit.family].plot_marker:
            hit.factor *= factor
            hit.reason = hit.reason or "lone"
    return True


def _apply_gates(hits: list[Hit], resources: Resources, n_sentences: int, closed: bool = False) -> None:
    """Open role gates; ``closed`` keeps every gated hit uncounted (a lone stock phrase's text)."""
    families = resources.families
    if closed:
        for hit in hits:
            if families[hit.family].gate is not None:
                hit.counted = False
        return
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


def _text_contexts(text: str, contexts: list[SentenceContext], cues: list, rules: ContextRules) -> list[SentenceContext]:
    """Contexts that cover the whole text: a protest notice, a technical discussion."""
    whole = Segment(0, len(text))
    protest = bool(_cue_positions(cues, "protest", whole))
    technical = len(_cue_positions(cues, "technical", whole)) >= rules.technical_text_min
    if not (protest or technical):
        return contexts
    return [
        replace(context, protest=context.protest or protest, technical=context.technical or technical)
        for context in contexts
    ]


def _extend_phrase(text: str, hit: Hit, segment: Segment, agents: list[Hit]) -> None:
    """An agent mention over its noun phrase: determiners and modifiers before it, names and
    "and X" conjuncts after it ("the WHO and Bill Gates")."""
    start, end = hit.start, hit.end
    for _ in range(4):  # backwards: "the", "corrupt", "Davos" ...
        before = re.search(r"([\w][\w'’-]*) $", text[segment.start : start])
        if not before:
            break
        word = before.group(1)
        first = before.start(1) == 0
        if word.lower() in _DETERMINERS or word.lower() in _MODIFIERS or (
            word[0].isupper() and not first and word not in _NOT_NAMES
        ):
            start = segment.start + before.start(1)
        else:
            break
    starts = {other.start: other.end for other in agents if other is not hit}
    for _ in range(6):  # forwards: names, then conjuncts
        rest = text[end : segment.end]
        name = re.match(r" ([A-Z][\w.'’-]*|[a-z]+)(?![\w'’-])", rest)
        if name and (
            name.group(1) in _HEADS or (name.group(1)[0].isupper() and name.group(1) not in _NOT_NAMES)
        ):
            end += name.end()
            continue
        conjunct = re.match(r"(?:,? (?:and|&|or)|,) ((?:the |their )?)", rest)
        if conjunct:
            at = end + conjunct.start(1)
            if at in starts or end + conjunct.end() in starts:
                end = starts.get(at, starts.get(end + conjunct.end(), end))
                continue
            named = re.match(r"(?:the |their )?([A-Z][\w.'’-]*)((?: [A-Z][\w.'’-]*){0,3})", text[at : segment.end])
            if named and named.group(1) not in _NOT_NAMES and conjunct.group(0).strip(", ") in ("and", "&", "or"):
                end = at + named.end()
                continue
        break
    if end - start <= PHRASE_MAX_CHARS:
        hit.start, hit.end = start, end


def _extend_clause(text: str, hit: Hit, segment: Segment) -> None:
    """A harm or objective to the end of its clause, up to punctuation or a conjunction, capped."""
    end, words = hit.end, len(text[hit.start : hit.end].split())
    position = hit.end
    limit = min(segment.end, hit.end + CLAUSE_MAX_CHARS)
    while position < limit and words < CLAUSE_MAX_WORDS:
        char = text[position]
        if char in _CLAUSE_PUNCT or text.startswith(" - ", position):
            break
        if char.isspace():
            position += 1
            continue
        token = _TOKEN.match(text, position)
        if not token:
            break
        word = token.group().rstrip(".'’")
        if word.lower() in _CLAUSE_STOPS or position + len(word) > limit:
            break
        position += len(word)
        end, words = position, words + 1
        if len(word) < len(token.group()):
            break  # "U.S." ends here only if its full stop ends the clause; keep it simple
    hit.end = end


def _extend_spans(text: str, hits: list[Hit], sentences: list[Segment]) -> None:
    """Spans cover the phrase that plays the role, not only the trigger word (after all scoring)."""
    shown = [hit for hit in hits if hit.asserted and hit.effective > 0]
    agents = [hit for hit in shown if hit.role in PHRASE_ROLES]
    for hit in sorted(agents, key=lambda h: -h.start):  # right to left: a conjunct is extended first
        _extend_phrase(text, hit, sentences[hit.sentence], agents)
    for hit in shown:
        if hit.role in CLAUSE_ROLES and not (hit.family == "trope" and hit.role == "objective"):
            _extend_clause(text, hit, sentences[hit.sentence])


def collect(text: str, resources: Resources) -> Evidence:
    rules = resources.context
    sentences = split_sentences(text) or [Segment(0, len(text))]
    starts = [segment.start for segment in sentences]
    cues = rules.cues.find(text)
    contexts = [sentence_context(text, segment, rules, cues) for segment in sentences]
    contexts = _text_contexts(text, contexts, cues, rules)
    quotes = quoted_ranges(text, rules.quote_min_words)
    short_quotes = quoted_ranges(text, 1)
    hits = _find_hits(text, resources, starts)
    for hit in hits:
        hit.factor, hit.reason = assertion_factor(contexts[hit.sentence], hit.start, quotes, rules)
        if (
            hit.family in SHORT_QUOTE_FAMILIES
            and inside(short_quotes, hit.start)
            and hit.factor > rules.discount["quoted"]
        ):
            hit.factor, hit.reason = rules.discount["quoted"], "quoted"
    lone = _discount_lone_stock(hits, resources)
    _apply_gates(hits, resources, len(sentences), closed=lone)
    criticism = [0.0] * len(sentences)
    for cue in cues:
        if cue.payload.kind == "criticism":
            criticism[_sentence_index(starts, cue.start)] += cue.payload.weight
    assertion = [sentence_assertion(context, quotes, rules) for context in contexts]
    triplets = _triplets(hits, len(sentences))
    _extend_spans(text, hits, sentences)
    return Evidence(text, sentences, contexts, hits, criticism, assertion, triplets)
