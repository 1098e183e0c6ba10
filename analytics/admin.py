from django.contrib import admin, messages

from .models import RollupFailure
from .services.rollup_failures import rollup_failure_retry


@admin.register(RollupFailure)
class RollupFailureAdmin(admin.ModelAdmin):
    """Sites whose analytics rollup raised: the error, the tries, and a way to try again."""

    list_display = ("site", "state", "attempts", "last_error", "failed_at")
    list_filter = ("state",)
    readonly_fields = ("site", "state", "attempts", "last_error", "failed_at")
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry the selected sites at the next rollup")
    def retry(self, request, queryset) -> None:
        count = sum(rollup_failure_retry(site_id=pk) for pk in queryset.values_list("site_id", flat=True))
        self.message_user(request, f"{count} sites will be recomputed at the next rollup.", messages.SUCCESS)
