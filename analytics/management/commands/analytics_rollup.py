from django.core.management.base import BaseCommand, CommandError

from comments.models import Site

from ...services.rollups import rollups_rebuild, rollups_update


class Command(BaseCommand):
    help = "Bring the analytics rollups up to date (what changed since the watermark), or --rebuild them from scratch."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute everything from the source tables")
        parser.add_argument("--site", help="with --rebuild: only this site (slug)")

    def handle(self, *args, rebuild=False, site=None, **options):
        if site and not rebuild:
            raise CommandError("--site goes with --rebuild")
        if rebuild:
            site_ids = None
            if site:
                site_ids = list(Site.objects.filter(slug=site).values_list("pk", flat=True))
                if not site_ids:
                    raise CommandError(f"no site {site!r}")
            result = rollups_rebuild(site_ids=site_ids)
        else:
            result = rollups_update()
        kind = "rebuilt" if result.rebuilt else "updated"
        self.stdout.write(f"Analytics {kind}: {result.site_days} site-days, {result.authors} authors, "
                          f"{result.articles} articles' threads in {result.seconds:.2f}s")
        for site_id, error in result.failed.items():
            self.stderr.write(f"site {site_id} failed (see admin, Rollup failures): {error}")
