"""Rows stored with a value that cannot be read back.

PostgreSQL keeps timestamps from 4713 BC to 294276 AD; Python's ``datetime``
holds years 1 to 9999. A comment stored with a date outside Python's range
(``9999-12-31T23:59:59-05:00`` is year 10000 in UTC) makes every query that
*loads* that column raise ``django.db.DataError`` ("timestamp too large
(after year 10K)"), however many good rows come with it. Filtering and
ordering on the column still work: the database compares, Python never sees
the value.

So a batch or a list never loads such a value for many rows at once without
a way out: it either keeps the column out of the query (``defer``), filters
to readable rows (``readable``), or loads ids first and falls back to one row
at a time (``UNREADABLE_ERRORS``). The door refuses such dates; this is for
rows that are already stored.
"""
from __future__ import annotations

import datetime as dt

from django.db import DataError
from django.db.models import Case, CharField, DateField, DateTimeField, Model, Q, QuerySet, When
from django.db.models.functions import Cast

from .models import Comment

UTC = dt.timezone.utc
READABLE_FROM = dt.datetime.min.replace(tzinfo=UTC)
READABLE_UNTIL = dt.datetime.max.replace(tzinfo=UTC)

# What loading a value Python cannot hold raises: psycopg's DataError, wrapped
# by Django; ValueError and OverflowError where a converter does the arithmetic.
UNREADABLE_ERRORS: tuple[type[Exception], ...] = (DataError, ValueError, OverflowError)


def date_columns(model: type[Model]) -> tuple[str, ...]:
    """The model's date and datetime columns: the ones a stored value can put out of Python's range."""
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, (DateField, DateTimeField)))


COMMENT_DATES = date_columns(Comment)


def comment_dates(prefix: str = "") -> tuple[str, ...]:
    """Comment's date columns as ``defer()`` names, e.g. ``comment_dates("comment__")``."""
    return tuple(prefix + name for name in COMMENT_DATES)


def readable(*columns: str, until: dt.datetime = READABLE_UNTIL) -> Q:
    """Rows whose named datetime columns can be read back (NULL can); ``until``
    narrows the range where the caller does date arithmetic after the value."""
    condition = Q()
    for column in columns:
        condition &= Q(**{f"{column}__isnull": True}) | Q(**{f"{column}__range": (READABLE_FROM, until)})
    return condition


def unreadable_rows(queryset: QuerySet, *, columns: tuple[str, ...], limit: int = 20) -> list[dict]:
    """The rows of ``queryset`` that cannot be read back: their pk and the bad columns as the database prints them."""
    bad = queryset.exclude(readable(*columns)).order_by("pk")
    # Only the columns that are out of range, as text: the others are NULL.
    texts = {f"{column}_text": Case(When(~readable(column), then=Cast(column, CharField()))) for column in columns}
    return list(bad.annotate(**texts).values("pk", *texts)[:limit])
