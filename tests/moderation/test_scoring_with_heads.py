"""Offline scoring end to end with the learned heads: one embedding pass, kept, and shown in the queue."""
import html
import re

import pytest

from comments.services import comment_upsert
from moderation import loaded_scorers
from moderation.models import Flag, Score, TextEmbedding
from moderation.services.scoring import scoring_mark_for_rescore, scoring_process
from tests.factories import comment_input, logged_in

pytestmark = pytest.mark.django_db

PLOT = "The globalists planned this shortage in secret to control us. Wake up, people!"
ABUSE = "You are a worthless fucking idiot and everyone here hates you."


@pytest.fixture
def heads(settings):
    settings.TOXICITY_SCORER = {"backend": "heads"}
    settings.FRAMING_SEMANTIC = True
    loaded_scorers.reset()
    yield settings
    loaded_scorers.reset()


def test_the_workers_score_with_the_heads_embed_once_and_keep_the_embedding(heads, site):
    comments = [comment_upsert(site=site, data=comment_input(f"h{i}", body=body)).comment
                for i, body in enumerate((PLOT, ABUSE))]
    outcome = scoring_process(holder="t1", hint_ids=[c.pk for c in comments])
    assert sorted(outcome.scored) == sorted(c.pk for c in comments)
    toxicity = Score.objects.get(comment=comments[1], kind=Score.Kind.TOXICITY)
    framing = Score.objects.get(comment=comments[0], kind=Score.Kind.FRAMING)
    assert toxicity.scorer == "minilm-heads" and loaded_scorers.embedder().version in toxicity.version
    assert toxicity.labels["toxicity"] > 0.5 and "identity_attack" not in toxicity.labels  # not served
    assert framing.labels["conspiracy_framing"] > 0.5 and ".head." in framing.version
    assert any(span["role"] == "agent" for span in framing.spans)
    assert TextEmbedding.objects.count() == 2  # one per text, shared by both scorers

    # A rescore in a fresh process (memory forgotten) reads the kept embeddings: the model is not run.
    loaded_scorers.reset()
    before = loaded_scorers.embedder().encoded_sentences
    scoring_mark_for_rescore(comments=type(comments[0]).objects.filter(pk__in=[c.pk for c in comments]))
    scoring_process(holder="t2", hint_ids=[c.pk for c in comments])
    assert loaded_scorers.embedder().encoded_sentences == before


def test_the_queue_shows_the_heads_labels_and_the_evidence(heads, site, moderator):
    comment = comment_upsert(site=site, data=comment_input("q1", body=PLOT)).comment
    scoring_process(holder="t1", hint_ids=[comment.pk])
    assert Flag.objects.filter(comment=comment).exists()
    page = logged_in(moderator).get("/queue/").content.decode()
    assert f'id="item-{comment.pk}"' in page
    assert "minilm-heads" in page  # the toxicity card names the heads and their version
    assert "conspiracy framing" in html.unescape(page).lower()
    # The analyzer's evidence is marked in the text, named by family and role.
    assert re.search(r'<mark class="hl [^"]*" data-family="agent" title="agent \(agent\)">The globalists</mark>', page)
