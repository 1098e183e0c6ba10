from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        # comments/ never imports moderation; moderation asks to hear about changed text.
        from comments.hooks import register_comment_hook

        from .hooks import comment_changed

        register_comment_hook(comment_changed)
