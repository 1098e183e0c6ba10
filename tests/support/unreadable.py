"""Store a value PostgreSQL accepts but psycopg cannot read back, the way the
reported webhook did: '9999-12-31T23:59:59-05:00' is year 10000 in UTC."""
from __future__ import annotations

from django.db import connection

YEAR_10000 = "10000-01-01T04:59:59+00"
YEAR_0 = "0001-01-01T00:00:00+05:00"  # 1 BC in UTC


def make_unreadable(obj, column: str = "created_at", value: str = YEAR_10000) -> None:
    """Set ``column`` of ``obj``'s row with raw SQL; loading that row raises from then on."""
    quote = connection.ops.quote_name
    table, pk = quote(obj._meta.db_table), quote(obj._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s", [value, obj.pk])
