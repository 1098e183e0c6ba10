"""Which of the policy's labels the running scorers can produce: the settings
page shows those and explains the others (a rule on them could never fire)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .. import loaded_scorers
from ..models import ActiveScorer, Score


@dataclass(frozen=True)
class PolicyLabels:
    backend: str
    shown: list[str]
    not_produced: dict[str, str] = field(default_factory=dict)  # label -> why

    def not_produced_rows(self) -> list[tuple[str, str]]:
        """(the label as the page writes it, why), for the page's note."""
        return [(label.replace("_", " "), why) for label, why in self.not_produced.items()]


def policy_labels(*, labels: Iterable[str]) -> PolicyLabels:
    labels = list(labels)
    running = ActiveScorer.objects.filter(kind=Score.Kind.TOXICITY).values_list("scorer", flat=True).first()
    served = loaded_scorers.labels_configured(running_toxicity=running)
    if served.labels is None:  # a local checkpoint: its labels are known only once loaded
        return PolicyLabels(served.backend, labels)
    return PolicyLabels(
        served.backend,
        [label for label in labels if label in served.labels],
        {label: served.why_not.get(label, f"the {served.backend} scorer has no such output")
         for label in labels if label not in served.labels},
    )
