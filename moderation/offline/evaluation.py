"""How well the workers' scorers separate a labelled file: figures per label at the policy's threshold.

The figures are ``judgement.evaluation.figures`` (the model card's own), the
thresholds are the ones ``moderation.policy`` would flag at for the site.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from judgement.evaluation import Figures, figures
from judgement.io import Row

from .. import policy
from .scoring import BATCH_SIZE, OfflineSetup, scored_rows

# Raw label values (case-insensitive, after str()) and what they mean.
DEFAULT_LABEL_MAP: dict[str, int] = {"1": 1, "0": 0, "true": 1, "false": 0, "yes": 1, "no": 0}
FALLBACK_THRESHOLD = 0.5


def parse_label_map(spec: str) -> dict[str, int]:
    """``"toxic=1,clean=0"`` to ``{"toxic": 1, "clean": 0}``; raises ValueError naming the bad part."""
    mapping: dict[str, int] = {}
    for part in spec.split(","):
        raw, sep, value = part.rpartition("=")
        raw = raw.strip().lower()
        if not sep or not raw or value.strip() not in ("0", "1"):
            raise ValueError(f"bad label map entry {part.strip()!r}; expected RAW=0 or RAW=1")
        mapping[raw] = int(value)
    return mapping


def label_value(raw: object, *, mapping: Mapping[str, int]) -> int | None:
    """0 or 1 for a raw label from JSON or CSV, None when the map does not know it."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        key = "true" if raw else "false"
    elif isinstance(raw, float) and raw.is_integer():
        key = str(int(raw))  # 1.0 from a JSON writer means 1
    else:
        key = str(raw).strip().lower()
    return mapping.get(key)


@dataclass
class LabelledRows:
    """Rows with a known label pass (truth kept by line); bad rows pass as they are, to be
    reported; rows whose label is not in the map are counted and dropped before scoring."""

    rows: Iterable[Row]
    label_field: str
    mapping: Mapping[str, int]
    truth: dict[int, int] = field(default_factory=dict)
    skipped: int = 0
    unknown_values: dict[str, int] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            if row.error is None:
                raw = row.row.get(self.label_field)
                value = label_value(raw, mapping=self.mapping)
                if value is None:
                    self.skipped += 1
                    shown = "(missing)" if raw is None else repr(raw)[:40]
                    self.unknown_values[shown] = self.unknown_values.get(shown, 0) + 1
                    continue
                self.truth[row.line] = value
            yield row


@dataclass(frozen=True)
class LabelReport:
    label: str
    kind: str  # which scorer: "toxicity" or "framing"
    scorer: str
    version: str
    threshold_from_policy: bool  # False: the policy has no threshold for it, FALLBACK_THRESHOLD used
    action: str  # what the policy does at the threshold ("review", "hold", "off"; "" when no rule)
    figures: Figures

    def as_dict(self) -> dict:
        return {
            "label": self.label, "kind": self.kind, "scorer": self.scorer, "version": self.version,
            "threshold_from_policy": self.threshold_from_policy, "action": self.action, **self.figures.as_dict(),
        }


def label_owners(*, setup: OfflineSetup) -> dict[str, str]:
    """Each label the scorers give, with the kind of scorer that gives it, in scorer order."""
    owners: dict[str, str] = {}
    for kind, scorer in setup.by_kind().items():
        for label in scorer.labels:
            owners.setdefault(label, kind)
    return owners


def label_reports(
    *, setup: OfflineSetup, truth: Sequence[int], scores: Mapping[str, Sequence[float]], labels: Sequence[str]
) -> list[LabelReport]:
    """Figures for each label in ``labels`` (scores[label][i] belongs to truth[i])."""
    rules = policy.effective_rules(setup.site_policy.rules)
    owners, scorers = label_owners(setup=setup), setup.by_kind()
    reports = []
    for label in labels:
        rule = rules.get(label, {})
        from_policy = "threshold" in rule
        threshold = float(rule["threshold"]) if from_policy else FALLBACK_THRESHOLD
        scorer = scorers[owners[label]]
        reports.append(LabelReport(
            label=label, kind=owners[label], scorer=scorer.name, version=scorer.version,
            threshold_from_policy=from_policy, action=str(rule.get("action", "")),
            figures=figures(truth, scores[label], threshold=threshold),
        ))
    return reports


@dataclass(frozen=True)
class Evaluation:
    reports: list[LabelReport]  # empty when no row had a text and a known label
    evaluated: int
    skipped: int  # rows whose label is not in the map
    unknown_values: dict[str, int]  # those labels, as written, with how often


def evaluate_rows(
    *,
    setup: OfflineSetup,
    rows: Iterable[Row],
    text_field: str,
    label_field: str,
    mapping: Mapping[str, int],
    labels: Sequence[str],
    on_bad: Callable[[Row], None],
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Evaluation:
    """Score the rows with a known label in batches and measure each of ``labels`` on them."""
    labelled = LabelledRows(rows=rows, label_field=label_field, mapping=mapping)
    truth: list[int] = []
    scores: dict[str, list[float]] = {label: [] for label in labels}
    for row, result in scored_rows(
        setup=setup, rows=labelled, text_field=text_field, on_bad=on_bad, on_progress=on_progress,
        batch_size=batch_size,
    ):
        truth.append(labelled.truth[row.line])
        got = result.labels()
        for label in labels:
            scores[label].append(got[label])
    reports = label_reports(setup=setup, truth=truth, scores=scores, labels=labels) if truth else []
    return Evaluation(
        reports=reports, evaluated=len(truth), skipped=labelled.skipped, unknown_values=labelled.unknown_values
    )
