from django.core.management.base import BaseCommand, CommandError

from comments.models import Site
from webhooks.models import SigningSecret
from webhooks.services.secrets import secret_rotate


class Command(BaseCommand):
    help = ("Create or rotate a site's signing secret and print it once. The previous one stays valid "
            "for --overlap-hours (default WEBHOOK_SECRET_OVERLAP_HOURS).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True)
        parser.add_argument("--purpose", required=True, choices=SigningSecret.Purpose.values)
        parser.add_argument("--value-from-stdin", action="store_true",
                            help="read the secret from stdin (Coral generates its own), instead of generating one")
        parser.add_argument("--overlap-hours", type=float)

    def handle(self, *args, site: str, purpose: str, value_from_stdin: bool, overlap_hours: float | None, **options) -> None:
        import datetime as dt
        import sys

        target = Site.objects.filter(slug=site).first()
        if target is None:
            raise CommandError(f"no site {site!r}")
        value = sys.stdin.readline().strip() if value_from_stdin else None
        overlap = dt.timedelta(hours=overlap_hours) if overlap_hours is not None else None
        try:
            secret = secret_rotate(site=target, purpose=purpose, value=value, overlap=overlap)
        except ValueError as bad:
            raise CommandError(str(bad)) from None
        if value is None:
            self.stdout.write(secret)
        else:
            self.stderr.write(f"stored the {purpose} secret for {site}")
