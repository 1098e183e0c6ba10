from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .admin_readable import ReadableRowsAdmin, RelatedDatesDeferredAdmin
from .layout import depth_class
from .models import Article, Author, Comment, Site
from .selectors import thread_for_article
from .services import site_created


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "platform", "created_at")
    list_filter = ("platform",)
    search_fields = ("slug", "name")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj: Site, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            site_created(site=obj)  # inside the admin's transaction


@admin.register(Article)
class ArticleAdmin(ReadableRowsAdmin):
    list_display = ("title", "site", "external_id", "published_at", "comment_count")
    list_filter = ("site",)
    search_fields = ("title", "external_id", "url")
    readonly_fields = ("thread",)
    date_hierarchy = "published_at"

    @admin.display(description="comments")
    def comment_count(self, article: Article) -> int:
        return article.comments.count()

    @admin.display(description="Thread")
    def thread(self, article: Article):
        rows = format_html_join(
            "",
            '<li class="{}"><strong>{}</strong> <small>{} · {}</small><br>{}</li>',
            (
                (
                    depth_class(comment.depth),
                    comment.author or "anonymous",
                    comment.created_at.strftime("%Y-%m-%d %H:%M"),
                    comment.get_status_display(),
                    Truncator(comment.body).chars(400),
                )
                for comment in thread_for_article(article=article)
            ),
        )
        return format_html('<ul class="admin-thread">{}</ul>', rows) if rows else "No comments."


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("display_name", "external_id", "site", "first_seen_at")
    list_filter = ("site",)
    search_fields = ("display_name", "external_id")


@admin.register(Comment)
class CommentAdmin(ReadableRowsAdmin, RelatedDatesDeferredAdmin):
    list_display = ("external_id", "excerpt", "article", "author", "status", "depth", "edit_count", "created_at")
    list_filter = ("site", "status", "parent_refused")
    search_fields = ("body", "external_id", "author__display_name", "article__title")
    list_select_related = ("article", "author")
    raw_id_fields = ("article", "author", "parent")
    readonly_fields = (
        "content_hash", "path", "depth", "ingested_at", "updated_at", "parent_refused", "refused_parent_external_id",
    )
    date_hierarchy = "created_at"

    @admin.display(description="text")
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(80)
