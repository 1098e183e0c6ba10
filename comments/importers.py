"""Bulk paths into the ingestion service: article pages and JSON Lines files."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from django.db import transaction
from django.utils.text import slugify

from .article_text import parse_article_text
from .article_text import ParsedComment
from .fields import MAX_ID_LENGTH, datetime_field, parse_json
from .models import Site
from .schema import ArticleInput, AuthorInput, CommentInput, IngestError, parse_event
from .services import article_upsert, comment_upsert, event_apply


# A line holds one event; an article body may be 1,000,000 characters, escaped.
MAX_LINE_BYTES = 16 * 1024 * 1024


@dataclass
class ImportSummary:
    changes: Counter = field(default_factory=Counter)  # "created", "edited", "removed", "unchanged", "article"
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # kept going, but said why (a byline's date out of range)

    @property
    def ok(self) -> bool:
        return not self.errors


def article_external_id(title: str) -> str:
    return slugify(title)[:200] or "untitled"


def _byline_author(comment: ParsedComment) -> AuthorInput | None:
    """The page gives a name, not an account: the name is the author's id within the site."""
    if not comment.author_name:
        return None
    return AuthorInput(external_id=f"name:{comment.author_name}"[:MAX_ID_LENGTH], display_name=comment.author_name[:200])


def _byline_date(comment: ParsedComment, summary: ImportSummary):
    """The byline's date within comments.fields' bounds; out of range, the import time (and a note)."""
    try:
        return datetime_field(comment.written_at, f"comment {comment.number} date")
    except IngestError as error:
        summary.notes.append(f"{error}; kept the import time")
        return None


def import_article_text(*, site: Site, text: str) -> ImportSummary:
    """Import an article page (plain text) with its comments, in one transaction."""
    parsed = parse_article_text(text)
    summary = ImportSummary()
    article_id = article_external_id(parsed.title)
    article = ArticleInput(external_id=article_id, title=parsed.title[:500], body=parsed.body)
    with transaction.atomic():
        article_upsert(site=site, data=article)
        summary.changes["article"] += 1
        by_id = ArticleInput(external_id=article_id)
        for comment, parent in parsed.all_comments():
            result = comment_upsert(
                site=site,
                data=CommentInput(
                    external_id=f"{article_id}#{comment.number}",
                    article=by_id,
                    body=comment.text,
                    parent_external_id=f"{article_id}#{parent.number}" if parent else "",
                    author=_byline_author(comment),
                    created_at=_byline_date(comment, summary),
                ),
            )
            summary.changes[result.change.value if result.change else "unchanged"] += 1
    return summary


def import_jsonl(
    *,
    site: Site,
    lines: Iterable[str | bytes],
    chunk_size: int = 500,
    stop_on_error: bool = False,
    on_line: Callable[[], None] | None = None,
) -> ImportSummary:
    """Import events, one JSON object a line. A bad line is reported with its
    number and the field at fault and skipped; the good ones commit in chunks."""
    summary = ImportSummary()
    chunk: list = []

    def flush() -> None:
        with transaction.atomic():
            for number, event in chunk:
                try:
                    # Each upsert is its own savepoint: a bad event rolls back alone.
                    result = event_apply(site=site, event=event)
                except IngestError as error:
                    summary.errors.append(f"line {number}: {error}")
                    continue
                key = "article" if event.type == "article.upserted" else (result.change.value if result.change else "unchanged")
                summary.changes[key] += 1
        chunk.clear()

    for number, raw in enumerate(lines, start=1):
        if on_line:
            on_line()
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as error:
            summary.errors.append(f"line {number}: not UTF-8 ({error.reason} at byte {error.start})")
        else:
            if not line.strip():
                continue
            try:
                document = parse_json(line, field=f"line {number}", max_bytes=MAX_LINE_BYTES)
            except IngestError as error:
                summary.errors.append(str(error))
            else:
                try:
                    chunk.append((number, parse_event(document)))
                except IngestError as error:
                    summary.errors.append(f"line {number}: {error}")
        if summary.errors and stop_on_error:
            break
        if len(chunk) >= chunk_size:
            flush()
    if chunk and not (summary.errors and stop_on_error):
        flush()
    return summary
