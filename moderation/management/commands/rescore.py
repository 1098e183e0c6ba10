import sys
import uuid

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from comments.models import Article, Comment, Site
from moderation.services.scoring import scorers_load, scoring_enqueue, scoring_mark_for_rescore, scoring_process


class Command(BaseCommand):
    help = "Re-score comments with the current models (old scores are kept for comparison)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--site", help="site slug")
        target.add_argument("--article", type=int, help="article id (database id)")
        target.add_argument("--all", action="store_true")
        parser.add_argument("--enqueue", action="store_true", help="leave the scoring to the Celery workers")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, site, article, all, enqueue, no_progress, **options):
        comments = Comment.objects.all()
        if site:
            if not Site.objects.filter(slug=site).exists():
                raise CommandError(f"no site {site!r}")
            comments = comments.filter(site__slug=site)
        elif article:
            if not Article.objects.filter(pk=article).exists():
                raise CommandError(f"no article {article}")
            comments = comments.filter(article_id=article)
        total = comments.count()
        marked = scoring_mark_for_rescore(comments=comments)
        ids = list(comments.order_by("pk").values_list("pk", flat=True))
        if enqueue:
            for start in range(0, len(ids), 64):
                scoring_enqueue(comment_ids=ids[start : start + 64])
            self.stdout.write(f"{marked} comments marked for rescoring and handed to the workers")
            return
        # Before the bar: loading logs to the console (it would cut the bar in two) and takes
        # seconds that are not scoring time (they made the rate read "9.12s/comment").
        scorers_load()
        scored = failed = 0
        run_id = uuid.uuid4().hex[:8]
        with tqdm(total=total, unit="comment", disable=no_progress, file=sys.stderr) as bar:
            for start in range(0, len(ids), 64):
                chunk = ids[start : start + 64]
                result = scoring_process(holder=f"rescore-{run_id}-{start}", hint_ids=chunk, top_up=False)
                scored += len(result.scored)
                failed += len(result.failed)
                bar.update(len(chunk))
        self.stdout.write(f"Rescored {scored} comments ({failed} failed) of {total}")
