"""Moderator queue benchmark on PostgreSQL.

    python -m bench.queue_page                      # 1,000,000 comments, 100,000 flagged
    python -m bench.queue_page --comments 100000    # a tenth of that, same proportions
    python -m bench.queue_page --reuse              # measure again without regenerating

Generates one site into its own database (``--database``, default
``postgres://postgres@127.0.0.1:5432/threadwarden_bench``; dropped and created
anew unless ``--reuse``) with PostgreSQL COPY: articles, authors, threaded
comments, and for a tenth of the comments stored scores, a flag, and for a
quarter of those a moderator's decision. Then it asks the queue page for
page 1 and a deep page (``--deep-page``, default 500), unfiltered and
filtered, ``--repeat`` rounds over all scenarios in turn, through Django's
full request path (middleware, session, view, templates) in this process,
and reports the median and 95th percentile server time, the median as a
ratio to a baseline measured in the same rounds (the same page with an
empty tab: what the page costs without cards), and the SQL queries per
page, which must not change with the page size. The tab counts are not part of the page:
the page's first poll (measured on its own, as every later poll) brings them.

In the same run it times the two pieces of card HTML that
``moderation/templatetags/queue_tags.py`` builds in Python (``score_bars``,
``reject_menu``) against the same HTML from a Django template
(``TEMPLATE_EQUIVALENT`` below), over page 1's cards, checks that both give
the same bytes, and reports the ratio template / Python ("html_builders").
Results go to bench/out/queue.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/threadwarden_bench"
TARGET_P95_MS = 150.0
WORDS = ("council bridge vaccine clinic recount district repairs library weekend officials vote budget "
         "people really think agree point cost time city news story years lane spring water school road").split()
LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--flagged-share", type=float, default=0.10)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--reuse", action="store_true", help="keep the generated database if it is there")
    parser.add_argument("--repeat", type=int, default=40, help="requests per measurement")
    parser.add_argument("--deep-page", type=int, default=500)
    parser.add_argument("--page-size", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --------------------------------------------------------------------------- data


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def _copy(cursor, model, rows) -> int:
    """COPY rows (dicts keyed by column) into the model's table."""
    columns = _columns(model)
    count = 0
    with cursor.copy(f'COPY {model._meta.db_table} ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(column) for column in columns])
            count += 1
    return count


def generate(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from comments.models import Article, Author, Comment
    from comments.services import site_get_or_create
    from comments.threading import segment
    from moderation.models import CommentScoring, Flag, Review, Score, SiteMembership
    from moderation.policy import SEVERITY

    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    site = site_get_or_create(slug="big", name="Big Daily")  # through the service: with its rejection reasons
    user = get_user_model().objects.create_user("bench-moderator", password="bench")
    SiteMembership.objects.create(user=user, site=site, role=SiteMembership.Role.SENIOR)
    n = args.comments
    n_articles, n_authors = max(n // 500, 10), max(n // 20, 10)
    flagged_every = round(1 / args.flagged_share)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    start = now - dt.timedelta(days=60)
    step = dt.timedelta(days=60) / n
    counts = {}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        counts["articles"] = _copy(cursor, Article, (
            {"id": i, "site_id": site.pk, "external_id": f"a{i}", "url": f"https://big.example/a{i}",
             "title": f"Story number {i} about the {rng.choice(WORDS)}", "author_name": "Newsroom",
             "published_at": start, "body": "", "created_at": start, "updated_at": start}
            for i in range(1, n_articles + 1)))
        counts["authors"] = _copy(cursor, Author, (
            {"id": i, "site_id": site.pk, "external_id": f"u{i}", "display_name": f"Reader {i}", "first_seen_at": start}
            for i in range(1, n_authors + 1)))
        last_in_article: dict[int, tuple[int, str]] = {}

        def comments():
            for i in range(1, n + 1):
                article = rng.randint(1, n_articles)
                created = start + step * i
                body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
                parent = last_in_article.get(article) if rng.random() < 0.4 else None
                path = (parent[1] if parent else "") + segment(created_at=created, pk=i)
                last_in_article[article] = (i, path)
                yield {"id": i, "site_id": site.pk, "article_id": article, "author_id": rng.randint(1, n_authors),
                       "parent_id": parent[0] if parent else None, "awaiting_parent_external_id": "",
                       "parent_refused": "", "refused_parent_external_id": "",
                       "external_id": f"c{i}", "body": body, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                       "edit_count": 0, "status": "visible", "created_at": created, "edited_at": None,
                       "removed_at": None, "ingested_at": created, "updated_at": created,
                       "path": path, "depth": len(path) // 17 - 1}

        counts["comments"] = _copy(cursor, Comment, comments())
        cursor.execute(f"SELECT id, content_hash, created_at FROM comments_comment WHERE id % {flagged_every} = 0")
        flagged = cursor.fetchall()
        scores, scorings, flags, reviews = [], [], [], []
        for index, (cid, content_hash, created) in enumerate(flagged):
            kind = rng.random()
            labels = {label: round(rng.random() * 0.3, 4) for label in LABELS}
            framing = round(rng.random() * 0.5, 4)
            if kind < 0.6:
                label, value = rng.choice(("toxicity", "insult", "toxicity", "obscene")), round(rng.uniform(0.8, 1.0), 4)
                labels[label] = value
            elif kind < 0.8:
                label, value = "conspiracy_framing", round(rng.uniform(0.6, 1.0), 4)
                framing = value
            else:
                label, value = rng.choice(("threat", "identity_attack", "severe_toxicity")), round(rng.uniform(0.5, 1.0), 4)
                labels[label] = value
            action = "hold" if label in ("threat", "identity_attack", "severe_toxicity") else "review"
            flagged_at = created + dt.timedelta(minutes=2)
            tox_id, frame_id = 2 * index + 1, 2 * index + 2
            scores.append({"id": tox_id, "comment_id": cid, "kind": "toxicity", "scorer": "detoxify-original",
                           "version": "bench", "content_hash": content_hash, "labels": json.dumps(labels),
                           "spans": "[]", "sentences": "[]", "details": "{}", "batch_ms": 5.0, "batch_size": 64,
                           "created_at": flagged_at})
            scores.append({"id": frame_id, "comment_id": cid, "kind": "framing", "scorer": "framing-analyzer",
                           "version": "bench", "content_hash": content_hash,
                           "labels": json.dumps({"conspiracy_framing": framing}),
                           "spans": json.dumps([{"start": 0, "end": 7, "family": "agent", "role": "agent",
                                                 "text": "council", "weight": 0.4}]),
                           "sentences": "[]", "details": "{}", "batch_ms": 5.0, "batch_size": 64, "created_at": flagged_at})
            scorings.append({"comment_id": cid, "state": "done", "pending_since": created, "enqueued_at": created,
                             "claimed_by": "", "claimed_at": None, "attempts": 1, "last_error": "",
                             "scored_hash": content_hash, "scored_at": flagged_at, "toxicity_score_id": tox_id,
                             "framing_score_id": frame_id})
            reason = {"rule": f"label:{label}", "label": label, "score": value,
                      "threshold": 0.5 if action == "hold" else 0.8, "action": action}
            flags.append({"id": index + 1, "comment_id": cid, "site_id": site.pk,
                          "state": "held" if action == "hold" else "needs_review", "reasons": json.dumps([reason]),
                          "priority": round(SEVERITY[label] * value * 1000), "held_by_policy": action == "hold",
                          "created_at": flagged_at, "updated_at": flagged_at})
            decided = rng.random()
            if decided < 0.25:  # a quarter already decided: the history tabs and the anti-join have rows
                state = "approved" if decided < 0.15 else ("rejected" if decided < 0.23 else "escalated")
                reviews.append({"comment_id": cid, "site_id": site.pk, "state": state, "version": 1,
                                "priority": flags[-1]["priority"], "decided_by_id": user.pk,
                                "decided_at": flagged_at + dt.timedelta(hours=1)})
        counts["scores"] = _copy(cursor, Score, scores)
        counts["scorings"] = _copy(cursor, CommentScoring, scorings)
        counts["flags"] = _copy(cursor, Flag, flags)
        counts["reviews"] = _copy(cursor, Review, reviews)
        for model in (Article, Author, Comment, Score, Flag):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("ANALYZE")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


# --------------------------------------------------------------------------- measurements

# What ``score_bars`` and ``reject_menu`` (moderation/templatetags/queue_tags.py)
# build in Python, written as a template: the equivalent they are measured against.
TEMPLATE_EQUIVALENT = (
    "{% load comment_layout %}"
    "{% for card in item.scores %}<div class=\"scorecard\"><div class=\"model\">{{ card.scorer }} <small>{{ card.version }}</small></div>"
    "{% for bar in card.bars %}<div class=\"bar{% if bar.over %} over{% endif %}\"><span class=\"bl\">{{ bar.label }}</span>"
    "<span class=\"track\" role=\"img\" aria-label=\"{{ bar.label }} {{ bar.text }}\"><span class=\"fill {{ bar.percent|percent_class }}\"></span>"
    "{% if bar.threshold is not None %}<span class=\"thr {{ bar.threshold_percent|percent_class }}\" title=\"threshold {{ bar.threshold }}\"></span>{% endif %}</span>"
    "<span class=\"bv\">{{ bar.text }}</span>"
    "<button class=\"linklike fb\" form=\"fb-{{ item.pk }}\" name=\"feedback\" value=\"{{ card.score_id }}:{{ bar.label }}:{% if bar.likely %}0{% else %}1{% endif %}\" "
    "title=\"The score was wrong: {{ bar.label }} {% if bar.likely %}does not apply{% else %}applies{% endif %}\">wrong?</button></div>"
    "{% endfor %}</div>{% endfor %}"
    "|{% for reason in item.reject_reasons %}<button class=\"btn\" role=\"menuitem\" name=\"decision\" value=\"reject:{{ reason.pk }}\">"
    "<kbd>{{ forloop.counter }}</kbd> {{ reason.label }}</button>{% empty %}"
    "<span class=\"note\">This site has no rejection reasons; an owner adds them in its settings.</span>{% endfor %}"
)


def html_builders(items: list, *, repeat: int) -> dict:
    """Page 1's cards: the Python-built HTML of queue_tags against TEMPLATE_EQUIVALENT,
    the same bytes checked, timed in alternating rounds; ratio = template / Python."""
    from django.template import Context, Engine

    engine = Engine.get_default()
    # Both through the template engine, as the page calls them (and no import of the tags' module).
    tags = engine.from_string("{% load queue_tags %}{% score_bars item %}|{% reject_menu item %}")
    template = engine.from_string(TEMPLATE_EQUIVALENT)

    def rendered(built) -> list[str]:
        context = Context()  # one page: the reject menu is built once per site, as on the page
        out = []
        for item in items:
            with context.push(item=item):
                out.append(built.render(context))
        return out

    def python_built() -> list[str]:
        return rendered(tags)

    def template_built() -> list[str]:
        return rendered(template)

    assert python_built() == template_built(), "the template equivalent no longer gives the same HTML"
    timings: dict[str, list[float]] = {"python": [], "template": []}
    for _ in range(repeat):
        for name, build in (("python", python_built), ("template", template_built)):
            started = time.perf_counter()
            for _ in range(10):
                build()
            timings[name].append((time.perf_counter() - started) * 100)  # ms per page
    python_ms, template_ms = statistics.median(timings["python"]), statistics.median(timings["template"])
    return {"cards": len(items), "bars": sum(len(card.bars) for item in items for card in item.scores),
            "python_ms": round(python_ms, 3), "template_ms": round(template_ms, 3),
            "template_to_python": round(template_ms / python_ms, 2)}


def measure(args: argparse.Namespace) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from comments.models import Site
    from moderation.selectors.items import queue_items
    from moderation.selectors.queue import QueueFilters, queue_page

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.QUEUE_PAGE_SIZE = args.page_size
    site = Site.objects.get(slug="big")
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-moderator"))

    def cursor_for(tab: str, page: int, **filters) -> str:
        """The cursor a moderator would hold after paging ``page - 1`` times (found with one OFFSET, bench only)."""
        found = queue_page(tab=tab, filters=QueueFilters(site_ids=(site.pk,), **filters),
                           size=args.page_size * (page - 1))
        last = found.comment_ids[-1]
        return found.keys[last].encode()

    filtered = {"reason": "label:toxicity", "score_min": 0.9}
    # What an open queue sends every few seconds: the time of its last poll and the ids on screen.
    poll_since = quote(dt.datetime.now(dt.timezone.utc).isoformat())
    shown = ",".join(str(pk) for pk in queue_page(tab="needs_review", filters=QueueFilters(site_ids=(site.pk,)),
                                                   size=args.page_size).comment_ids)
    scenarios = [
        ("page 1", "/queue/?tab=needs_review"),
        (f"page {args.deep_page}", f"/queue/?tab=needs_review&after={cursor_for('needs_review', args.deep_page)}"),
        ("page 1, filtered", "/queue/?tab=needs_review&reason=label:toxicity&min=0.9"),
        (f"page {args.deep_page // 5}, filtered",
         f"/queue/?tab=needs_review&reason=label:toxicity&min=0.9&after={cursor_for('needs_review', args.deep_page // 5, **filtered)}"),
        ("page 1, all tab", "/queue/?tab=all"),
        ("page 1, approved tab", "/queue/?tab=approved"),
        ("next page fragment (htmx)", f"/queue/?tab=needs_review&after={cursor_for('needs_review', 2)}"),
        ("poll: counts + news (htmx)", f"/queue/poll/?tab=needs_review&since={poll_since}&shown={shown}"),
        ("poll, filtered (htmx)",
         f"/queue/poll/?tab=needs_review&reason=label:toxicity&min=0.9&since={poll_since}&shown={shown}"),
    ]
    # The baseline: the same page with no cards (the reported tab is empty
    # here), so each scenario also reads as a ratio to what the page costs
    # without items, measured in the same rounds.
    scenarios.insert(0, ("baseline: empty tab", "/queue/?tab=reported"))

    def headers_for(name: str) -> dict:
        if "htmx" not in name:
            return {}
        return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue-pager" if "fragment" in name else "poll"}

    for name, url in scenarios:
        for _ in range(3):  # warm caches and the connection
            assert client.get(url, **headers_for(name)).status_code == 200
    # Round-robin over the scenarios, so a busy moment on a shared machine
    # slows all of them alike instead of one.
    timings: dict[str, list[float]] = {name: [] for name, _ in scenarios}
    for _ in range(args.repeat):
        for name, url in scenarios:
            started = time.perf_counter()
            response = client.get(url, **headers_for(name))
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    baseline = statistics.median(timings["baseline: empty tab"])
    results = []
    for name, url in scenarios:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **headers_for(name))
        items = response.content.decode().count('class="q-item')
        spent = sorted(timings[name])
        results.append({
            "scenario": name, "items": items, "queries": len(queries),
            "median_ms": round(statistics.median(spent), 1),
            "p95_ms": round(spent[max(0, int(len(spent) * 0.95) - 1)], 1),
            "median_to_baseline": round(statistics.median(spent) / baseline, 2),
        })
        reset_queries()
    sizes = {}
    for size in (10, 50):
        settings.QUEUE_PAGE_SIZE = size
        with CaptureQueriesContext(connection) as queries:
            client.get("/queue/?tab=needs_review")
        sizes[size] = len(queries)
    first_page = queue_page(tab="needs_review", filters=QueueFilters(site_ids=(site.pk,)), size=args.page_size)
    builders = html_builders(queue_items(comment_ids=first_page.comment_ids), repeat=args.repeat)
    return {"scenarios": results, "queries_by_page_size": sizes, "html_builders": builders}


def main() -> None:
    args = parse_args()
    setup_django(args.database)
    from comments.models import Comment

    generated = None
    if args.reuse:
        try:
            have = Comment.objects.count()
        except Exception:
            have = -1
        if have != args.comments:
            print(f"--reuse: the bench database has {have} comments, not {args.comments}; generating", file=sys.stderr)
            args.reuse = False
    if not args.reuse:
        from django.db import connections

        connections.close_all()
        recreate_database(args.database)
        print(f"generating {args.comments:,} comments ...", file=sys.stderr, flush=True)
        generated = generate(args)
        print(f"generated in {generated['seconds']} s: {generated}", file=sys.stderr, flush=True)
    result = measure(args)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT count(*) FROM moderation_flag")
        flags = cursor.fetchone()[0]
    report = {"comments": args.comments, "flags": flags, "page_size": args.page_size, "postgres": server,
              "generated": generated, **result}
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "queue.json").write_text(json.dumps(report, indent=2))
    print(f"\nQueue page on {server}: {args.comments:,} comments, {flags:,} flagged, {args.page_size} per page")
    print(f"{'scenario':34} {'items':>5} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'x baseline':>10}")
    for row in result["scenarios"]:
        print(f"{row['scenario']:34} {row['items']:>5} {row['queries']:>7} {row['median_ms']:>10} {row['p95_ms']:>8}"
              f" {row['median_to_baseline']:>10}")
    sizes = result["queries_by_page_size"]
    print(f"queries per page at 10 and 50 items: {sizes[10]} and {sizes[50]}"
          f" ({'constant' if sizes[10] == sizes[50] else 'NOT constant'})")
    # The target is for the queue page (first and deep pages, filtered
    # or not); the polls an open page sends are reported beside it.
    pages = [row for row in result["scenarios"] if not row["scenario"].startswith(("poll", "baseline"))]
    polls = [row for row in result["scenarios"] if row["scenario"].startswith("poll")]
    worst = max(row["p95_ms"] for row in pages)
    print(f"worst page p95: {worst} ms (target {TARGET_P95_MS:.0f} ms: {'met' if worst < TARGET_P95_MS else 'MISSED'})")
    print(f"worst poll p95: {max(row['p95_ms'] for row in polls)} ms (no target; a background request every few seconds)")
    html = result["html_builders"]
    print(f"card HTML for page 1 ({html['cards']} cards, {html['bars']} bars): Python-built {html['python_ms']} ms,"
          f" template-built {html['template_ms']} ms: the template takes {html['template_to_python']}x as long")


if __name__ == "__main__":
    main()
