"""Conspiracy-framing analyzer: plain Python, no Django, data in ``data/``. See docs/framing.md."""
from .analyzer import LABEL, FramingAnalyzer

__all__ = ["FramingAnalyzer", "LABEL"]
