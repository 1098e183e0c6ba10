"""A fingerprint of every table, to prove that a refused request wrote nothing.

One query: per table, the row count and an order-free sum of row hashes, so
an UPDATE shows as well as an INSERT or DELETE.
"""
from __future__ import annotations

from django.apps import apps
from django.db import connection

# Written on purpose by a request that is then refused, or by the test itself:
# logins (sessions), django-axes' record of failed logins (that is its job), and
# the "last used" stamps a valid credential gets before the body is read.
UNCHECKED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
UNCHECKED_COLUMNS = ("last_used_at", "last_login")


def _tables() -> list[str]:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)
              if model._meta.managed and not model._meta.proxy}
    return sorted(tables - UNCHECKED_TABLES)


_SQL: str | None = None


def _sql() -> str:
    global _SQL
    if _SQL is None:
        drop = "ARRAY[" + ",".join(f"'{column}'" for column in UNCHECKED_COLUMNS) + "]::text[]"
        quote = connection.ops.quote_name
        _SQL = " UNION ALL ".join(
            f"SELECT '{table}', count(*), coalesce(sum(hashtextextended((to_jsonb(t) - {drop})::text, 0)), 0) "
            f"FROM {quote(table)} AS t"
            for table in _tables()
        )
    return _SQL


def fingerprint() -> dict[str, tuple[int, int]]:
    """{table: (rows, hash sum)} for every table the project's models own."""
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        return {table: (rows, int(total)) for table, rows, total in cursor.fetchall()}


def writes_so_far() -> int:
    """Rows this transaction has inserted, updated or deleted in the checked tables so far (PostgreSQL's
    per-transaction statistics; rolled-back savepoints count too). Cheap: when it has not moved, nothing
    was written, and the fingerprint need not be taken."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables "
            "WHERE relname <> ALL(%s)", [sorted(UNCHECKED_TABLES)])
        return int(cursor.fetchone()[0])


class Watch:
    """Whether a request changed any checked table: the counter first, the fingerprint only when it moved."""

    def __init__(self):
        self.state: dict | None = None  # the fingerprint now, when known

    def before(self) -> None:
        if self.state is None:
            self.state = fingerprint()
        self.writes = writes_so_far()

    def changed(self) -> dict[str, tuple]:
        """Tables that differ from before the request (and remember the new state)."""
        if writes_so_far() == self.writes:
            return {}
        after = fingerprint()
        changed, self.state = changed_tables(self.state, after), after
        return changed

    def forget(self) -> None:
        self.state = None


def changed_tables(before: dict, after: dict) -> dict[str, tuple]:
    return {table: (before.get(table), after.get(table)) for table in sorted(set(before) | set(after))
            if before.get(table) != after.get(table)}
