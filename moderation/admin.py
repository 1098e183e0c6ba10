from django.contrib import admin

from comments.admin_readable import RelatedDatesDeferredAdmin

from .models import (
    ActiveScorer, AuditEvent, AuthorSanction, Claim, CommentReport, CommentScoring, Decision, Flag, FlagPolicy,
    RejectionReason, Review, Score, ScoreFeedback, SiteMembership,
)
from .services.flags import flag_policy_update


@admin.register(CommentScoring)
class CommentScoringAdmin(RelatedDatesDeferredAdmin):
    list_display = ("comment", "state", "attempts", "last_error", "pending_since", "scored_at")
    list_filter = ("state",)
    search_fields = ("comment__external_id", "last_error")
    raw_id_fields = ("comment", "toxicity_score", "framing_score")
    readonly_fields = [f.name for f in CommentScoring._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Score)
class ScoreAdmin(RelatedDatesDeferredAdmin):
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
class FlagAdmin(RelatedDatesDeferredAdmin):
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
        flag_policy_update(
            site=obj.site, rules=obj.rules, banned_words=obj.banned_words,
            suspect_words=obj.suspect_words, framing_terms=obj.framing_terms,
        )


class ReadOnlyAdmin(RelatedDatesDeferredAdmin):
    """The queue's records are written by its services only; admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_name", "action", "site", "target")
    list_filter = ("action", "site")
    search_fields = ("actor_name", "target")
    date_hierarchy = "created_at"


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "moderator", "action", "comment", "reason_label", "undone_at")
    list_filter = ("action", "site")
    raw_id_fields = ("comment",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("comment", "site", "state", "version", "decided_by", "decided_at")
    list_filter = ("state", "site")


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "site", "role", "created_at")
    list_filter = ("role", "site")
    search_fields = ("user__username",)


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ("site", "label", "code", "position", "active")
    list_filter = ("site", "active")


@admin.register(AuthorSanction)
class AuthorSanctionAdmin(ReadOnlyAdmin):
    list_display = ("author", "site", "kind", "starts_at", "ends_at", "lifted_at", "created_by")
    list_filter = ("kind", "site")


@admin.register(ScoreFeedback)
class ScoreFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("comment", "label", "scorer", "version", "model_score", "expected", "moderator", "created_at")
    list_filter = ("label", "scorer")


@admin.register(CommentReport)
class CommentReportAdmin(RelatedDatesDeferredAdmin):
    list_display = ("comment", "site", "reporter", "reason", "created_at", "resolved_by")
    raw_id_fields = ("comment", "resolved_by")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("comment", "user", "claimed_at", "expires_at")
