from django.contrib import admin

from .models import ActiveScorer, CommentScoring, Flag, FlagPolicy, Score


@admin.register(CommentScoring)
class CommentScoringAdmin(admin.ModelAdmin):
    list_display = ("comment", "state", "attempts", "last_error", "pending_since", "scored_at")
    list_filter = ("state",)
    search_fields = ("comment__external_id", "last_error")
    raw_id_fields = ("comment", "toxicity_score", "framing_score")
    readonly_fields = [f.name for f in CommentScoring._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("comment", "kind", "scorer", "version", "labels", "batch_size", "batch_ms", "created_at")
    list_filter = ("kind", "scorer", "version")
    search_fields = ("comment__external_id",)
    raw_id_fields = ("comment",)
    readonly_fields = [f.name for f in Score._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ActiveScorer)
class ActiveScorerAdmin(admin.ModelAdmin):
    list_display = ("kind", "scorer", "version", "fallback_reason", "updated_at")
    readonly_fields = ("kind", "scorer", "version", "fallback_reason", "updated_at")


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("comment", "site", "state", "priority", "reasons", "created_at")
    list_filter = ("state", "site")
    raw_id_fields = ("comment",)
    readonly_fields = ("comment", "site", "state", "reasons", "priority", "held_by_policy", "created_at", "updated_at")
    ordering = ("-priority", "created_at")


@admin.register(FlagPolicy)
class FlagPolicyAdmin(admin.ModelAdmin):
    list_display = ("site", "updated_at")
    # Saving through admin must re-evaluate flags the same way the services do.
    def save_model(self, request, obj, form, change) -> None:
        from .services.flags import flag_policy_update

        flag_policy_update(
            site=obj.site, rules=obj.rules, banned_words=obj.banned_words,
            suspect_words=obj.suspect_words, framing_terms=obj.framing_terms,
        )
