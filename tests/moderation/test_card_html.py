"""The card HTML queue_tags builds in Python (score bars, reject menu) escapes every
value that comes from stored data, and is byte for byte what the equivalent
template in bench/queue_page.py renders with autoescape on (the template it is benchmarked
against: `python -m bench.queue_page`)."""
import pytest
from django.template import Context, Engine

from bench.queue_page import TEMPLATE_EQUIVALENT
from moderation.models import CommentScoring, RejectionReason, Score
from moderation.selectors.items import queue_items
from moderation.templatetags.queue_tags import reject_menu, score_bars
from tests.factories import SiteFactory, scored_comment

pytestmark = pytest.mark.django_db

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;\'x'


def hostile_item():
    site = SiteFactory(slug="hostile")
    RejectionReason.objects.create(site=site, code="evil", label=HOSTILE, position=99)
    comment = scored_comment(site, "c1", body=HOSTILE, toxicity={"toxicity": 0.95})
    Score.objects.filter(pk=CommentScoring.objects.get(pk=comment.pk).toxicity_score_id).update(
        scorer=HOSTILE, version=HOSTILE, labels={HOSTILE: 0.97, "toxicity": 0.95},
    )
    return queue_items(comment_ids=[comment.pk])[0]


def test_every_stored_value_in_the_python_built_html_is_escaped():
    item = hostile_item()
    built = f"{score_bars(item)}{reject_menu(Context(), item)}"
    assert HOSTILE.count("<") and "<script" not in built and "<img" not in built and "onerror=alert(2)>" not in built
    escaped = "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;&#x27;x"
    assert built.count(escaped) >= 6  # label (in four places), scorer, version and the rejection reason
    assert built.count('"') % 2 == 0  # no attribute left open


def test_the_python_built_html_is_what_the_template_equivalent_renders():
    item = hostile_item()
    context = Context()
    python_built = f"{score_bars(item)}|{reject_menu(context, item)}"
    template_built = Engine.get_default().from_string(TEMPLATE_EQUIVALENT).render(Context({"item": item}))
    assert python_built == template_built
