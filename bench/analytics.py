"""Analytics benchmark on PostgreSQL: 1,000,000 comments over a year.

    python -m bench.analytics                     # generate (≈1-2 min) and measure
    python -m bench.analytics --reuse             # measure again on the generated database
    python -m bench.analytics --comments 100000   # a tenth, same proportions

Generates one site into its own database (``--database``, default
``postgres://postgres@127.0.0.1:5432/threadwarden_analytics_bench``; dropped
and created anew unless ``--reuse``) with ``INSERT … SELECT generate_series``:
articles, authors, threaded comments spread over 365 days, two stored scores
per comment (label values drawn so a few percent cross the thresholds), flags
where the default policy fires, decisions on most flags (and rejections of a
few unflagged comments) by five moderators.

Then it measures, in this process:
- the full rebuild of the rollups (``rollups_rebuild``);
- the dashboard's server time through Django's whole request path (session,
  middleware, view, templates, charts) for 24h / 7d / 30d / 365d, on the
  site's page and the all-sites page, ``--repeat`` times each: p50 and p95;
- the baseline, in the same run: the dashboard's first chart (comments and
  flags per day) counted straight from the comment table, as a page without
  rollups would have to;
- an incremental update after ``--new`` new comments and decisions arrive,
  and an update with nothing new.
Results go to bench/out/analytics.json. The machine may be shared: the
figures say what else ran (load average at the start and the end).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.queue_page import recreate_database, setup_django  # noqa: E402  (the same database set-up)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/threadwarden_analytics_bench"
TARGET_P95_MS = 200.0
PERIODS = ("24h", "7d", "30d", "365d")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--reuse", action="store_true", help="keep the generated database if it is there")
    parser.add_argument("--repeat", type=int, default=30, help="requests per period")
    parser.add_argument("--new", type=int, default=2000, help="comments arriving before the incremental update")
    return parser.parse_args()


def database_exists(url: str) -> bool:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


# Label values: most comments calm, a long tail crossing the thresholds.
TOX_LABELS = """json_build_object(
  'toxicity', round(power(r1, 6)::numeric, 4),
  'severe_toxicity', round(power(r1, 14)::numeric, 4),
  'insult', round(power(r2, 7)::numeric, 4),
  'threat', round(power(r3, 20)::numeric, 4),
  'identity_attack', round(power(r4, 18)::numeric, 4),
  'obscene', round(power(r2, 9)::numeric, 4),
  'sexual_explicit', round(power(r4, 25)::numeric, 4))::jsonb"""


def generate(n: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from comments.models import Site
    from moderation.models import SiteMembership

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    site = Site.objects.create(slug="big", name="Big Daily")
    owner = get_user_model().objects.create_user("bench-owner", password="bench")
    SiteMembership.objects.create(user=owner, site=site, role=SiteMembership.Role.OWNER)
    moderators = [get_user_model().objects.create_user(f"bench-mod{i}", password="bench").pk for i in range(5)]
    n_articles, n_authors = max(n // 500, 10), max(n // 20, 10)
    params = {"site": site.pk, "n": n, "articles": n_articles, "authors": n_authors,
              "mods": moderators}
    sql = [
        # Articles: one slot of the year each, in order.
        """INSERT INTO comments_article (id, site_id, external_id, url, title, author_name, published_at, body, created_at, updated_at)
           SELECT a, %(site)s, 'a' || a, 'https://big.example/a' || a, 'Story ' || a || ' about the council', 'Newsroom',
                  now() - interval '365 days' + (a - 1) * interval '365 days' / %(articles)s, '', now(), now()
           FROM generate_series(1, %(articles)s) a""",
        """INSERT INTO comments_author (id, site_id, external_id, display_name, first_seen_at)
           SELECT u, %(site)s, 'u' || u, 'Reader ' || u, now() FROM generate_series(1, %(authors)s) u""",
        # Comments in time order; three in four reply to the one before in the same article.
        """INSERT INTO comments_comment (id, site_id, article_id, author_id, parent_id, awaiting_parent_external_id, external_id,
               body, content_hash, edit_count, status, created_at, edited_at, removed_at, ingested_at, updated_at, path, depth)
           SELECT i, %(site)s, art, 1 + (hashint * 7 + i) %% %(authors)s,
                  CASE WHEN i %% 4 <> 0 AND i > 1 AND art = 1 + ((i - 2)::bigint * %(articles)s / %(n)s) THEN i - 1 END, '',
                  'c' || i, 'Comment ' || i || ' on the council and the bridge', md5(i::text), 0,
                  CASE WHEN hashint %% 100 < 3 THEN 'held' WHEN hashint %% 100 < 5 THEN 'removed' ELSE 'visible' END,
                  created, NULL, NULL, created, created,
                  lpad(to_hex(i / 4 * 4), 17, '0') || CASE WHEN i %% 4 = 0 THEN '' ELSE repeat(lpad(to_hex(i), 17, '0'), 1) END,
                  CASE WHEN i %% 4 = 0 THEN 0 ELSE 1 END
           FROM (SELECT i, 1 + ((i - 1)::bigint * %(articles)s / %(n)s) AS art, abs(hashint4(i)::bigint) AS hashint,
                        now() - interval '365 days' + i * interval '365 days' / %(n)s AS created
                 FROM generate_series(1, %(n)s) i) g""",
        f"""INSERT INTO moderation_score (id, comment_id, kind, scorer, version, content_hash, labels, spans, sentences, details,
               batch_ms, batch_size, created_at)
           SELECT 2 * i - 1, i, 'toxicity', 'detoxify-original', 'bench', md5(i::text), {TOX_LABELS}, '[]', '[]', '{{}}', 5, 64,
                  c.created_at + interval '20 seconds'
           FROM (SELECT i, random() r1, random() r2, random() r3, random() r4 FROM generate_series(1, %(n)s) i) r
           JOIN comments_comment c ON c.id = r.i""",
        """INSERT INTO moderation_score (id, comment_id, kind, scorer, version, content_hash, labels, spans, sentences, details,
               batch_ms, batch_size, created_at)
           SELECT 2 * i, i, 'framing', 'framing-analyzer', 'bench', md5(i::text),
                  json_build_object('conspiracy_framing', round(power(random(), 12)::numeric, 4))::jsonb,
                  '[{"start": 0, "end": 7, "family": "agent", "role": "agent", "text": "Comment", "weight": 0.4}]', '[]', '{}', 5, 64,
                  c.created_at + interval '20 seconds'
           FROM generate_series(1, %(n)s) i JOIN comments_comment c ON c.id = i""",
        """INSERT INTO moderation_commentscoring (comment_id, state, pending_since, enqueued_at, claimed_by, claimed_at, attempts,
               last_error, scored_hash, scored_at, toxicity_score_id, framing_score_id)
           SELECT c.id, 'done', c.created_at, c.created_at, '', NULL, 1, '', c.content_hash, c.created_at + interval '20 seconds',
                  2 * c.id - 1, 2 * c.id
           FROM comments_comment c""",
        # Flags where the default policy fires.
        """INSERT INTO moderation_flag (comment_id, site_id, state, reasons, priority, held_by_policy, created_at, updated_at)
           SELECT s.comment_id, %(site)s,
                  CASE WHEN (s.labels->>'threat')::float >= 0.5 OR (s.labels->>'severe_toxicity')::float >= 0.5
                            OR (s.labels->>'identity_attack')::float >= 0.5 THEN 'held' ELSE 'needs_review' END,
                  '[]', 500, false, s.created_at, s.created_at
           FROM moderation_score s JOIN moderation_score f ON f.comment_id = s.comment_id AND f.kind = 'framing'
           WHERE s.kind = 'toxicity' AND ((s.labels->>'toxicity')::float >= 0.8 OR (s.labels->>'insult')::float >= 0.8
                 OR (s.labels->>'threat')::float >= 0.5 OR (s.labels->>'severe_toxicity')::float >= 0.5
                 OR (s.labels->>'identity_attack')::float >= 0.5 OR (s.labels->>'obscene')::float >= 0.85
                 OR (s.labels->>'sexual_explicit')::float >= 0.8 OR (f.labels->>'conspiracy_framing')::float >= 0.6)""",
        # Most flags decided within hours (toxic ones mostly rejected), and a few unflagged comments rejected.
        """INSERT INTO moderation_review (comment_id, site_id, state, version, priority, decided_by_id, decided_at)
           SELECT f.comment_id, %(site)s,
                  CASE WHEN random() < 0.35 + 0.6 * (s.labels->>'toxicity')::float THEN 'rejected' ELSE 'approved' END, 1, 500,
                  (%(mods)s::bigint[])[1 + f.comment_id %% 5], f.created_at + random() * interval '8 hours'
           FROM moderation_flag f JOIN moderation_score s ON s.comment_id = f.comment_id AND s.kind = 'toxicity'
           WHERE f.comment_id %% 10 < 8 AND f.created_at < now() - interval '1 day'""",
        """INSERT INTO moderation_review (comment_id, site_id, state, version, priority, decided_by_id, decided_at)
           SELECT c.id, %(site)s, 'rejected', 1, 0, (%(mods)s::bigint[])[1 + c.id %% 5], c.created_at + interval '3 hours'
           FROM comments_comment c WHERE c.id %% 400 = 7
             AND NOT EXISTS (SELECT 1 FROM moderation_flag f WHERE f.comment_id = c.id)""",
        """INSERT INTO moderation_decision (comment_id, site_id, moderator_id, action, reason_id, reason_label, note, batch,
               before, after, review_version, created_at, undone_at)
           SELECT r.comment_id, r.site_id, r.decided_by_id, CASE WHEN r.state = 'rejected' THEN 'reject' ELSE 'approve' END,
                  NULL, '', '', md5(r.comment_id::text)::uuid, '{}', '{}', 1, r.decided_at, NULL
           FROM moderation_review r""",
    ]
    counts = {}
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement, params)
            counts[statement.split()[2]] = cursor.rowcount
        for table in ("comments_article", "comments_author", "comments_comment", "moderation_score", "moderation_flag",
                      "moderation_decision"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def arrive(n_new: int) -> None:
    """New comments (scored, some flagged and decided) arriving after the rollups ran."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM comments_comment")
        base = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM comments_site WHERE slug = 'big'")
        site = cursor.fetchone()[0]
        cursor.execute(
            """INSERT INTO comments_comment (id, site_id, article_id, author_id, parent_id, awaiting_parent_external_id,
                   external_id, body, content_hash, edit_count, status, created_at, edited_at, removed_at, ingested_at,
                   updated_at, path, depth)
               SELECT %(base)s + i, %(site)s, (SELECT MAX(id) FROM comments_article), 1 + i %% 50, NULL, '', 'new' || (%(base)s + i),
                      'A new comment', md5(i::text), 0, 'visible', now() - random() * interval '2 hours', NULL, NULL,
                      now(), now(), lpad(to_hex(%(base)s + i), 17, '0'), 0
               FROM generate_series(1, %(n)s) i""", {"base": base, "site": site, "n": n_new})
        cursor.execute(
            f"""INSERT INTO moderation_score (id, comment_id, kind, scorer, version, content_hash, labels, spans, sentences,
                   details, batch_ms, batch_size, created_at)
               SELECT 2 * c.id - 1, c.id, 'toxicity', 'detoxify-original', 'bench', c.content_hash, {TOX_LABELS}, '[]', '[]',
                      '{{}}', 5, 64, now()
               FROM (SELECT id, content_hash, random() r1, random() r2, random() r3, random() r4 FROM comments_comment
                     WHERE id > %(base)s) c""", {"base": base})
        cursor.execute(
            """INSERT INTO moderation_commentscoring (comment_id, state, pending_since, enqueued_at, claimed_by, claimed_at,
                   attempts, last_error, scored_hash, scored_at, toxicity_score_id, framing_score_id)
               SELECT id, 'done', now(), now(), '', NULL, 1, '', content_hash, now(), 2 * id - 1, NULL
               FROM comments_comment WHERE id > %(base)s""", {"base": base})
        # A moderator changes their mind on some old decisions.
        cursor.execute(
            """UPDATE moderation_review SET state = 'approved', decided_at = now()
               WHERE comment_id IN (SELECT comment_id FROM moderation_review WHERE state = 'rejected' ORDER BY comment_id LIMIT 50)""")


