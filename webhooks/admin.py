from django.contrib import admin, messages

from comments.admin_readable import ReadableRowsAdmin

from .models import ApiToken, Delivery, OutboundAttempt, OutboundEndpoint, OutboundEvent, PlatformConnection, SigningSecret
from .services.deliveries import delivery_replay
from .services.outbound import outbound_retry
from .services.tokens import api_token_revoke


@admin.register(Delivery)
class DeliveryAdmin(ReadableRowsAdmin):
    list_display = ("delivery_id", "site", "source", "event_type", "state", "attempts", "last_error", "received_at")
    list_filter = ("state", "source", "site")
    search_fields = ("delivery_id", "event_type", "last_error")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["replay"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Replay the selected deliveries")
    def replay(self, request, queryset) -> None:
        count = sum(delivery_replay(delivery_pk=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} deliveries queued for processing again.", messages.SUCCESS)


class OutboundAttemptInline(admin.TabularInline):
    model = OutboundAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempted_at", "status_code", "error", "duration_ms")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboundEvent)
class OutboundEventAdmin(ReadableRowsAdmin):
    list_display = ("message_id", "site", "event_type", "state", "attempts", "next_attempt_at", "last_error", "created_at")
    list_filter = ("state", "site")
    search_fields = ("message_id", "last_error")
    readonly_fields = [f.name for f in OutboundEvent._meta.fields]
    inlines = [OutboundAttemptInline]
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Send the selected dead letters again")
    def retry(self, request, queryset) -> None:
        count = sum(outbound_retry(event_pk=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} events queued again.", messages.SUCCESS)


@admin.register(SigningSecret)
class SigningSecretAdmin(admin.ModelAdmin):
    """Secrets are listed by hint only; create or rotate them with `manage.py webhook_secret`."""

    list_display = ("site", "purpose", "hint", "created_at", "expires_at")
    list_filter = ("purpose", "site")
    fields = ("site", "purpose", "hint", "created_at", "expires_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "hint", "created_at", "last_used_at", "revoked_at")
    list_filter = ("site",)
    fields = ("name", "site", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        count = sum(api_token_revoke(token_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} tokens revoked.", messages.SUCCESS)


@admin.register(OutboundEndpoint)
class OutboundEndpointAdmin(admin.ModelAdmin):
    list_display = ("site", "url", "active", "updated_at")


@admin.register(PlatformConnection)
class PlatformConnectionAdmin(admin.ModelAdmin):
    list_display = ("site", "base_url", "poll_after", "updated_at")
    exclude = ("access_token",)  # set with `manage.py platform_connect`; never displayed
