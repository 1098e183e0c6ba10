import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from comments.importers import import_jsonl
from comments.models import Site
from comments.services import site_get_or_create


class Command(BaseCommand):
    help = "Import articles and comments from a JSON Lines file (schema in README.md). '-' reads stdin."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--site", required=True, help="site slug; the site is created when missing")
        parser.add_argument("--strict", action="store_true", help="stop at the first bad line")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--chunk-size", type=int, default=500, help="lines per transaction")

    def handle(self, *args, path: str, site: str, strict: bool, no_progress: bool, chunk_size: int, **options):
        try:
            stream = sys.stdin.buffer if path == "-" else Path(path).open("rb")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        total = None
        if path != "-":
            with Path(path).open("rb") as counting:
                total = sum(1 for _ in counting)
        target = site_get_or_create(slug=site, platform=Site.Platform.IMPORT)
        with stream, tqdm(total=total, unit="line", disable=no_progress, file=sys.stderr) as bar:
            summary = import_jsonl(
                site=target, lines=stream, stop_on_error=strict, on_line=bar.update, chunk_size=chunk_size
            )
        for error in summary.errors[:50]:
            self.stderr.write(error)
        if len(summary.errors) > 50:
            self.stderr.write(f"... and {len(summary.errors) - 50} more bad lines")
        changes = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.changes.items())) or "nothing"
        self.stdout.write(f"Imported into {site}: {changes}; {len(summary.errors)} bad lines skipped")
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} bad lines")
