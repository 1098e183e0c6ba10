"""The interface every scorer implements.

A scorer turns a batch of texts into one ``TextScore`` each. It is plain
Python (no Django) so workers, benchmarks and the synchronous API can share it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable


@dataclass(frozen=True)
class Span:
    """A stretch of the text that explains a score (character offsets, end exclusive)."""

    start: int
    end: int
    family: str  # what kind of evidence: "agent", "secrecy", "banned_word", ...
    text: str
    weight: float = 0.0
    role: str = ""  # narrative role where one applies (agent, victim, objective, ...)

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "family": self.family,
            "role": self.role,
            "text": self.text,
            "weight": round(self.weight, 4),
        }


@dataclass
class TextScore:
    """One text's result: a float in [0, 1] per label, plus optional evidence."""

    labels: dict[str, float]
    spans: list[Span] = field(default_factory=list)
    # Sentence-level scores: [{"start": int, "end": int, "score": float}, ...]
    sentences: list[dict] = field(default_factory=list)
    # Anything else worth keeping with the score (family scores, windows used, ...)
    details: dict = field(default_factory=dict)


@runtime_checkable
class Scorer(Protocol):
    name: str  # stored with every score, e.g. "detoxify-original"
    version: str  # changes whenever weights or data change

    @property
    def labels(self) -> Sequence[str]: ...

    def score(self, texts: Sequence[str]) -> list[TextScore]: ...
