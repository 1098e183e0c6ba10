from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks and the read API"

    def ready(self) -> None:
        # Moderation knows nothing of webhooks; we ask to hear about its outcomes,
        # inside its transaction, so the outbox row commits with the decision.
        from moderation.outcomes import register_moderated_hook

        from .services.outbound import outbound_record

        register_moderated_hook(outbound_record)
