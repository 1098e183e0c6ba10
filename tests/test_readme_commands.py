"""README.md's shell commands work as written, in a fresh copy of the repository.

Every line of a fenced ```sh/bash/console block, and every inline `.venv/bin/python …`
or `make …`, is a command. Each runs in a copy of the working tree with no
variable README does not set (so the embedded defaults: SQLite under the copy's
var/, a generated key) after the demo data is loaded the way `make run` loads it,
and must exit 0 without a traceback. A command is run unless SKIPPED names it
with a reason: a new README command is tested by default, and skipping one is a
decision written down here.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"  # README's `../shared/samples/…`: the public data next to the clone

# (the start of a command, why it is not run here). First match wins.
SKIPPED: tuple[tuple[str, str], ...] = (
    ("make run", "starts the servers and stays up until Ctrl-C"),
    ("make test", "the whole suite, of which this test is a part"),
    ("make install", "installs the environment; `make test` and `.ci/run` have just done it"),
    (".venv/bin/python scripts/mutants.py", "mutation testing: runs the suite once per mutant"),
    (".venv/bin/python manage.py createsuperuser", "interactive: asks for a password on a terminal"),
    (".venv/bin/python manage.py import_comments comments.jsonl", "a template: the reader's own export and site"),
    ('printf %s "$CORAL_SIGNING_SECRET"', "the reader's own Coral site (`news`) and secret"),
    ('printf %s "$CORAL_TOKEN"', "the reader's own Coral site (`news`) and token"),
    ("SECRET='whsec_…'", "the signed-delivery example: needs a real secret and the web server"),
    ("BODY=", "the signed-delivery example: needs the web server"),
    ('ID="msg_', "the signed-delivery example: needs the web server"),
    ("KEY=$(printf", "the signed-delivery example: needs a real secret"),
    ("SIG=$(printf", "the signed-delivery example: needs a real secret"),
    ("curl ", "needs the web server or the scorer's port, which `make run` starts"),
    (".venv/bin/python manage.py train_heads", "training: many minutes of CPU (docs/judgement.md)"),
    (".venv/bin/python manage.py rescore --all --enqueue", "hands the work to Celery: needs the broker `make run` starts"),
    (".venv/bin/python -m bench.", "a benchmark (minutes, an idle machine); tests/bench/test_bench_scripts.py checks they start"),
    (".venv/bin/python bench/", "a benchmark (minutes, an idle machine); tests/bench/test_bench_scripts.py checks they start"),
)
TIMEOUT_S = 300
FENCE = re.compile(r"^```(\w*)\s*$")
INLINE = re.compile(r"`((?:\.venv/bin/python|make) [^`]+)`")
OPTIONAL = re.compile(r" \[[^\]]*\]")  # README's notation for optional arguments: `[--site SLUG]`


def _complete(text: str) -> bool:
    if text.endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return True


def readme_blocks() -> list[tuple[int, list[str]]]:
    """(README line, the commands of one fenced block or one inline span), in README order."""
    blocks: list[tuple[int, list[str]]] = []
    fence: str | None = None
    commands: list[str] = []
    pending = ""
    start = 0
    for number, line in enumerate(README.read_text().splitlines(), 1):
        if match := FENCE.match(line):
            if fence is None:
                fence, commands, pending, start = match.group(1), [], "", number + 1
            else:
                if fence in {"sh", "bash", "console"} and commands:
                    blocks.append((start, commands))
                fence = None
            continue
        if fence in {"sh", "bash", "console"}:
            text = line.removeprefix("$ ") if fence == "console" else line
            pending = f"{pending}\n{text}" if pending else text
            if pending.strip() and _complete(pending):
                commands.append(pending.strip())
                pending = ""
            elif not pending.strip():
                pending = ""
        elif fence is None:
            for span in INLINE.findall(line):
                blocks.append((number, [span.replace("\\|", "|")]))
    return blocks


def skip_reason(command: str) -> str | None:
    for start, reason in SKIPPED:
        if command.startswith(start):
            return reason
    if "../shared/" in command and not SHARED.is_dir():
        return f"README's ../shared/ data is not next to this clone ({SHARED})"
    return None


def settings_variables() -> set[str]:
    """Every variable config/settings.py reads: none of them may leak in from the test's environment."""
    source = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r'(?:environ\.get|env_bool|env_list|env_datetime)\(\s*"([A-Z][A-Z0-9_]*)"', source))
    return names | {"DJANGO_SETTINGS_MODULE", "VAR_DIR", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}


LOCAL_STATE = {ROOT / name for name in (".git", ".venv", "var", ".pytest_cache", ".import_linter_cache", "bench/out")}


def _not_in_a_clone(directory: str, names: list[str]) -> set[str]:
    """What a fresh clone does not have: git's store, the environment, local state, caches."""
    return {name for name in names if Path(directory) / name in LOCAL_STATE or name == "__pycache__"}


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("readme")
    repo = base / "repo"
    shutil.copytree(
        ROOT, repo, symlinks=True,
        ignore=_not_in_a_clone,
    )
    (repo / ".venv").symlink_to((ROOT / ".venv").resolve())
    if SHARED.is_dir():
        (base / "shared").symlink_to(SHARED.resolve())
    env = {name: value for name, value in os.environ.items() if name not in settings_variables()}
    # The demo site, as `make run` (scripts/run.py) loads it before anything else.
    for command in ("migrate --noinput -v 0", "load_demo", "load_demo_users"):
        result = run(f".venv/bin/python manage.py {command}", repo, env)
        assert result.returncode == 0 and "Traceback" not in result.stdout + result.stderr, result.stderr
    return repo, env


def run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f"set -eo pipefail\n{command}"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_S)


BLOCKS = readme_blocks()


def test_the_readme_has_the_commands_this_test_expects():
    commands = [command for _, block in BLOCKS for command in block]
    assert any(c.startswith(".venv/bin/python manage.py import_article") for c in commands)
    assert any(c.startswith(".venv/bin/python manage.py score_texts") for c in commands)
    assert any(c.startswith("make run") for c in commands)


def test_every_skip_names_a_command_still_in_the_readme():
    commands = [command for _, block in BLOCKS for command in block]
    stale = [start for start, _ in SKIPPED if not any(c.startswith(start) for c in commands)]
    assert not stale, f"SKIPPED names commands README no longer has: {stale}"


@pytest.mark.slow
@pytest.mark.parametrize("line,commands", BLOCKS, ids=[f"README.md:{line}" for line, _ in BLOCKS])
def test_a_readme_command_works_as_written(clone, line, commands):
    repo, env = clone
    runnable = [OPTIONAL.sub("", c) if c.startswith(".venv/bin/python") else c
                for c in commands if skip_reason(c) is None]
    if not runnable:
        pytest.skip("; ".join(sorted({skip_reason(c) or "" for c in commands})))
    for command in runnable:
        result = run(command, repo, env)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"README.md:{line}: `{command}` exited {result.returncode}:\n{output[-3000:]}"
        assert "Traceback" not in output, f"README.md:{line}: `{command}` printed a traceback:\n{output[-3000:]}"
