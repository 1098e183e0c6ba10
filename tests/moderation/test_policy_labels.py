"""The policy page shows only the labels the running scorers produce, and names the others."""
import re

import pytest
from django.urls import reverse

from moderation import policy
from moderation.models import ActiveScorer, FlagPolicy, Score
from moderation.selectors.policy_labels import policy_labels
from tests.factories import logged_in

pytestmark = pytest.mark.django_db

ALL = list(policy.DEFAULT_RULES)


def page(owner) -> str:
    return logged_in(owner).get(reverse("moderation:site_settings", args=["news"])).content.decode()


def rows(html: str) -> set[str]:
    return set(re.findall(r'name="(\w+)__threshold"', html))


def test_the_heads_backend_shows_the_served_heads_and_explains_the_others(site, owner, settings):
    settings.TOXICITY_SCORER = {"backend": "heads"}
    html = page(owner)
    # judgement/data/heads/manifest.json serves toxicity, obscene and threat; framing always runs.
    assert rows(html) == {"toxicity", "obscene", "threat", "conspiracy_framing"}
    assert "Not produced by the running model (heads)" in html
    note = html[html.index("Not produced by the running model"):]
    for label in ("severe toxicity", "insult", "identity attack", "sexual explicit"):
        assert f"<strong>{label}</strong>" in note
    assert "missed its floor" in note  # the manifest's own reason


def test_profanity_check_produces_toxicity_only(site, owner, settings):
    settings.TOXICITY_SCORER = {"backend": "profanity-check"}
    assert rows(page(owner)) == {"toxicity", "conspiracy_framing"}


def test_auto_follows_what_the_worker_fell_back_to(site, settings):
    settings.TOXICITY_SCORER = {"backend": "auto"}
    assert policy_labels(labels=ALL).not_produced == {
        "sexual_explicit": "Detoxify's 'original' model has no such output"}
    ActiveScorer.objects.create(kind=Score.Kind.TOXICITY, scorer="minilm-heads", version="x",
                                fallback_reason="Detoxify unavailable")
    assert set(policy_labels(labels=ALL).shown) == {"toxicity", "obscene", "threat", "conspiracy_framing"}


def test_a_local_checkpoint_shows_every_label_without_loading_it(site, owner, settings):
    settings.TOXICITY_SCORER = {"backend": "detoxify", "checkpoint": "/nonexistent.ckpt",
                                "huggingface_config_path": "/nonexistent"}
    html = page(owner)
    assert rows(html) == set(ALL) and "Not produced by the running model" not in html


def test_saving_the_page_keeps_the_rules_of_labels_it_does_not_show(site, owner, settings):
    settings.TOXICITY_SCORER = {"backend": "heads"}
    FlagPolicy.objects.create(site=site, rules={"insult": {"threshold": 0.3, "action": "hold"}})
    form = {f"{label}__threshold": 0.7 for label in ("toxicity", "obscene", "threat", "conspiracy_framing")}
    form.update({f"{label}__action": "review" for label in ("toxicity", "obscene", "threat", "conspiracy_framing")})
    response = logged_in(owner).post(reverse("moderation:policy_save", args=["news"]), form)
    assert response.status_code == 302
    rules = FlagPolicy.objects.get(site=site).rules
    assert rules["insult"] == {"threshold": 0.3, "action": "hold"}
    assert rules["toxicity"] == {"threshold": 0.7, "action": "review"}
