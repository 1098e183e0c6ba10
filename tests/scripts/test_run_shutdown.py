"""Ctrl-C on `make run` stops everything calmly: children in order, Redis last, exit status 0."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

STACK = Path(__file__).resolve().parents[1] / "support" / "supervised_stack.py"
ALARMS = ("lost Redis", "a process stopped", "Traceback", "KeyboardInterrupt", "Error")


def start_stack(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "out.log"
    with log.open("w") as out:
        # Its own process group, as a terminal's foreground job is.
        process = subprocess.Popen([sys.executable, str(STACK), str(tmp_path)],
                                   stdout=out, stderr=subprocess.STDOUT, process_group=0)
    deadline = time.monotonic() + 30
    while "ready" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the stack did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return process, log


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_process_group_stops_everything_calmly(tmp_path, signum):
    process, log = start_stack(tmp_path)
    time.sleep(0.3)  # a few pings while everything runs
    os.killpg(process.pid, signum)  # what a terminal's Ctrl-C does: the whole group
    status = process.wait(timeout=30)
    output = log.read_text()
    assert status == 0, output
    assert output.rstrip().endswith("stopped"), output
    assert "worker stopping" in output, output  # the worker was stopped, by us, before Redis
    for alarm in ALARMS:
        assert alarm not in output, output


@pytest.mark.slow
def test_a_child_that_dies_stops_the_others_and_fails(tmp_path):
    process, log = start_stack(tmp_path)
    redis_pid = int(subprocess.check_output(["pgrep", "-f", "-P", str(process.pid), "redis-server"]).split()[0])
    os.kill(redis_pid, signal.SIGKILL)
    status = process.wait(timeout=30)
    output = log.read_text()
    assert status == 1, output
    assert "redis stopped" in output, output
