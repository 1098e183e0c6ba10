"""The shutdown half of `make run`: children in their own sessions, stopped in order.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group. If the
children shared that group, the embedded Redis would die at the same instant as
the web process and the workers, and they would log "lost Redis… retrying"
before their own SIGINT landed. So each child gets a session of its own; only
this process sees Ctrl-C (or SIGTERM), and it stops the children one at a time,
in the order given, Redis last, then says "stopped" and exits 0.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass


class StopRequested(Exception):
    """Ctrl-C or SIGTERM reached the supervisor."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen


def start(argv: Sequence[str], **popen_kwargs) -> subprocess.Popen:
    """Start a child outside the terminal's process group (see the module's docstring)."""
    return subprocess.Popen(list(argv), start_new_session=True, **popen_kwargs)


def _raise_stop(signum, frame) -> None:
    raise StopRequested


def install_stop_handlers() -> None:
    """From now on SIGINT and SIGTERM raise StopRequested in the main thread."""
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)


def stop_in_order(children: Sequence[Child], *, timeout: float = 15.0) -> None:
    """SIGTERM each child and wait for it before the next, so later ones (Redis) outlive earlier ones."""
    # A second Ctrl-C while stopping must not leave children behind half-stopped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
        try:
            child.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def wait_until_one_stops(children: Sequence[Child]) -> Child:
    """Block until a child exits on its own; return it."""
    while True:
        for child in children:
            if child.process.poll() is not None:
                return child
        time.sleep(0.5)


def supervise(children: Sequence[Child]) -> int:
    """Run until Ctrl-C/SIGTERM (exit status 0) or until a child dies (status 1).

    `children` is in stopping order: web first, the embedded Redis last.
    """
    try:
        died = wait_until_one_stops(children)
    except StopRequested:
        stop_in_order(children)
        print("stopped", flush=True)
        return 0
    print(f"{died.name} stopped (exit status {died.process.returncode}); stopping the others", flush=True)
    stop_in_order(children)
    return 1


def stop_and_exit(children: Sequence[Child], status: int) -> None:
    stop_in_order(children)
    if status == 0:
        print("stopped", flush=True)
    sys.exit(status)
