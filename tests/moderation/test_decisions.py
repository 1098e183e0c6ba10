"""Decisions: guarded updates, races between moderators, claims, undo, bulk, sanctions, feedback."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from moderation.models import AuditEvent, AuthorSanction, Claim, CommentReport, Decision, Review, ScoreFeedback
from moderation.services.claims import claim_take
from moderation.services.decisions import decision_make, decision_undo_last
from moderation.services.errors import DecisionConflict, ModerationRefused
from moderation.services.reports import report_submit
from tests.factories import SiteFactory, logged_in, member, scored_comment

pytestmark = pytest.mark.django_db


def decide(client, comment, decision, version=0, hx=True, **extra):
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    return client.post(reverse("moderation:decide", args=[comment.pk]),
                       {"decision": decision, "version": version, "removes": "1", **extra}, **headers)


def test_approving_a_held_comment_makes_it_visible_and_records_who_and_when(site, moderator):
    held = scored_comment(site, "h1", toxicity={"threat": 0.9})
    assert held.status == Comment.Status.HELD
    response = decide(logged_in(moderator), held, "approve")
    assert response.status_code == 200
    assert 'id="toast"' in response.content.decode() and "Undo" in response.content.decode()
    assert response["HX-Trigger"] == "queue-changed"
    review = Review.objects.get(pk=held.pk)
    assert (review.state, review.decided_by, review.version) == ("approved", moderator, 1)
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.VISIBLE
    event = AuditEvent.objects.get(comment=held)
    assert (event.actor, event.action, event.before, event.after) == (
        moderator, "decision.approve", {"state": "open", "status": "held"}, {"state": "approved", "status": "visible"}
    )


def test_rejecting_needs_a_reason_of_the_site_and_removes_the_comment(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    reason = site.rejection_reasons.get(code="spam-or-advertising")
    client = logged_in(moderator)
    refused = decide(client, item, "reject")
    assert refused.status_code == 403 and "Choose a rejection reason" in refused.content.decode()
    other_reason = SiteFactory(slug="elsewhere").rejection_reasons.first()
    assert decide(client, item, f"reject:{other_reason.pk}").status_code == 403
    assert decide(client, item, f"reject:{reason.pk}").status_code == 200
    decision = Decision.objects.get(comment=item)
    assert (decision.action, decision.reason_label) == ("reject", "Spam or advertising")
    assert Comment.objects.get(pk=item.pk).status == Comment.Status.REMOVED


def test_a_decision_without_htmx_redirects_back_to_the_queue(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    response = decide(logged_in(moderator), item, "approve", hx=False, next="/queue/?tab=held")
    assert response.status_code == 302 and response["Location"] == "/queue/?tab=held"


@pytest.mark.parametrize("target", ["-1", "queue", "logout"])
def test_next_is_only_ever_a_url_never_a_view_name(site, moderator, target):
    # redirect() would try ``next`` as a view name first: "-1" and "queue" were a 500 (NoReverseMatch)
    # and "logout" sent the moderator to /logout/.
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    response = decide(logged_in(moderator), item, "approve", hx=False, next=target)
    assert response.status_code == 302 and response["Location"] == target


def test_two_moderators_deciding_the_same_item_the_second_is_refused_not_overwriting(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    reason = site.rejection_reasons.first()
    first, second = logged_in(moderator), logged_in(colleague)
    # Both have the queue open: both saw version 0.
    for client in (first, second):
        assert f'value="{item.pk}:0"' in client.get("/queue/").content.decode()
    assert decide(first, item, "approve").status_code == 200
    refused = decide(second, item, f"reject:{reason.pk}")
    html = refused.content.decode()
    assert refused.status_code == 409
    assert "Already approved by moderator" in html and "Your decision was not applied" in html
    assert Review.objects.get(pk=item.pk).state == Review.State.APPROVED
    assert Comment.objects.get(pk=item.pk).status == Comment.Status.VISIBLE
    assert list(Decision.objects.values_list("moderator__username", flat=True)) == ["moderator"]


def test_the_refusal_without_htmx_shows_the_message_on_the_item_page(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    client = logged_in(colleague)
    response = decide(client, item, "escalate", hx=False)
    assert response.status_code == 302 and response["Location"] == reverse("moderation:item", args=[item.pk])
    assert "Already approved by moderator" in client.get(response["Location"]).content.decode()


def test_opening_an_item_claims_it_and_others_see_who_holds_it(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    first, second = logged_in(moderator), logged_in(colleague)
    opened = first.get(reverse("moderation:item_open", args=[item.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "You hold this item" in opened
    assert Claim.objects.get(pk=item.pk).user == moderator
    assert "moderator is reviewing" in second.get("/queue/").content.decode()
    seen = second.get(reverse("moderation:item_open", args=[item.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "moderator is reviewing this item" in seen
    assert Claim.objects.get(pk=item.pk).user == moderator  # looking does not take it over
    refused = decide(second, item, "approve")
    assert refused.status_code == 409 and "moderator is reviewing this comment" in refused.content.decode()
    assert not Review.objects.filter(pk=item.pk, state="approved").exists()


def test_an_expired_claim_can_be_taken_over(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    claim_take(comment=item, user=moderator, now=timezone.now() - dt.timedelta(minutes=30))
    assert claim_take(comment=item, user=colleague).user == colleague
    assert decide(logged_in(colleague), item, "approve").status_code == 200
    assert not Claim.objects.filter(pk=item.pk).exists()  # a decision releases the claim


def test_escalated_items_are_decided_by_senior_moderators(site, moderator, senior):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    assert decide(logged_in(moderator), item, "escalate").status_code == 200
    refused = decide(logged_in(moderator), item, "approve", version=1)
    assert refused.status_code == 403 and "senior moderator" in refused.content.decode()
    assert decide(logged_in(senior), item, "approve", version=1).status_code == 200
    assert Review.objects.get(pk=item.pk).state == Review.State.APPROVED


def test_undo_puts_back_the_state_and_the_comment_status(site, moderator):
    held = scored_comment(site, "h1", toxicity={"threat": 0.9})
    client = logged_in(moderator)
    decide(client, held, "approve")
    response = client.post(reverse("moderation:undo"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Undone: 1 decision" in response.content.decode()
    review = Review.objects.get(pk=held.pk)
    assert (review.state, review.decided_by) == ("open", None)
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.HELD
    assert Decision.objects.get(comment=held).undone_at is not None
    assert AuditEvent.objects.filter(comment=held, action="decision.undo").exists()
    assert f'id="item-{held.pk}"' in client.get("/queue/?tab=held").content.decode()


def test_undo_is_refused_after_the_window(site, moderator, settings):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    later = timezone.now() + dt.timedelta(seconds=settings.QUEUE_UNDO_SECONDS + 1)
    with pytest.raises(ModerationRefused, match="Too late to undo"):
        decision_undo_last(user=moderator, now=later)
    assert Review.objects.get(pk=item.pk).state == Review.State.APPROVED


def test_undo_does_not_overwrite_what_someone_decided_since(site, moderator, senior):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="escalate", expected_version=0)
    decision_make(user=senior, comment=item, action="approve", expected_version=1)
    outcome = decision_undo_last(user=moderator)
    assert outcome.undone == [] and "Already approved by senior" in outcome.refused[0]
    assert Review.objects.get(pk=item.pk).state == Review.State.APPROVED


def test_undo_reopens_the_reports_a_decision_closed(site, moderator):
    item = scored_comment(site, "c1", body="calm")
    report_submit(comment=item, reporter="reader")
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    assert not CommentReport.objects.filter(resolved_by__isnull=True).exists()
    decision_undo_last(user=moderator)
    assert CommentReport.objects.filter(resolved_by__isnull=True).count() == 1


def test_bulk_decisions_apply_to_each_item_and_refuse_those_decided_meanwhile(site, moderator, colleague):
    items = [scored_comment(site, f"c{i}", toxicity={"toxicity": 0.9}) for i in range(3)]
    decision_make(user=colleague, comment=items[2], action="escalate", expected_version=0)
    response = logged_in(moderator).post(
        reverse("moderation:bulk"), {"decision": "approve", "items": [f"{c.pk}:0" for c in items]},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Approved 2 items. 1 refused: Already escalated by colleague" in html
    assert "queue-refresh" in response["HX-Trigger"]
    assert [Review.objects.get(pk=c.pk).state for c in items] == ["approved", "approved", "escalated"]
    assert len({d.batch for d in Decision.objects.filter(moderator=moderator)}) == 1


def test_bulk_reject_uses_the_chosen_reason_and_undo_takes_back_the_whole_batch(site, moderator):
    items = [scored_comment(site, f"c{i}", toxicity={"toxicity": 0.9}) for i in range(3)]
    reason = site.rejection_reasons.first()
    client = logged_in(moderator)
    client.post(reverse("moderation:bulk"), {"decision": "reject", "decision-reason": f"reject:{reason.pk}",
                                             "items": [f"{c.pk}:0" for c in items]}, HTTP_HX_REQUEST="true")
    assert set(Decision.objects.values_list("reason_label", flat=True)) == {reason.label}
    assert Comment.objects.filter(status=Comment.Status.REMOVED).count() == 3
    assert "Undone: 3 decisions" in client.post(reverse("moderation:undo"), HTTP_HX_REQUEST="true").content.decode()
    assert Comment.objects.filter(status=Comment.Status.VISIBLE).count() == 3


def test_a_moderator_suspends_an_author_but_only_seniors_ban(site, moderator, senior):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9}, author="troll")
    url = reverse("moderation:sanction", args=[item.pk])
    response = logged_in(moderator).post(url, {"kind": "suspend", "days": 7, "reason": "insults"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Suspended until" in response.content.decode()
    sanction = AuthorSanction.objects.get(author=item.author)
    assert sanction.kind == "suspend" and (sanction.ends_at - sanction.starts_at).days == 7
    refused = logged_in(moderator).post(url, {"kind": "ban"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and "Only senior moderators" in refused.content.decode()
    assert logged_in(senior).post(url, {"kind": "ban"}, HTTP_HX_REQUEST="true").status_code == 200
    assert AuthorSanction.objects.filter(author=item.author, kind="ban", ends_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="author.ban", actor=senior).exists()


def test_undo_of_a_suspension_lifts_it(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9}, author="troll")
    client = logged_in(moderator)
    client.post(reverse("moderation:sanction", args=[item.pk]), {"kind": "suspend", "days": 1}, HTTP_HX_REQUEST="true")
    client.post(reverse("moderation:undo"), HTTP_HX_REQUEST="true")
    assert AuthorSanction.objects.get(author=item.author).lifted_at is not None
    assert "Suspended" not in client.get(reverse("moderation:item", args=[item.pk])).content.decode().split("q-foot")[1][:2000]


def test_the_score_was_wrong_feedback_is_stored_as_a_calibration_label(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    score = item.scoring.toxicity_score
    client = logged_in(moderator)
    response = client.post(reverse("moderation:feedback", args=[item.pk]),
                           {"feedback": f"{score.pk}:toxicity:0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "toxicity does not apply" in response.content.decode()
    feedback = ScoreFeedback.objects.get()
    assert (feedback.label, feedback.model_score, feedback.expected, feedback.scorer, feedback.version) == (
        "toxicity", 0.9, 0.0, "detoxify-original", "test")
    # A second word from the same moderator replaces the first.
    client.post(reverse("moderation:feedback", args=[item.pk]), {"feedback": f"{score.pk}:toxicity:1"})
    assert ScoreFeedback.objects.get().expected == 1.0
    assert AuditEvent.objects.filter(action="feedback.score").count() == 2


def test_the_service_refuses_a_stale_version(site, moderator, colleague):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    with pytest.raises(DecisionConflict):
        decision_make(user=colleague, comment=item, action="escalate", expected_version=0)
