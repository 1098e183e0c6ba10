"""`make run`'s supervision with the heavy children swapped for one small Redis client.

Run as a script by tests/scripts/test_run_shutdown.py: the real embedded Redis
(scripts/run.py's start_embedded_redis), a "worker" that pings it and says
"lost Redis… retrying" as the real realtime scorer does when it vanishes, and
scripts/supervisor.py stopping them, worker first and Redis last.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import run  # noqa: E402  (scripts/run.py)
import supervisor  # noqa: E402

WORKER = """
import signal, sys, time, redis
signal.signal(signal.SIGTERM, lambda *a: (print("worker stopping", flush=True), sys.exit(0)))
client = redis.Redis(unix_socket_path=sys.argv[1])
client.ping()
print("ready", flush=True)
while True:
    try:
        client.ping()
    except redis.RedisError as error:
        print(f"worker lost Redis: {error}; retrying", flush=True)
    time.sleep(0.05)
"""


def main() -> None:
    var_dir = Path(sys.argv[1])
    supervisor.install_stop_handlers()
    redis_process = run.start_embedded_redis(var_dir)
    worker = supervisor.start([sys.executable, "-c", WORKER, str(var_dir / "redis.sock")])
    children = [supervisor.Child("worker", worker), supervisor.Child("redis", redis_process)]
    sys.exit(supervisor.supervise(children))


if __name__ == "__main__":
    main()
