"""Thin wrapper: ``judgement.io`` reads the file, ``moderation.offline.scoring`` scores it and applies the policy."""
import json

from django.core.management.base import BaseCommand

from moderation.management.offline_input import BadRows, add_input_arguments, input_rows, setup_for
from moderation.offline.scoring import BATCH_SIZE, scored_rows


class Command(BaseCommand):
    help = (
        "Score a file of texts with the workers' scorers and (with --site) the site's framing terms and "
        "flag policy; print one JSON object per good row on stdout; write nothing to the database. "
        "Exit 0: all rows good; 1: bad rows were skipped (reported on stderr by line); 2: nothing done."
    )

    def add_arguments(self, parser):
        add_input_arguments(parser)
        parser.add_argument("--text-field", default="text", help="the field or column holding the text")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="texts per scoring call")
        parser.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")

    def handle(self, *args, file: str, format: str | None, site: str | None, text_field: str,
               batch_size: int, no_progress: bool, **options):
        bad = BadRows(self.stderr)
        good = 0
        # The file first: a typo in its name should not wait for the models to load.
        with input_rows(path=file, fmt=format, text_field=text_field) as rows:
            setup = setup_for(site=site, stderr=self.stderr)
            models = setup.models()
            for row, result in scored_rows(
                setup=setup, rows=rows, text_field=text_field, on_bad=bad, batch_size=max(1, batch_size),
                on_progress=None if no_progress else lambda done: self.stderr.write(f"scored {done} rows"),
            ):
                good += 1
                self.stdout.write(json.dumps({
                    "line": row.line,
                    "scores": result.scores,
                    "action": result.verdict.action,
                    "flags": [reason.as_dict() for reason in result.verdict.reasons],
                    "evidence": result.evidence,
                    "models": models,
                }))
        bad.finish(good=good)
