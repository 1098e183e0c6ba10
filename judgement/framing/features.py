"""Turn evidence into a small, named feature vector for a whole text or one sentence.

Every feature is in [0, 1] and has a meaning a moderator can read in the
details ("secrecy", "roles", "mentioned"), because the fitted weights are
applied to exactly these names.
"""
from __future__ import annotations

import math
from typing import Sequence

from .evidence import Evidence, Hit

MARKER_FAMILIES = (
    "secrecy", "intent", "trope", "agent", "facilitator", "objective",
    "harm", "victim", "campaigner", "evidence", "deception", "power",
)
NARRATIVE_ROLES = ("agent", "facilitator", "victim", "objective", "harm", "campaigner", "evidence")
PLOT_FAMILIES = frozenset({"secrecy", "intent", "trope", "facilitator", "objective", "campaigner", "evidence", "power"})
# Summed weight a role needs before it counts as present in the narrative.
ROLE_PRESENT = 0.3
# Effective weight above which a single marker starts to count on its own.
STRONG_ALONE = 0.5

# Families pooled into the model's features: a family seen in a handful of
# tune texts (tropes, say) would otherwise get an unreliable weight of its own.
POOLS = {
    "plot": ("secrecy", "intent", "trope", "power"),
    "agent": ("agent",),
    "facilitator": ("facilitator",),
    "objective": ("objective",),
    "victim_harm": ("victim", "harm"),
    "epistemic": ("campaigner", "evidence"),
    "deception": ("deception",),
}
LEXICAL_FEATURES = (
    *POOLS, "agency", "roles", "density", "strongest", "mentioned", "meta", "criticism",
)


def saturate(value: float) -> float:
    """Diminishing returns: the third "plot" adds less than the first."""
    return 1.0 - math.exp(-max(0.0, value))


def _role_of(hit: Hit) -> str:
    return hit.role if hit.role in NARRATIVE_ROLES else ""


def family_scores(evidence: Evidence) -> dict[str, float]:
    """Saturated weight of asserted, counted evidence per marker family, for the details."""
    sums = dict.fromkeys(MARKER_FAMILIES, 0.0)
    for hit in evidence.hits:
        sums[hit.family] += hit.effective
    return {name: saturate(value) for name, value in sums.items()}


def lexical_features(evidence: Evidence, sentence_ids: Sequence[int]) -> dict[str, float]:
    """The model's lexical features over the chosen sentences (all of them, or one)."""
    chosen = set(sentence_ids)
    if len(sentence_ids) == 1:
        hits = evidence.hits_by_sentence[sentence_ids[0]]
    else:
        hits = [hit for hit in evidence.hits if hit.sentence in chosen]
    sums = dict.fromkeys(MARKER_FAMILIES, 0.0)
    roles: dict[str, float] = {}
    mentioned = 0.0
    strongest = 0.0
    for hit in hits:
        sums[hit.family] += hit.effective
        role = _role_of(hit)
        if role and hit.asserted:
            roles[role] = roles.get(role, 0.0) + hit.effective
        if hit.family in PLOT_FAMILIES:
            strongest = max(strongest, hit.effective)
            if not hit.asserted:
                mentioned += hit.weight * (1.0 - hit.factor)
    n_roles = sum(1 for value in roles.values() if value >= ROLE_PRESENT)
    plot_weight = sum(sums[name] for name in PLOT_FAMILIES)
    features = {pool: saturate(sum(sums[name] for name in members)) for pool, members in POOLS.items()}
    # Only a strong marker ("false flag", "the Kalergi plan") says much alone; "agenda" does not.
    features["strongest"] = max(0.0, strongest - STRONG_ALONE) / (1.0 - STRONG_ALONE)
    features["agency"] = saturate(sum(evidence.triplets[i] for i in chosen))
    features["roles"] = saturate(0.5 * max(0, n_roles - 1))
    # Density counts what comes on top of the strongest single marker: one word is not a narrative.
    features["density"] = saturate((plot_weight - strongest) / max(1, len(chosen)))
    features["mentioned"] = saturate(mentioned)
    features["meta"] = saturate(sum(1.0 for i in chosen if evidence.contexts[i].meta))
    features["criticism"] = saturate(sum(evidence.criticism[i] for i in chosen))
    return features


def present_roles(evidence: Evidence) -> list[str]:
    roles: dict[str, float] = {}
    for hit in evidence.hits:
        role = _role_of(hit)
        if role and hit.asserted:
            roles[role] = roles.get(role, 0.0) + hit.effective
    return [role for role in NARRATIVE_ROLES if roles.get(role, 0.0) >= ROLE_PRESENT]
