import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comments.fields import IngestError, datetime_field
from moderation.models import ActiveScorer, CommentScoring, Score


class Command(BaseCommand):
    help = "Say which models the workers score with, and how much is pending or failed."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=0, help="seconds to wait for a worker to report")
        parser.add_argument("--since", help="ISO time: only count worker reports made after it")

    def handle(self, *args, wait: float, since: str | None, **options):
        try:
            after = datetime_field(since, "--since")
        except IngestError as bad:
            raise CommandError(str(bad)) from None
        deadline = time.monotonic() + wait
        while True:
            reports = ActiveScorer.objects.all()
            if after:
                reports = reports.filter(updated_at__gte=after)
            if reports.count() == len(Score.Kind.values) or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        if not reports.exists():
            raise CommandError("no worker has reported its models yet")
        for report in reports.order_by("kind"):
            line = f"{report.get_kind_display()} scorer: {report.scorer} {report.version}"
            if report.fallback_reason:
                self.stdout.write(self.style.WARNING(f"{line}\n  FALLBACK: {report.fallback_reason}"))
            else:
                self.stdout.write(self.style.SUCCESS(line))
        counts = {state: CommentScoring.objects.filter(state=state).count() for state in CommentScoring.State.values}
        self.stdout.write("Comments: " + ", ".join(f"{n} {state}" for state, n in counts.items()))
        self.stdout.write(f"(as of {timezone.now():%H:%M:%S})")
