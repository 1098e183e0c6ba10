"""Signal receivers of the moderator queue, connected when the models load
(moderation.models imports this module)."""
from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from comments.models import Site


@receiver(post_save, sender=Site, dispatch_uid="moderation.site_default_reasons")
def site_default_reasons(sender, instance: Site, created: bool, raw: bool = False, **kwargs) -> None:
    """A new site starts with the default rejection reasons, so 'reject' always offers some."""
    if created and not raw:
        from .services.site_settings import rejection_reasons_ensure

        rejection_reasons_ensure(site=instance)
