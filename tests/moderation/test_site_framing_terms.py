import pytest

from comments.services import comment_upsert
from moderation.models import CommentScoring
from moderation.services.flags import flag_policy_update
from moderation.services.scoring import scoring_process
from tests.factories import SiteFactory, comment_input

pytestmark = pytest.mark.django_db
TEXT = "The lizard council decided this long ago and they are hiding it from all of us."


def _framing(site, external_id):
    comment = comment_upsert(site=site, data=comment_input(external_id, body=TEXT)).comment
    scoring_process(holder=f"t-{external_id}", hint_ids=[comment.pk])
    return CommentScoring.objects.get(pk=comment.pk).framing_score


def test_a_sites_own_framing_terms_score_its_comments_under_their_own_version(tiny_scoring):
    plain_site, own_site = SiteFactory(slug="plain"), SiteFactory(slug="own")
    flag_policy_update(site=own_site, framing_terms={"agent": ["the lizard council"]})
    plain, own = _framing(plain_site, "p1"), _framing(own_site, "o1")
    assert own.version != plain.version
    assert any(span["text"].lower() == "the lizard council" and span["role"] == "agent" for span in own.spans)
    assert not any("lizard" in span["text"].lower() for span in plain.spans)
    assert own.labels["conspiracy_framing"] > plain.labels["conspiracy_framing"]
