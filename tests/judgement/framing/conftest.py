"""Shared fixtures: one analyzer per layer for the whole session (the embedding model loads once)."""
from __future__ import annotations

import pytest

from judgement.framing import FramingAnalyzer


@pytest.fixture(scope="session")
def lexical() -> FramingAnalyzer:
    return FramingAnalyzer(semantic=False)


@pytest.fixture(scope="session")
def semantic() -> FramingAnalyzer:
    analyzer = FramingAnalyzer(semantic=True)
    analyzer.score(["Warm the model up once."])
    return analyzer
