"""The bench scripts start as README runs them: `.venv/bin/python bench/framing.py` puts
bench/ first on sys.path, so a bench module named like a standard-library one (bench/queue.py
once was) shadows it and the script dies on import."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_bench_module_is_named_like_a_standard_library_module():
    shadowing = sorted(path.name for path in (ROOT / "bench").glob("*.py") if path.stem in sys.stdlib_module_names)
    assert not shadowing, f"run as scripts, these shadow the standard library: {shadowing}"


def test_the_framing_bench_runs_as_a_script(tmp_path):
    # README: `.venv/bin/python bench/framing.py`; a few comments, lexical only, to stay quick,
    # in a copy so that its bench/out/framing.json does not replace a real run's.
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "var", "out", "__pycache__"))
    if (ROOT.parent / "shared").is_dir():
        (tmp_path / "shared").symlink_to((ROOT.parent / "shared").resolve())
    result = subprocess.run(
        [sys.executable, "bench/framing.py", "--n", "20", "--lexical-only"],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "framing, lexical only" in result.stdout
