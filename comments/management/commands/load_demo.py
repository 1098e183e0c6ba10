from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comments.importers import import_jsonl
from comments.services import site_get_or_create

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "demo.jsonl"


class Command(BaseCommand):
    help = "Load the demo site: three articles with threaded comments of varied tone. Safe to re-run."

    def handle(self, *args, **options):
        site = site_get_or_create(slug="demo", name="Demo Gazette")
        with DEMO_FILE.open("rb") as lines:
            summary = import_jsonl(site=site, lines=lines)
        if summary.errors:
            raise CommandError("; ".join(summary.errors))
        changes = ", ".join(f"{count} {kind}" for kind, count in sorted(summary.changes.items()))
        self.stdout.write(f"Demo site 'demo': {changes}")
