"""Ingestion: the one way content gets into the database.

Every input path (imports, webhooks, the analyze API) validates into the
inputs of ``comments.schema`` and calls these functions. Each is one
transaction and an idempotent upsert keyed on (site, external_id).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Concat, Length, Right, Substr
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from .events import Change, emit_comment_changed, emit_site_created
from .models import Article, Author, Comment, Site
from .schema import ArticleInput, AuthorInput, CommentInput, Event, IngestError, IngestRefused
from .threading import MAX_PATH_CHARS, SEGMENT_WIDTH, child_path, path_contains


@dataclass(frozen=True)
class IngestResult:
    comment: Comment | None = None
    article: Article | None = None
    change: Change | None = None  # None: nothing changed (a repeat)


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def site_get_or_create(*, slug: str, name: str = "", platform: str = Site.Platform.GENERIC) -> Site:
    with transaction.atomic():
        site, created = Site.objects.get_or_create(slug=slug, defaults={"name": name or slug, "platform": platform})
        if created:
            site_created(site=site)
    return site


def site_created(*, site: Site) -> None:
    """A site was just stored (by ``site_get_or_create`` or the admin): its listeners
    (moderation's default rejection reasons) run inside the same transaction."""
    emit_site_created(site)


def _get_or_create(model, *, site: Site, external_id: str, defaults: dict):
    """get_or_create that survives a concurrent insert of the same key."""
    try:
        return model.objects.get_or_create(site=site, external_id=external_id, defaults=defaults)
    except IntegrityError:
        return model.objects.get(site=site, external_id=external_id), False


def article_upsert(*, site: Site, data: ArticleInput) -> Article:
    fields = {
        "url": data.url,
        "title": data.title,
        "author_name": data.author_name,
        "published_at": data.published_at,
        "body": data.body,
    }
    # Only what the input says overwrites what is stored: a comment event that
    # names its article by id alone must not blank the article's title.
    given = {name: value for name, value in fields.items() if value not in (None, "")}
    article, created = _get_or_create(Article, site=site, external_id=data.external_id, defaults=given)
    changed = {name: value for name, value in given.items() if getattr(article, name) != value}
    if not created and changed:
        Article.objects.filter(pk=article.pk).update(**changed, updated_at=timezone.now())
        for name, value in changed.items():
            setattr(article, name, value)
    return article


def author_upsert(*, site: Site, data: AuthorInput) -> Author:
    author, created = _get_or_create(
        Author, site=site, external_id=data.external_id, defaults={"display_name": data.display_name}
    )
    if not created and data.display_name and author.display_name != data.display_name:
        Author.objects.filter(pk=author.pk).update(display_name=data.display_name)
        author.display_name = data.display_name
    return author


def comment_upsert(*, site: Site, data: CommentInput) -> IngestResult:
    """Create or update one comment; replies that arrived early are linked to it.
    One transaction (a savepoint inside the caller's): bad input leaves nothing behind."""
    with transaction.atomic():
        article = article_upsert(site=site, data=data.article)
        author = author_upsert(site=site, data=data.author) if data.author else None
        existing = Comment.objects.select_for_update().filter(site=site, external_id=data.external_id).first()
        if existing is not None:
            return _comment_update(existing, data=data, article=article, author=author)
        try:
            with transaction.atomic():
                comment = _comment_create(site=site, data=data, article=article, author=author)
        except IntegrityError:
            # Someone inserted the same comment between our read and write.
            existing = Comment.objects.select_for_update().get(site=site, external_id=data.external_id)
            return _comment_update(existing, data=data, article=article, author=author)
        emit_comment_changed(comment, Change.CREATED)
        return IngestResult(comment=comment, article=article, change=Change.CREATED)


def _comment_create(*, site: Site, data: CommentInput, article: Article, author: Author | None) -> Comment:
    parent = None
    if data.parent_external_id:
        parent = Comment.objects.filter(site=site, external_id=data.parent_external_id).first()
        if parent is not None and parent.article_id != article.pk:
            # Permanent: the parent's article never changes, so a retry cannot help.
            raise IngestRefused("data.parent_id", "the parent comment belongs to another article")
    body = data.body
    comment = Comment.objects.create(
        site=site,
        article=article,
        author=author,
        parent=parent,
        awaiting_parent_external_id=data.parent_external_id if parent is None else "",
        external_id=data.external_id,
        body=body,
        content_hash=content_hash(body),
        created_at=data.created_at or timezone.now(),
        edited_at=data.edited_at,
    )
    comment.depth = parent.depth + 1 if parent else 0
    comment.path = child_path(parent_path=parent.path if parent else "", created_at=comment.created_at, pk=comment.pk)
    Comment.objects.filter(pk=comment.pk).update(path=comment.path, depth=comment.depth)
    _adopt_early_replies(comment)
    return comment


def _adopt_early_replies(parent: Comment) -> None:
    """Move replies stored before their parent (and their subtrees) under it.
    A reply that cannot go there (the parent is inside its own subtree, or in
    another article) stops waiting and stays top-level with the reason."""
    early = Comment.objects.filter(site_id=parent.site_id, awaiting_parent_external_id=parent.external_id)
    for reply in early:
        refused = _parent_refusal(reply=reply, parent=parent)
        if refused:
            Comment.objects.filter(pk=reply.pk).update(
                awaiting_parent_external_id="", parent_refused=refused, refused_parent_external_id=parent.external_id
            )
            continue
        _subtree_move(root=reply, parent=parent)
        Comment.objects.filter(pk=reply.pk).update(parent=parent, awaiting_parent_external_id="")


def _parent_refusal(*, reply: Comment, parent: Comment) -> str:
    """Why ``reply`` cannot be linked under ``parent`` ("" when it can)."""
    if reply.article_id != parent.article_id:
        return Comment.ParentRefused.OTHER_ARTICLE
    # The parent is the reply or one of its replies: linking would close a loop.
    if reply.pk == parent.pk or path_contains(path=parent.path, ancestor_path=reply.path):
        return Comment.ParentRefused.CYCLE
    return ""


def _subtree_move(*, root: Comment, parent: Comment) -> None:
    """One UPDATE: every path under ``root`` gets ``parent``'s path in front,
    still capped at MAX_PATH_DEPTH levels (deeper ones keep the first levels
    and their own segment, as ``child_path`` does)."""
    new_root = child_path(parent_path=parent.path, created_at=root.created_at, pk=root.pk)
    moved = Concat(Value(new_root), Substr("path", len(root.path) + 1), output_field=CharField())
    capped = Concat(
        Substr(moved, 1, MAX_PATH_CHARS - SEGMENT_WIDTH), Right("path", SEGMENT_WIDTH), output_field=CharField()
    )
    Comment.objects.filter(article_id=root.article_id, path__startswith=root.path).update(
        path=Case(When(GreaterThan(Length(moved), MAX_PATH_CHARS), then=capped), default=moved, output_field=CharField()),
        depth=F("depth") + (parent.depth + 1 - root.depth),
    )


def _comment_update(
    comment: Comment, *, data: CommentInput, article: Article, author: Author | None
) -> IngestResult:
    if comment.article_id != article.pk:
        raise IngestRefused("data.article.id", "the comment is stored under another article")
    updates: dict = {}
    if author is not None and comment.author_id != author.pk:
        updates["author"] = author
    new_hash = content_hash(data.body)
    # A creation event carries the first text: it never undoes an edit, also one that arrived first.
    stale = (data.original and (comment.edit_count > 0 or comment.edited_at is not None)) or (
        data.edited_at is not None and comment.edited_at is not None and data.edited_at < comment.edited_at
    )
    text_changed = new_hash != comment.content_hash and not stale
    if text_changed:
        updates.update(
            body=data.body,
            content_hash=new_hash,
            edit_count=comment.edit_count + 1,
            edited_at=data.edited_at or timezone.now(),
        )
    if not updates:
        return IngestResult(comment=comment, article=article, change=None)
    Comment.objects.filter(pk=comment.pk).update(**updates, updated_at=timezone.now())
    comment.refresh_from_db()
    if not text_changed:
        return IngestResult(comment=comment, article=article, change=None)
    emit_comment_changed(comment, Change.EDITED)
    return IngestResult(comment=comment, article=article, change=Change.EDITED)


def comment_remove(*, site: Site, external_id: str, article: ArticleInput | None = None) -> IngestResult:
    """Hide a comment and keep its record. A deletion that arrives before its
    comment leaves a tombstone, so the late creation does not resurrect it;
    the tombstone adopts replies stored before it, and later ones attach to it."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(site=site, external_id=external_id).first()
        now = timezone.now()
        if comment is None:
            if article is None:
                raise IngestError("data.id", f"unknown comment {external_id!r}")
            stored_article = article_upsert(site=site, data=article)
            comment = Comment.objects.create(
                site=site,
                article=stored_article,
                external_id=external_id,
                body="",
                content_hash=content_hash(""),
                status=Comment.Status.REMOVED,
                created_at=now,
                removed_at=now,
            )
            comment.path = child_path(parent_path="", created_at=now, pk=comment.pk)
            Comment.objects.filter(pk=comment.pk).update(path=comment.path)
            # A tombstone is a parent like any other: replies that came even earlier go under it.
            _adopt_early_replies(comment)
            return IngestResult(comment=comment, change=Change.REMOVED)
        changed = (
            Comment.objects.filter(pk=comment.pk)
            .exclude(status=Comment.Status.REMOVED)
            .update(status=Comment.Status.REMOVED, removed_at=now, updated_at=now)
        )
        comment.refresh_from_db()
        if not changed:
            return IngestResult(comment=comment, change=None)
        emit_comment_changed(comment, Change.REMOVED)
        return IngestResult(comment=comment, change=Change.REMOVED)


def comment_restore(*, site: Site, external_id: str) -> bool:
    """Undo a platform deletion (a post recovered on the platform). A
    moderator's rejection (no ``removed_at``) is not the platform's to undo."""
    return bool(
        Comment.objects.filter(site=site, external_id=external_id, status=Comment.Status.REMOVED, removed_at__isnull=False)
        .update(status=Comment.Status.VISIBLE, removed_at=None, updated_at=timezone.now())
    )


def comment_awaiting_rename(*, site: Site, old: str, new: str) -> int:
    """Replies stored while their parent was known only by a platform-specific
    reference (a Discourse post number) wait for its id instead, so they are
    adopted when it is created."""
    return Comment.objects.filter(site=site, awaiting_parent_external_id=old).update(awaiting_parent_external_id=new)


def event_apply(*, site: Site, event: Event) -> IngestResult:
    """Apply one validated event (JSON Lines import, webhooks)."""
    if event.type == "article.upserted":
        return IngestResult(article=article_upsert(site=site, data=event.article))
    if event.type == "comment.deleted":
        return comment_remove(site=site, external_id=event.comment_external_id, article=event.article)
    return comment_upsert(site=site, data=event.comment)


def comment_set_status(*, comment_id: int, expected: str, new: str) -> bool:
    """Guarded status change: True when this call made it, False when the
    comment was not in ``expected`` any more (someone else got there first)."""
    return bool(
        Comment.objects.filter(pk=comment_id, status=expected).update(status=new, updated_at=timezone.now())
    )
