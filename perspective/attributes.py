"""Perspective's attribute names and the labels our scorers report for them."""
from __future__ import annotations

from dataclasses import dataclass

TOXICITY = "toxicity"  # Score.Kind values: which scorer answers
FRAMING = "framing"


@dataclass(frozen=True)
class Attribute:
    name: str  # Perspective's name, e.g. "PROFANITY"
    kind: str  # TOXICITY (Detoxify or its fallback) or FRAMING (our analyzer)
    label: str  # the label that scorer reports, e.g. "obscene"


ATTRIBUTES: dict[str, Attribute] = {
    attribute.name: attribute
    for attribute in (
        Attribute("TOXICITY", TOXICITY, "toxicity"),
        Attribute("SEVERE_TOXICITY", TOXICITY, "severe_toxicity"),
        Attribute("IDENTITY_ATTACK", TOXICITY, "identity_attack"),
        Attribute("INSULT", TOXICITY, "insult"),
        Attribute("PROFANITY", TOXICITY, "obscene"),
        Attribute("THREAT", TOXICITY, "threat"),
        Attribute("SEXUALLY_EXPLICIT", TOXICITY, "sexual_explicit"),
        Attribute("CONSPIRACY_FRAMING", FRAMING, "conspiracy_framing"),
    )
}

# The models behind the attributes are English models.
SUPPORTED_LANGUAGES = ("en",)
