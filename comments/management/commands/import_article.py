from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comments.importers import import_article_text
from comments.models import Site
from comments.services import site_get_or_create


class Command(BaseCommand):
    help = "Import an article page saved as plain text, with its numbered reader comments."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--site", required=True, help="site slug; the site is created when missing")

    def handle(self, *args, path: Path, site: str, **options):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        try:
            summary = import_article_text(site=site_get_or_create(slug=site, platform=Site.Platform.IMPORT), text=text)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error
        for note in summary.notes:
            self.stderr.write(f"{path.name}: {note}")
        changes = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.changes.items()))
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name} into {site}: {changes}"))
