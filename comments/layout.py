"""Layout steps as class names, so pages need no inline style (which the
Content-Security-Policy forbids): comments/static/comments/steps.css defines
one class per step."""
from __future__ import annotations

# Indentation stops here: a 110-level thread indented all the way would be
# wider than any screen. steps.css has .d-0 … .d-{MAX_DEPTH_STEP}.
MAX_DEPTH_STEP = 30


def depth_class(depth: int | None) -> str:
    """"d-N", N the depth clamped to 0…MAX_DEPTH_STEP."""
    return f"d-{max(0, min(int(depth or 0), MAX_DEPTH_STEP))}"


def percent_class(percent: float | None) -> str:
    """"pct-N", N the percentage rounded and clamped to 0…100 (steps.css sets --pct: N%)."""
    return f"pct-{max(0, min(round(percent or 0), 100))}"
