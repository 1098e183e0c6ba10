"""Semantic features of a text or sentence, from per-sentence similarities.

Kept apart from the embedding code so the features can be computed (and
tested) from any similarity matrix.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .features import saturate
from .semantic import Similarities

SEMANTIC_FEATURES = ("sem_margin", "sem_plot", "sem_roles", "sem_contrast")


def semantic_features(
    sims: Similarities, rows: Sequence[int], assertion: Sequence[float], role_threshold: float
) -> dict[str, float]:
    """``rows`` index the text's sentences in ``sims``; ``assertion`` is each row's assertion factor.

    The margin over the contrast descriptions is scaled by assertion, so a
    sentence that denies or reports a plot does not count as telling one.
    """
    if not rows:
        return dict.fromkeys(SEMANTIC_FEATURES, 0.0)
    index = np.asarray(rows)
    weight = np.asarray(assertion, dtype=np.float32)
    margin = np.clip(sims.margin()[index], 0.0, None) * weight
    roles = sims.roles[index] * weight[:, None]
    n_roles = int((roles.max(axis=0) >= role_threshold).sum())
    return {
        "sem_margin": float(margin.max()),
        "sem_plot": float((sims.plot()[index] * weight).max()),
        "sem_roles": saturate(0.5 * max(0, n_roles - 1)),
        "sem_contrast": float(sims.contrast[index].max()) if sims.contrast.size else 0.0,
    }
