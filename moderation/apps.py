from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        # comments/ never imports moderation; moderation asks to hear about changed text.
        from comments.events import listen_comment_changed

        from .listeners import comment_changed

        listen_comment_changed(comment_changed)
