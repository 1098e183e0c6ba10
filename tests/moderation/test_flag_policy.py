import pytest

from comments.models import Comment
from moderation import loaded_scorers, policy
from moderation.models import CommentScoring, Flag, Score
from moderation.services.flags import flag_policy_update
from moderation.services.scoring import scoring_process
from comments.services import comment_upsert
from tests.factories import SiteFactory, comment_input


def test_a_label_over_its_threshold_fires_its_rule():
    verdict = policy.evaluate(labels={"toxicity": 0.91, "insult": 0.2}, text="x")
    assert [r.rule for r in verdict.reasons] == ["label:toxicity"]
    assert verdict.action == policy.REVIEW
    assert verdict.reasons[0].as_dict() == {
        "rule": "label:toxicity", "action": "review", "label": "toxicity", "score": 0.91, "threshold": 0.8,
    }


def test_nothing_fires_under_the_thresholds():
    verdict = policy.evaluate(labels={"toxicity": 0.5, "threat": 0.1}, text="x")
    assert verdict.reasons == () and verdict.action is None and verdict.priority == 0


def test_hold_beats_review_and_threats_come_first():
    verdict = policy.evaluate(labels={"toxicity": 0.95, "threat": 0.7}, text="x")
    assert verdict.action == policy.HOLD
    assert verdict.reasons[0].label == "threat"


def test_priority_puts_threats_and_identity_attacks_above_plain_toxicity():
    threat = policy.evaluate(labels={"threat": 0.8}, text="x").priority
    identity = policy.evaluate(labels={"identity_attack": 0.8}, text="x").priority
    toxic = policy.evaluate(labels={"toxicity": 0.99}, text="x").priority
    assert threat > identity > toxic > 0


def test_site_rules_override_defaults():
    labels = {"toxicity": 0.7}
    assert policy.evaluate(labels=labels, text="x").action is None
    strict = {"toxicity": {"threshold": 0.6, "action": "hold"}}
    assert policy.evaluate(labels=labels, text="x", site_rules=strict).action == policy.HOLD


def test_banned_words_hold_and_suspect_words_flag_as_whole_words_only():
    verdict = policy.evaluate(labels={}, text="Buy CHEAPPILLS now, scunthorpe", banned_words=["cheappills"],
                              suspect_words=["cunt", "buy"])
    assert verdict.action == policy.HOLD
    assert {r.rule: r.words for r in verdict.reasons} == {"banned_word": ("cheappills",), "suspect_word": ("buy",)}
    assert [(s["start"], s["end"], s["family"]) for s in verdict.word_spans] == [(4, 14, "banned_word"), (0, 3, "suspect_word")]


def only(label: str, threshold: float, action: str = "hold") -> dict:
    """Rules with every default label switched off except one (the tiny model's scores are random)."""
    rules = {name: {"action": "off"} for name in policy.DEFAULT_RULES}
    rules[label] = {"threshold": threshold, "action": action}
    return rules


@pytest.mark.django_db
def test_hold_rule_holds_the_comment_and_a_raised_threshold_releases_it_without_running_models(tiny_scoring):
    site = SiteFactory()
    comment = comment_upsert(site=site, data=comment_input("c1", body="some text")).comment
    scoring_process(holder="t", hint_ids=[comment.pk])
    toxicity = CommentScoring.objects.get(pk=comment.pk).toxicity_score.labels["toxicity"]
    flag_policy_update(site=site, rules=only("toxicity", toxicity - 0.01))
    flag = Flag.objects.get(comment=comment)
    assert flag.state == Flag.State.HELD and flag.held_by_policy
    assert flag.reasons[0]["label"] == "toxicity"
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HELD
    # From here on, any model call would fail: re-evaluation must use stored scores only.
    tiny_scoring.TOXICITY_SCORER = {"backend": "detoxify", "checkpoint": "/nonexistent.ckpt", "huggingface_config_path": "/nonexistent"}
    loaded_scorers.reset()
    flag_policy_update(site=site, rules=only("toxicity", min(toxicity + 0.01, 1.0)))
    flag.refresh_from_db()
    assert flag.state == Flag.State.CLEARED and not flag.held_by_policy
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.VISIBLE
    assert Score.objects.filter(comment=comment).count() == 2  # toxicity + framing, nothing rescored


@pytest.mark.django_db
def test_a_moderator_hold_is_not_released_by_the_policy(tiny_scoring):
    site = SiteFactory()
    flag_policy_update(site=site, rules=only("toxicity", 1.0, "review"))
    comment = comment_upsert(site=site, data=comment_input("c1", body="words")).comment
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HELD)
    scoring_process(holder="t", hint_ids=[comment.pk])
    flag_policy_update(site=site, banned_words=["words"])
    assert Flag.objects.get(comment=comment).held_by_policy is False
    flag_policy_update(site=site, banned_words=[])
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HELD


@pytest.mark.django_db
def test_flag_records_which_rules_fired(tiny_scoring):
    site = SiteFactory()
    flag_policy_update(site=site, suspect_words=["bridge"], banned_words=["spamlink"])
    comment = comment_upsert(site=site, data=comment_input("c1", body="the bridge spamlink")).comment
    scoring_process(holder="t", hint_ids=[comment.pk])  # scoring evaluates the flag
    flag = Flag.objects.get(comment=comment)
    rules = [reason["rule"] for reason in flag.reasons]
    assert "banned_word" in rules and "suspect_word" in rules
    assert flag.priority > 0


@pytest.mark.django_db
def test_a_policy_change_does_not_hide_a_comment_a_moderator_approved(tiny_scoring):
    from moderation.models import Review
    from moderation.services.decisions import decision_make
    from tests.factories import member

    site = SiteFactory()
    flag_policy_update(site=site, banned_words=["spamlink"])
    comment = comment_upsert(site=site, data=comment_input("c1", body="see spamlink")).comment
    scoring_process(holder="t", hint_ids=[comment.pk])
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HELD
    moderator = member(site, "moderator")
    review, _ = Review.objects.get_or_create(comment=comment, defaults={"site": site})
    decision_make(user=moderator, comment=Comment.objects.get(pk=comment.pk), action="approve", expected_version=review.version)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.VISIBLE
    flag_policy_update(site=site, banned_words=["spamlink", "other"])
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.VISIBLE
