
import pytest
from django.core.management import call_command

from comments.models import Comment
from moderation.models import CommentScoring
from moderation.services.scoring import scoring_process
from tests.support.paths import SAMPLE_ARTICLE

pytestmark = pytest.mark.django_db
SAMPLE = SAMPLE_ARTICLE


def test_the_sample_articles_comments_come_out_scored(tiny_scoring):
    call_command("import_article", str(SAMPLE), "--site", "vt")
    ids = list(Comment.objects.values_list("pk", flat=True))
    assert len(ids) == 3
    assert scoring_process(holder="t", hint_ids=ids).scored == sorted(ids)
    for scoring in CommentScoring.objects.select_related("toxicity_score", "framing_score"):
        assert scoring.state == CommentScoring.State.DONE
        assert scoring.toxicity_score.labels and scoring.framing_score.labels["conspiracy_framing"] > 0.5
        assert scoring.framing_score.spans  # the evidence comes with the score