def measure_pages(repeat: int) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-owner"))
    out = {}
    for page, url in (("site", "/analytics/big/"), ("all sites", "/analytics/")):
        for period in PERIODS:
            assert client.get(f"{url}?period={period}").status_code == 200  # warm
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(f"{url}?period={period}")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            times.sort()
            out[f"{page} {period}"] = {"p50_ms": round(statistics.median(times), 1),
                                       "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1)}
    return out


def measure_baseline(repeat: int) -> dict:
    """Comments and flags per day for 365 days, counted from the comment table."""
    from django.db import connection

    times = []
    for _ in range(max(3, repeat // 5)):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT date_trunc('day', c.created_at), count(*), count(f.id)
                   FROM comments_comment c LEFT JOIN moderation_flag f ON f.comment_id = c.id AND f.state <> 'cleared'
                   WHERE c.created_at >= now() - interval '365 days' GROUP BY 1""")
            cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(times), 1), "runs": len(times)}


def main() -> None:
    args = parse_args()
    reuse = args.reuse and database_exists(args.database)
    if not reuse:
        recreate_database(args.database)
    setup_django(args.database)
    from analytics.services.rollups import rollups_rebuild, rollups_update

    result = {"comments": args.comments, "load_before": os.getloadavg(), "cpus": os.cpu_count()}
    if not reuse:
        print(f"generating {args.comments:,} comments …", flush=True)
        result["generated"] = generate(args.comments)
        print(f"  {result['generated']}", flush=True)
    rebuilt = rollups_rebuild()
    result["rebuild_s"] = round(rebuilt.seconds, 2)
    print(f"full rebuild: {rebuilt.seconds:.2f} s ({rebuilt.site_days} site-days, {rebuilt.authors} authors)", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum does within a minute of a rebuild's mass insert: measure the steady state.
        cursor.execute("ANALYZE")
    result["pages"] = measure_pages(args.repeat)
    for name, figures in result["pages"].items():
        flag = "" if figures["p95_ms"] < TARGET_P95_MS else "  (over the target)"
        print(f"dashboard {name:>14}: p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms{flag}", flush=True)
    result["baseline"] = measure_baseline(args.repeat)
    site_365 = result["pages"]["site 365d"]["p50_ms"]
    print(f"baseline (one chart's numbers from the comment table, 365 days): p50 {result['baseline']['p50_ms']:.1f} ms "
          f"= {result['baseline']['p50_ms'] / site_365:.1f}x the whole 365-day dashboard page", flush=True)
    idle = rollups_update()
    result["update_idle_s"] = round(idle.seconds, 3)
    arrive(args.new)
    update = rollups_update()
    result["update_s"] = round(update.seconds, 3)
    result["update_site_days"] = update.site_days
    print(f"incremental update: right after the rebuild {idle.seconds * 1000:.0f} ms (it re-reads the last "
          f"ANALYTICS_LAG_SECONDS: with --reuse, the previous run's arrivals); after {args.new} new comments and 50 changed "
          f"decisions {update.seconds:.2f} s ({update.site_days} site-days recomputed) "
          f"= {rebuilt.seconds / max(update.seconds, 1e-6):.0f}x faster than a rebuild", flush=True)
    result["load_after"] = os.getloadavg()
    print(f"load average before {result['load_before'][0]:.2f}, after {result['load_after'][0]:.2f} on {result['cpus']} CPUs")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "analytics.json").write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
