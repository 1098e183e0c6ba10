"""Thin wrapper: ``judgement.training.train`` does the work (see docs/judgement.md)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from judgement.embedding import Embedder
from judgement.embedding_store import SqliteEmbeddingStore
from judgement.heads import HEADS_DIR
from judgement.training import card
from judgement.training.corpora import default_data_dir
from judgement.training.train import train


class Command(BaseCommand):
    help = "Train the learned heads on the public corpora, measure them, write head files, manifest and model card."

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=default_data_dir(), help="the corpora (shared/data)")
        parser.add_argument("--out", type=Path, default=HEADS_DIR, help="where head files and the card go")
        parser.add_argument("--cache", type=Path, default=Path(".cache/judgement/embeddings.sqlite3"),
                            help="embedding cache, so a second run does not embed again")
        parser.add_argument("--limit", type=int, default=None, help="train rows per corpus (smoke runs)")
        parser.add_argument("--label", action="append", dest="labels", help="train only this head (repeatable)")
        parser.add_argument("--no-experiments", action="store_true", help="skip cross-corpus and 5-fold figures")
        parser.add_argument("--ignore-floors", action="store_true", help="serve heads that miss their floors")

    def handle(self, *args, data: Path, out: Path, cache: Path, limit, labels, no_experiments: bool,
               ignore_floors: bool, **options):
        if not data.is_dir():
            raise CommandError(f"corpora not found at {data}")
        embedder = Embedder(store=SqliteEmbeddingStore(cache))
        try:
            manifest = train(data_dir=data, out_dir=out, embedder=embedder, limit=limit,
                             experiments=not no_experiments, labels=tuple(labels) if labels else None,
                             enforce_floors=not ignore_floors, log=lambda line: self.stderr.write(line))
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        path = card.write(manifest, out)
        for label, head in manifest["heads"].items():
            state = "served" if head.get("served") else f"not served: {head.get('reason')}"
            self.stdout.write(f"{label}: {head.get('version', '-')} {state}")
        self.stdout.write(f"wrote {out} and {path} in {manifest['seconds']} s")
