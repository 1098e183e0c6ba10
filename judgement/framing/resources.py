"""Load the data files once, compile their patterns, and fingerprint them.

Everything the analyzer knows (lexicons, context cues, role descriptions,
fitted weights) lives in ``data/``; code only interprets it. The fingerprint
goes into the scorer's version so a stored score can always be traced back to
the exact data, site terms included, that produced it.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from .matcher import PhraseIndex

DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILES = ("lexicon.json", "context.json", "roles.json", "weights.json")
# Weight given to a site's extra phrase when it names none: site terms are
# added because they are diagnostic on that site.
DEFAULT_EXTRA_WEIGHT = 0.9

ExtraTerm = Union[str, Sequence[Any]]  # "phrase" or ["phrase", weight]
ExtraTerms = Mapping[str, Sequence[ExtraTerm]]


@dataclass(frozen=True)
class Marker:
    """What a lexicon pattern stands for: its family, how much one hit weighs, its narrative role."""

    family: str
    weight: float
    role: str


@dataclass(frozen=True)
class Family:
    name: str
    role: str
    gate: str | None  # None, "sentence" or "text": see lexicon.json "about"
    plot_marker: bool


@dataclass(frozen=True)
class Cue:
    """A context cue: kind is negation, reported, meta or criticism, or one of their exceptions."""

    kind: str
    weight: float = 0.0


CUE_LISTS = (
    "negation", "negation_exceptions", "reported", "reported_exceptions", "meta", "meta_exceptions",
    "protest", "protest_exceptions", "technical", "technical_exceptions",
)


@dataclass(frozen=True)
class ContextRules:
    quote_min_words: int
    discount: Mapping[str, float]
    clause_reset: re.Pattern[str]
    cues: PhraseIndex[Cue]
    technical_text_min: int  # technical cues that make the whole text technical
    code_literals: frozenset[str]  # quoted words that are code, not scare quotes


@dataclass(frozen=True)
class StockPhrases:
    """Everyday idioms that also serve conspiracy narratives; weak when a text has nothing else."""

    pattern: re.Pattern[str] | None
    lone_factor: float

    def matches(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.fullmatch(" ".join(text.split())))


@dataclass(frozen=True)
class Resources:
    families: Mapping[str, Family]
    markers: PhraseIndex[Marker]
    context: ContextRules
    roles: Mapping[str, Sequence[str]]
    contrast: Mapping[str, Sequence[str]]
    role_threshold: float  # semantic similarity at which a role counts as present
    span_margin: float  # semantic margin at which a sentence becomes an evidence span
    weights: Mapping[str, Any]
    fingerprint: str  # short hash of the data files plus the extra terms
    stock: StockPhrases = StockPhrases(None, 1.0)


def _phrase_regex(phrase: str) -> str:
    words = phrase.strip().split()
    if not words:
        raise ValueError("an extra term must not be empty")
    return r"\s+".join(re.escape(word) for word in words)


def _normalise_extra(extra_terms: ExtraTerms | None, known: set[str]) -> list[tuple[str, str, float]]:
    """(family, phrase, weight) triples in a canonical order, validated."""
    out: list[tuple[str, str, float]] = []
    for family, terms in (extra_terms or {}).items():
        if family not in known:
            raise ValueError(f"unknown family {family!r} for extra terms; known: {sorted(known)}")
        for term in terms:
            if isinstance(term, str):
                phrase, weight = term, DEFAULT_EXTRA_WEIGHT
            else:
                phrase, weight = str(term[0]), float(term[1])
            if not 0.0 < weight <= 1.0:
                raise ValueError(f"weight of extra term {phrase!r} must be in (0, 1]")
            out.append((family, " ".join(phrase.lower().split()), weight))
    return sorted(set(out))


def _compile_lexicon(
    lexicon: Mapping[str, Any], extra: list[tuple[str, str, float]]
) -> tuple[dict[str, Family], PhraseIndex[Marker]]:
    families: dict[str, Family] = {}
    patterns: list[tuple[str, Marker]] = []
    for name, spec in lexicon["families"].items():
        families[name] = Family(name, spec["role"], spec["gate"], bool(spec["plot_marker"]))
        for entry in spec["entries"]:
            role = entry[2] if len(entry) > 2 else spec["role"]
            patterns.append((entry[0], Marker(name, float(entry[1]), role)))
        patterns += [
            (_phrase_regex(phrase), Marker(name, weight, spec["role"]))
            for family, phrase, weight in extra
            if family == name
        ]
    return families, PhraseIndex(patterns, group=lambda m: m.family, rank=lambda m: m.weight)


def _compile_context(spec: Mapping[str, Any]) -> ContextRules:
    cues = [(pattern, Cue(kind)) for kind in CUE_LISTS for pattern in spec.get(kind, [])]
    cues += [(pattern, Cue("criticism", float(weight))) for pattern, weight in spec["criticism"]]
    return ContextRules(
        quote_min_words=int(spec["quote_min_words"]),
        discount={key: float(value) for key, value in spec["discount"].items()},
        clause_reset=re.compile(spec["clause_reset"], re.IGNORECASE),
        cues=PhraseIndex(cues, group=lambda cue: cue.kind, rank=lambda cue: cue.weight),
        technical_text_min=int(spec.get("technical_text_min", 0)) or 10**9,
        code_literals=frozenset(word.lower() for word in spec.get("code_literals", [])),
    )


def _compile_stock(spec: Mapping[str, Any] | None) -> StockPhrases:
    if not spec or not spec.get("patterns"):
        return StockPhrases(None, 1.0)
    body = "|".join(f"(?:{pattern})" for pattern in spec["patterns"])
    return StockPhrases(re.compile(body, re.IGNORECASE), float(spec.get("lone_factor", 1.0)))


@lru_cache(maxsize=1)
def _raw_data() -> tuple[bytes, ...]:
    return tuple((DATA_DIR / name).read_bytes() for name in DATA_FILES)


def _fingerprint(raw: tuple[bytes, ...], extra: list[tuple[str, str, float]]) -> str:
    digest = hashlib.sha256()
    for name, blob in zip(DATA_FILES, raw):
        digest.update(name.encode() + b"\0" + hashlib.sha256(blob).digest())
    if extra:
        digest.update(b"extra\0" + json.dumps(extra, sort_keys=True).encode())
    return digest.hexdigest()[:10]


@lru_cache(maxsize=32)
def _load(extra_key: str) -> Resources:
    raw = _raw_data()
    lexicon, context, roles, weights = (json.loads(blob) for blob in raw)
    extra = [tuple(item) for item in json.loads(extra_key)]
    families, markers = _compile_lexicon(lexicon, extra)  # type: ignore[arg-type]
    return Resources(
        families=families,
        markers=markers,
        context=_compile_context(context),
        roles=roles["roles"],
        contrast=roles["contrast"],
        role_threshold=float(roles["role_threshold"]),
        span_margin=float(roles["span_margin"]),
        weights=weights,
        fingerprint=_fingerprint(raw, extra),  # type: ignore[arg-type]
        stock=_compile_stock(lexicon.get("stock")),
    )


def family_names() -> list[str]:
    return list(json.loads(_raw_data()[0])["families"])


def load_resources(extra_terms: ExtraTerms | None = None) -> Resources:
    """Compiled data (cached per distinct set of extra terms, so per-site analyzers share it)."""
    extra = _normalise_extra(extra_terms, set(family_names()))
    return _load(json.dumps(extra))


def reload_data() -> None:
    """Forget cached data; for the tuning script, which rewrites weights.json."""
    _raw_data.cache_clear()
    _load.cache_clear()
