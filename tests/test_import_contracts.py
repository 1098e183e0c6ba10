"""The rooms of docs/architecture.md hold: the import contracts in .importlinter are kept.

`.ci/run` runs every contract before the suite; this runs them inside it too, so a
room broken by a change fails where its tests run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# Each id is an [importlinter:contract:<id>] section of .importlinter.
CONTRACTS = ("rooms", "comments-alone", "work-alone", "judgement-alone", "judgement-door", "comments-surface",
             "moderation-surface", "moderation-models", "services-not-tasks", "no-cycles")


def test_the_rooms_contracts_are_kept() -> None:
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo", *(f"--contract={c}" for c in CONTRACTS)]
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in run.stdout
