"""Errors shared by the scorer backends, the registry and the head files."""
from __future__ import annotations


class ScorerUnavailable(RuntimeError):
    """A backend cannot run on this machine (weights missing, download impossible, package absent).

    Raised instead of the underlying I/O or loading error so callers can tell
    "this backend cannot be had here" (fall back, or fail with ``reason``)
    from a bug. The original exception is chained as ``__cause__``.
    """

    def __init__(self, backend: str, reason: str) -> None:
        super().__init__(f"{backend} scorer unavailable: {reason}")
        self.backend = backend
        self.reason = reason
