from django.core.management.base import BaseCommand, CommandError

from comments.models import Site
from webhooks.services.tokens import api_token_create


class Command(BaseCommand):
    help = "Create a read API token for a site and print it once (revoke it in admin)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True)
        parser.add_argument("--name", default="api")

    def handle(self, *args, site: str, name: str, **options) -> None:
        target = Site.objects.filter(slug=site).first()
        if target is None:
            raise CommandError(f"no site {site!r}")
        self.stdout.write(api_token_create(site=target, name=name))
