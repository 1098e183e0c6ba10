"""Pytest fixtures around the tiny Detoxify checkpoint.

Use from any conftest with ``from tests.support.fixtures import tiny_detoxify``
(or ``pytest_plugins = ["tests.support.fixtures"]`` in the root conftest).
The checkpoint is built once per test session in a session temporary folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from .tiny_detoxify import build_tiny_detoxify


@dataclass(frozen=True)
class TinyDetoxify:
    checkpoint: Path
    hf_config_dir: Path

    def config(self, **overrides: object) -> dict[str, object]:
        """A toxicity scorer config dict (see judgement.scorers.registry) using this checkpoint."""
        return {
            "backend": "detoxify",
            "checkpoint": str(self.checkpoint),
            "huggingface_config_path": str(self.hf_config_dir),
            **overrides,
        }


@pytest.fixture(scope="session")
def tiny_detoxify(tmp_path_factory: pytest.TempPathFactory) -> TinyDetoxify:
    """A random 2-layer BERT in Detoxify's format: 6 'original' labels, 64 positions, tokenizer max 512."""
    checkpoint, hf_dir = build_tiny_detoxify(tmp_path_factory.mktemp("tiny-detoxify"))
    return TinyDetoxify(checkpoint=checkpoint, hf_config_dir=hf_dir)
