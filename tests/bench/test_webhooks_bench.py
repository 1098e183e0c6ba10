"""bench/webhooks.py at its smallest: two runs side by side both lose and double nothing, and neither
leaves its database behind, even when stopped midway.

Real processes (gunicorn, Celery workers, Redis) on real PostgreSQL: slow.
Only the bench's own verdict and the databases are checked, never timings.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys

import psycopg
import pytest

from bench.webhooks import ADMIN_URL, DATABASE_PREFIX
from tests.support.processes import ROOT, wait_for

pytestmark = pytest.mark.slow
SMALL = ["--deliveries", "150", "--clients", "4", "--web-workers", "2", "--baseline", "40", "--lease-seconds", "5",
         "--timeout", "240"]


def bench_databases() -> set[str]:
    with psycopg.connect(ADMIN_URL) as admin:
        rows = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                             [DATABASE_PREFIX.replace("_", r"\_") + "%"]).fetchall()
    return {name for (name,) in rows}


def start(tmp_path, name: str, *extra: str) -> subprocess.Popen:
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "bench.webhooks", *SMALL, *extra], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


def test_two_runs_side_by_side_lose_nothing_double_nothing_and_leave_no_database(tmp_path):
    before = bench_databases()
    runs = [start(tmp_path, f"run{n}", "--report", str(tmp_path / f"run{n}.json")) for n in (1, 2)]
    try:
        codes = [run.wait(timeout=600) for run in runs]
    finally:
        for run in runs:
            stop(run)
    logs = {n: (tmp_path / f"run{n}.log").read_text(errors="replace")[-3000:] for n in (1, 2)}
    assert codes == [0, 0], logs
    reports = [json.loads((tmp_path / f"run{n}.json").read_text()) for n in (1, 2)]
    for report in reports:
        assert report["nothing_lost_or_doubled"] is True, report
        assert report["deliveries_done"] == report["unique"] and report["status_counts"].get("500") is None
    names = {report["database"] for report in reports}
    assert len(names) == 2 and all(name.startswith(DATABASE_PREFIX + "_") for name in names)
    after = bench_databases()
    assert not names & after
    assert after <= before  # nothing new left behind (another copy running elsewhere may hold its own)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_run_stopped_midway_drops_its_database(tmp_path, signum):
    run = start(tmp_path, "stopped")
    mine = f"{DATABASE_PREFIX}_{run.pid}_"
    try:
        wait_for(lambda: any(name.startswith(mine) for name in bench_databases()), timeout=120,
                 what="the bench's database")
        database = next(name for name in bench_databases() if name.startswith(mine))
        url = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"

        def sending() -> bool:  # stopped with gunicorn and the workers up and holding connections
            try:
                with psycopg.connect(url) as connection:
                    return connection.execute("SELECT count(*) FROM webhooks_delivery").fetchone()[0] > 0
            except psycopg.Error:
                return False

        wait_for(sending, timeout=240, interval=0.5, what="deliveries being stored")
        run.send_signal(signum)
        run.wait(timeout=120)
    finally:
        stop(run)
    assert not [name for name in bench_databases() if name.startswith(mine)], (
        (tmp_path / "stopped.log").read_text(errors="replace")[-3000:])
