from django.apps import AppConfig


class PerspectiveConfig(AppConfig):
    name = "perspective"
    verbose_name = "Perspective-compatible API and Coral moderation"
