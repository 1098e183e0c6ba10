"""The flag policy: from stored label scores and a site's rules to a flag.

Plain Python, so re-evaluating flags after a threshold change needs only the
stored scores, never the models.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

REVIEW = "review"
HOLD = "hold"

# Sensible defaults; a site's policy overrides any of them per label.
DEFAULT_RULES: dict[str, dict] = {
    "toxicity": {"threshold": 0.80, "action": REVIEW},
    "severe_toxicity": {"threshold": 0.50, "action": HOLD},
    "obscene": {"threshold": 0.85, "action": REVIEW},
    "threat": {"threshold": 0.50, "action": HOLD},
    "insult": {"threshold": 0.80, "action": REVIEW},
    "identity_attack": {"threshold": 0.50, "action": HOLD},
    "sexual_explicit": {"threshold": 0.80, "action": REVIEW},
    "conspiracy_framing": {"threshold": 0.60, "action": REVIEW},
}

# How urgent each label is when it fires: threats and identity attacks first.
SEVERITY: dict[str, float] = {
    "threat": 1.0,
    "severe_toxicity": 0.95,
    "identity_attack": 0.9,
    "banned_word": 0.85,
    "sexual_explicit": 0.7,
    "insult": 0.6,
    "toxicity": 0.55,
    "conspiracy_framing": 0.5,
    "obscene": 0.45,
    "suspect_word": 0.3,
}


@dataclass(frozen=True)
class Reason:
    rule: str  # "label:threat", "banned_word", "suspect_word"
    action: str
    label: str = ""
    score: float = 0.0
    threshold: float = 0.0
    words: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        out = {"rule": self.rule, "action": self.action}
        if self.label:
            out.update(label=self.label, score=round(self.score, 4), threshold=self.threshold)
        if self.words:
            out["words"] = list(self.words)
        return out


@dataclass(frozen=True)
class Verdict:
    reasons: tuple[Reason, ...] = ()
    word_spans: tuple[dict, ...] = field(default=())

    @property
    def action(self) -> str | None:
        """The strongest action of the fired rules: hold beats review; None when nothing fired."""
        actions = {reason.action for reason in self.reasons}
        return HOLD if HOLD in actions else (REVIEW if actions else None)

    @property
    def priority(self) -> int:
        """0-1000; the worst (label severity x score) among fired rules."""
        worst = 0.0
        for reason in self.reasons:
            key = reason.label or reason.rule
            worst = max(worst, SEVERITY.get(key, 0.5) * (reason.score if reason.label else 1.0))
        return round(worst * 1000)


def effective_rules(site_rules: Mapping[str, Mapping] | None) -> dict[str, dict]:
    rules = {label: dict(rule) for label, rule in DEFAULT_RULES.items()}
    for label, rule in (site_rules or {}).items():
        rules[label] = {**rules.get(label, {"threshold": 1.0, "action": REVIEW}), **rule}
    return rules


@lru_cache(maxsize=256)
def _word_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    cleaned = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in cleaned) + r")(?!\w)", re.IGNORECASE)


def find_words(text: str, words: Iterable[str], family: str) -> list[dict]:
    pattern = _word_pattern(tuple(words))
    if pattern is None:
        return []
    return [
        {"start": m.start(), "end": m.end(), "family": family, "text": m.group(0)}
        for m in pattern.finditer(text)
    ]


def evaluate(
    *,
    labels: Mapping[str, float],
    text: str,
    site_rules: Mapping[str, Mapping] | None = None,
    banned_words: Iterable[str] = (),
    suspect_words: Iterable[str] = (),
) -> Verdict:
    """Which rules fire for these label scores and this text."""
    reasons: list[Reason] = []
    for label, rule in effective_rules(site_rules).items():
        if label not in labels or rule.get("action") not in (REVIEW, HOLD):
            continue
        score, threshold = float(labels[label]), float(rule["threshold"])
        if score >= threshold:
            reasons.append(Reason(rule=f"label:{label}", action=rule["action"], label=label, score=score, threshold=threshold))
    banned = find_words(text, banned_words, "banned_word")
    suspect = find_words(text, suspect_words, "suspect_word")
    if banned:
        reasons.append(Reason(rule="banned_word", action=HOLD, words=tuple(sorted({s["text"].lower() for s in banned}))))
    if suspect:
        reasons.append(Reason(rule="suspect_word", action=REVIEW, words=tuple(sorted({s["text"].lower() for s in suspect}))))
    reasons.sort(key=lambda r: -SEVERITY.get(r.label or r.rule, 0.5) * (r.score if r.label else 1.0))
    return Verdict(reasons=tuple(reasons), word_spans=tuple(banned + suspect))
