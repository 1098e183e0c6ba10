"""The audit log: every decision and setting change, who, when, before and after; never editable."""
import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from moderation import policy
from moderation.models import AuditEvent, Flag, FlagPolicy, RejectionReason, SiteMembership
from moderation.services.decisions import decision_make
from tests.factories import SiteFactory, UserFactory, logged_in, member, scored_comment

pytestmark = pytest.mark.django_db


def test_the_audit_page_lists_decisions_with_filters(site, moderator, owner):
    first = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    second = scored_comment(site, "c2", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=first, action="approve", expected_version=0)
    decision_make(user=owner, comment=second, action="escalate", expected_version=0)
    client = logged_in(moderator)
    everything = client.get("/audit/").content.decode()
    assert "decision.approve" in everything and "decision.escalate" in everything
    only_owner = client.get("/audit/?actor=owner").content.decode()
    assert "decision.escalate" in only_owner and "decision.approve" not in only_owner
    only_approvals = client.get("/audit/?action=decision.approve").content.decode()
    assert "decision.approve" in only_approvals and "decision.escalate" not in only_approvals
    on_comment = client.get(f"/audit/?comment={second.pk}").content.decode()
    assert "decision.escalate" in on_comment and "decision.approve" not in on_comment


def test_the_audit_of_other_sites_is_not_shown(site, moderator):
    elsewhere = SiteFactory(slug="elsewhere")
    stranger = member(elsewhere, "moderator", "stranger")
    decision_make(user=stranger, comment=scored_comment(elsewhere, "x1", toxicity={"toxicity": 0.9}),
                  action="approve", expected_version=0)
    assert "stranger" not in logged_in(moderator).get("/audit/").content.decode()


def test_the_item_page_shows_its_history(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="escalate", expected_version=0)
    html = logged_in(moderator).get(reverse("moderation:item", args=[item.pk])).content.decode()
    history = html.split('class="history"')[1]
    assert "moderator" in history and "decision.escalate" in history and "state: escalated" in history


def test_audit_events_cannot_be_changed(site, moderator):
    item = scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    event = AuditEvent.objects.get()
    event.action = "decision.reject"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


def test_an_owner_changes_the_policy_and_the_flags_follow_with_an_audit_entry(site, owner):
    item = scored_comment(site, "c1", body="a mild remark about bridges", toxicity={"toxicity": 0.5})
    assert not Flag.objects.filter(comment=item).exists()
    form = {f"{label}__threshold": rule["threshold"] for label, rule in policy.DEFAULT_RULES.items()}
    form.update({f"{label}__action": rule["action"] for label, rule in policy.DEFAULT_RULES.items()})
    form.update({"toxicity__threshold": 0.4, "banned_words": "", "suspect_words": "bridges\nbridges\n"})
    response = logged_in(owner).post(reverse("moderation:policy_save", args=["news"]), form)
    assert response.status_code == 302
    flag = Flag.objects.get(comment=item)
    assert flag.state == Flag.State.NEEDS_REVIEW
    assert {reason["rule"] for reason in flag.reasons} == {"label:toxicity", "suspect_word"}
    event = AuditEvent.objects.get(action="settings.policy")
    assert event.actor == owner
    assert event.before == {"rules": {}, "suspect_words": []}
    assert event.after["suspect_words"] == ["bridges"] and event.after["rules"]["toxicity"]["threshold"] == 0.4


def test_the_settings_page_and_a_refused_policy_form_write_no_policy(site, owner):
    # Both used to create the site's default FlagPolicy row: a write on a refusal.
    client = logged_in(owner)
    assert client.get(reverse("moderation:site_settings", args=["news"])).status_code == 200
    refused = client.post(reverse("moderation:policy_save", args=["news"]), {"toxicity__threshold": "²"})
    assert refused.status_code == 422
    assert not FlagPolicy.objects.filter(site=site).exists()


def test_an_owner_adds_and_retires_rejection_reasons(site, owner):
    client = logged_in(owner)
    client.post(reverse("moderation:reason_add", args=["news"]), {"label": "Doxxing"})
    reason = RejectionReason.objects.get(site=site, label="Doxxing")
    client.post(reverse("moderation:reason_toggle", args=["news", reason.pk]), {"active": "0"})
    reason.refresh_from_db()
    assert not reason.active
    assert list(AuditEvent.objects.filter(site=site).order_by("pk").values_list("action", "after")) == [
        ("settings.reason_add", {"label": "Doxxing"}), ("settings.reason_active", {"active": False}),
    ]


def test_an_owner_grants_and_removes_roles(site, owner):
    newcomer = UserFactory(username="newcomer")
    client = logged_in(owner)
    client.post(reverse("moderation:role_set", args=["news"]), {"username": "newcomer", "role": "senior"})
    membership = SiteMembership.objects.get(user=newcomer, site=site)
    assert membership.role == "senior"
    assert logged_in(newcomer).get("/queue/").status_code == 200
    client.post(reverse("moderation:role_remove", args=["news", membership.pk]))
    assert not SiteMembership.objects.filter(user=newcomer).exists()
    assert list(AuditEvent.objects.filter(action="settings.role").values_list("before", "after")) == [
        ({"role": None}, {"role": "senior"}), ({"role": "senior"}, {"role": None}),
    ]


def test_the_settings_page_shows_policy_reasons_and_roles(site, owner, moderator):
    html = logged_in(owner).get(reverse("moderation:site_settings", args=["news"])).content.decode()
    assert 'name="toxicity__threshold"' in html and "Insults or abuse" in html and "moderator" in html
