"""Thin wrapper: ``moderation.offline.evaluation`` measures, ``judgement.evaluation.figures`` computes."""
import json

from django.core.management.base import BaseCommand, CommandError

from moderation.management.offline_input import FATAL, BadRows, add_input_arguments, input_rows, setup_for
from moderation.offline.evaluation import (
    DEFAULT_LABEL_MAP, FALLBACK_THRESHOLD, LabelReport, evaluate_rows, label_owners, parse_label_map,
)
from moderation.offline.scoring import BATCH_SIZE

FORMATS = ("jsonl", "csv")  # a file of bare lines has nowhere to keep a label
COLUMNS = ("label", "scorer", "n", "pos", "AUC", "thr", "MCC", "best MCC", "best at", "P", "R")


class Command(BaseCommand):
    help = (
        "Measure the workers' scorers on a labelled JSONL or CSV file: per label n, positives, AUC, MCC at the "
        "policy threshold (the site's with --site), best MCC and its threshold, precision, recall. "
        "Writes nothing to the database. Exit 0: all rows good; 1: bad rows were skipped; 2: nothing done."
    )

    def add_arguments(self, parser):
        add_input_arguments(parser, formats=FORMATS)
        parser.add_argument("--text-field", default="text", help="the field or column holding the text")
        parser.add_argument("--label-field", required=True, help="the field or column holding the truth")
        parser.add_argument("--label-map", default=None,
                            help="RAW=0|1,... (case-insensitive); default 1/0, true/false, yes/no")
        parser.add_argument("--labels", default=None, help="only these scorer labels, comma-separated")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the report as JSON")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="texts per scoring call")
        parser.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")

    def handle(self, *args, file: str, format: str | None, site: str | None, text_field: str, label_field: str,
               label_map: str | None, labels: str | None, as_json: bool, batch_size: int, no_progress: bool,
               **options):
        try:
            mapping = parse_label_map(label_map) if label_map else DEFAULT_LABEL_MAP
        except ValueError as error:
            raise CommandError(str(error), returncode=FATAL) from error
        bad = BadRows(self.stderr)
        # The file first: a typo in its name should not wait for the models to load.
        with input_rows(path=file, fmt=format, text_field=text_field, formats=FORMATS) as rows:
            setup = setup_for(site=site, stderr=self.stderr)
            wanted = self._wanted(labels, list(label_owners(setup=setup)))
            found = evaluate_rows(
                setup=setup, rows=rows, text_field=text_field, label_field=label_field, mapping=mapping,
                labels=wanted, on_bad=bad, batch_size=max(1, batch_size),
                on_progress=None if no_progress else lambda done: self.stderr.write(f"scored {done} rows"),
            )
        if found.skipped:
            values = ", ".join(f"{value} x{count}" for value, count in sorted(found.unknown_values.items())[:10])
            self.stderr.write(f"{found.skipped} rows skipped: label not in the map ({values})")
        if not found.evaluated:
            raise CommandError(f"no row of {file} has a text and a known label in {label_field!r}", returncode=FATAL)
        summary = {
            "file": file, "site": site, "label_field": label_field,
            "rows": {"evaluated": found.evaluated, "skipped_label": found.skipped, "bad": bad.count},
            "models": setup.models(),
            "labels": [report.as_dict() for report in found.reports],
        }
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self._table(found.reports, summary)
        bad.finish(good=found.evaluated)

    @staticmethod
    def _wanted(spec: str | None, available: list[str]) -> list[str]:
        if not spec:
            return available
        wanted = [label.strip() for label in spec.split(",") if label.strip()]
        unknown = [label for label in wanted if label not in available]
        if unknown or not wanted:
            raise CommandError(
                f"unknown label(s) {', '.join(unknown) or '(none given)'}; the scorers give {', '.join(available)}",
                returncode=FATAL,
            )
        return wanted

    def _table(self, reports: list[LabelReport], summary: dict) -> None:
        rows = [COLUMNS]
        for report in reports:
            f = report.figures
            rows.append((
                report.label + ("" if report.threshold_from_policy else "*"), report.scorer, str(f.n),
                str(f.positives), "-" if f.auc is None else f"{f.auc:.4f}", f"{f.threshold:g}", f"{f.mcc:.4f}",
                f"{f.best_mcc:.4f}", f"{f.best_threshold:.4f}", f"{f.precision:.4f}", f"{f.recall:.4f}",
            ))
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        counts = summary["rows"]
        source = f"policy of {summary['site']}" if summary["site"] else "default policy"
        self.stdout.write(
            f"\n{counts['evaluated']} rows evaluated, {counts['skipped_label']} skipped (label not in the map), "
            f"{counts['bad']} bad; thresholds from the {source}"
        )
        if any(not report.threshold_from_policy for report in reports):
            self.stdout.write(f"* the policy has no threshold for this label: {FALLBACK_THRESHOLD} used")
        if any(report.figures.auc is None for report in reports):
            self.stdout.write("AUC '-': the file has one class only")
        for kind, model in summary["models"].items():
            self.stdout.write(f"{kind}: {model['name']} {model['version']}")
