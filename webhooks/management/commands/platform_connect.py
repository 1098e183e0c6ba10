import sys

from django.core.management.base import BaseCommand, CommandError

from comments.models import Site
from webhooks.models import OutboundEndpoint, PlatformConnection


class Command(BaseCommand):
    help = ("Set where we reach a site's platform (Coral API, WordPress site; the token is read from stdin with "
            "--token-from-stdin) and where its comment.moderated events go (--outbound-url).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True)
        parser.add_argument("--base-url")
        parser.add_argument("--token-from-stdin", action="store_true")
        parser.add_argument("--outbound-url")

    def handle(self, *args, site: str, base_url: str | None, token_from_stdin: bool, outbound_url: str | None, **options):
        target = Site.objects.filter(slug=site).first()
        if target is None:
            raise CommandError(f"no site {site!r}")
        if base_url or token_from_stdin:
            connection, _ = PlatformConnection.objects.get_or_create(site=target, defaults={"base_url": base_url or ""})
            if base_url:
                connection.base_url = base_url
            if token_from_stdin:
                connection.access_token = sys.stdin.readline().strip()
            connection.save()
        if outbound_url:
            OutboundEndpoint.objects.update_or_create(site=target, defaults={"url": outbound_url, "active": True})
        self.stderr.write(f"updated {site}")
