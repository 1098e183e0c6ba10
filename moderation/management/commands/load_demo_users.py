"""Demo accounts for the moderator queue. Safe to re-run; prints the credentials."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from comments.services import site_get_or_create

from ...models import SiteMembership
from ...services.site_settings import rejection_reasons_ensure_for

Role = SiteMembership.Role
# username, password, role on every demo site. Demo only: never on a real deployment.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("moderator", "moderator", Role.MODERATOR),
    ("moderator2", "moderator2", Role.MODERATOR),
    ("senior", "senior", Role.SENIOR),
    ("owner", "owner", Role.OWNER),
)
DEMO_SITES: tuple[tuple[str, str], ...] = (("demo", "Demo Gazette"), ("vt", "vt"))


class Command(BaseCommand):
    help = "Create the demo moderator, senior and owner accounts with roles on the demo and sample sites."

    def handle(self, *args, **options):
        User = get_user_model()
        sites = [site_get_or_create(slug=slug, name=name) for slug, name in DEMO_SITES]
        rejection_reasons_ensure_for(site_ids=[site.pk for site in sites])  # sites stored before they had any
        for username, password, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.save()
            for site in sites:
                SiteMembership.objects.update_or_create(user=user, site=site, defaults={"role": role})
        names = ", ".join(slug for slug, _ in DEMO_SITES)
        self.stdout.write(f"Demo users (sites {names}):")
        for username, password, role in DEMO_USERS:
            self.stdout.write(f"  {username} / {password}  ({Role(role).label})")
