"""How long `import_comments` takes for a bulk back-fill.

    python bench/import_jsonl.py --comments 50000 [--database-url URL] [--redis-url URL]

Generates a JSON Lines file (articles of 50 comments, a third of them replies,
some replies before their parents) and times the real command in a
subprocess against a fresh database; prints comments per second.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("the a council vote bridge repair people think money city should would never always why because "
         "report news data cost tax school road they we you said") .split()


def generate(path: Path, comments: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w") as out:
        for i in range(comments):
            article = i // 50
            parent = f"c{i - rng.randint(1, 3)}" if i % 50 > 3 and rng.random() < 0.33 else None
            event = {"type": "comment.created", "data": {
                "id": f"c{i}", "article": {"id": f"a{article}", "title": f"Article {article}",
                                           "url": f"https://bench.example/a{article}"},
                "parent_id": parent, "author": {"id": f"u{rng.randint(1, comments // 20 + 1)}", "name": "Reader"},
                "body": " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 80))),
                "created_at": f"2026-01-01T00:00:{i % 60:02d}Z"}}
            out.write(json.dumps(event) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file (the embedded default)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "comments.jsonl"
        generate(source, args.comments)
        env = dict(os.environ, VAR_DIR=tmp, DEBUG="1", REDIS_URL=args.redis_url)
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        else:
            env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "import_comments", str(source), "--site", "bench", "--no-progress"],
                       cwd=ROOT, env=env, check=True)
        elapsed = time.perf_counter() - started
        print(f"{args.comments} comments in {elapsed:.1f} s: {args.comments / elapsed:.0f} comments/s "
              f"({'PostgreSQL' if args.database_url else 'SQLite'})")


if __name__ == "__main__":
    main()
