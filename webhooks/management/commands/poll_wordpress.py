from django.core.management.base import BaseCommand, CommandError

from comments.models import Site
from webhooks.platforms.wordpress.poll import PollFailed, wordpress_poll


class Command(BaseCommand):
    help = "Ingest a WordPress site's new comments from its REST API (/wp-json/wp/v2/comments)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True)

    def handle(self, *args, site: str, **options) -> None:
        target = Site.objects.filter(slug=site).first()
        if target is None:
            raise CommandError(f"no site {site!r}")
        try:
            result = wordpress_poll(site=target)
        except PollFailed as failed:
            raise CommandError(str(failed)) from None
        for line in result.bad:
            self.stderr.write(line)
        self.stdout.write(f"{result.stored} comments stored from {result.pages} pages, {len(result.bad)} bad")
        if result.bad:
            raise CommandError("some comments were bad")
