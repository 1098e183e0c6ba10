"""The judgement package stands alone: no Django, no database, usable from plain Python."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_whole_package_imports_without_django() -> None:
    code = (
        "import sys, judgement.embedding, judgement.embedding_store, judgement.heads, judgement.evaluation, "
        "judgement.scorers.registry, judgement.scorers.heads_scorer, judgement.framing, "
        "judgement.training.train, judgement.training.card;"
        "print('django' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def test_nothing_in_the_package_imports_our_django_rooms() -> None:
    offenders = []
    for path in (ROOT / "judgement").rglob("*.py"):
        for line in path.read_text().splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1 and words[1].split(".")[0] in (
                "django", "moderation", "comments", "perspective", "analytics", "webhooks", "config",
            ):
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []
