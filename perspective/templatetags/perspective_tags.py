from django import template

from ..models import ApiKey, CoralSigningSecret
from ..public_endpoint import perspective_public_endpoint

register = template.Library()


@register.inclusion_tag("perspective/settings_panel.html", takes_context=True)
def perspective_settings(context, site):
    """The API keys and Coral secrets panel of a site's settings page."""
    request = context["request"]
    return {
        "site": site,
        "csrf_token": context.get("csrf_token"),
        "keys": ApiKey.objects.filter(site=site),
        "coral_secrets": CoralSigningSecret.objects.filter(site=site),
        "endpoint": perspective_public_endpoint(request=request),
        "coral_url": request.build_absolute_uri(f"/coral/{site.slug}/moderation/"),
    }
