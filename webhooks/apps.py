from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks and the read API"

    def ready(self) -> None:
        # Moderation knows nothing of webhooks; we listen to its "moderated" event,
        # inside its transaction, so the outbox row commits with the decision.
        from moderation.events import listen_moderated

        from .services.outbound import outbound_record

        listen_moderated(outbound_record)
