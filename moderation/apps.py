from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        # comments/ never imports moderation; moderation listens for changed text and new sites.
        from comments.events import listen_comment_changed, listen_site_created

        from .listeners import comment_changed, site_created

        listen_comment_changed(comment_changed)
        listen_site_created(site_created)
