"""Site owners' settings: flag policy, word lists, rejection reasons and
moderator roles. Every change is audited with its before and after."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from comments.models import Site

from ..models import RejectionReason, SiteMembership
from ..selectors.access import Role, role_allows, user_role
from .audit import audit_record
from .errors import ModerationRefused
from .flags import flag_policy_for, flag_policy_update

DEFAULT_REASONS: tuple[str, ...] = (
    "Insults or abuse",
    "Threats or harassment",
    "Hate against a group",
    "Spam or advertising",
    "Off topic",
    # Added in issue 15 (migration 0008 gives them to older sites): no reason
    # above fits a conspiracy theory or, say, an incitement to a crime.
    "Misinformation or conspiracy content",
    "Illegal content",
)


def _require_owner(user, site: Site) -> None:
    if not role_allows(user_role(user=user, site_id=site.pk), Role.OWNER):
        raise ModerationRefused("Only the site's owners can change its settings.")


def rejection_reasons_ensure_for(*, site_ids) -> None:
    """Sites that have no reasons yet get the default list (so 'reject' always has
    one). Called when a site is created (``moderation.listeners``) and by the data
    migration, never by a page that only reads."""
    site_ids = set(site_ids)
    missing = site_ids - set(RejectionReason.objects.filter(site_id__in=site_ids).values_list("site_id", flat=True))
    RejectionReason.objects.bulk_create(
        [RejectionReason(site_id=site_id, code=slugify(label), label=label, position=i)
         for site_id in missing for i, label in enumerate(DEFAULT_REASONS)],
        ignore_conflicts=True,
    )


def site_policy_change(
    *, user, site: Site, rules: dict, banned_words: list[str], suspect_words: list[str],
) -> None:
    """Change thresholds, actions and word lists; flags are re-evaluated from stored scores."""
    _require_owner(user, site)
    with transaction.atomic():
        current = flag_policy_for(site=site)
        before = {"rules": current.rules, "banned_words": current.banned_words, "suspect_words": current.suspect_words}
        after = {"rules": rules, "banned_words": banned_words, "suspect_words": suspect_words}
        if before == after:
            return
        flag_policy_update(site=site, rules=rules, banned_words=banned_words, suspect_words=suspect_words)
        audit_record(actor=user, action="settings.policy", site=site, target=f"site:{site.slug}",
                     before={k: v for k, v in before.items() if v != after[k]},
                     after={k: v for k, v in after.items() if v != before[k]})


def rejection_reason_add(*, user, site: Site, label: str) -> RejectionReason:
    _require_owner(user, site)
    label = label.strip()
    if not label:
        raise ModerationRefused("A reason needs a text.")
    code = slugify(label)[:64] or "reason"
    with transaction.atomic():
        if RejectionReason.objects.filter(site=site, code=code).exists():
            raise ModerationRefused("This site already has that reason.")
        position = RejectionReason.objects.filter(site=site).count()
        reason = RejectionReason.objects.create(site=site, code=code, label=label[:200], position=position)
        audit_record(actor=user, action="settings.reason_add", site=site, target=f"reason:{code}",
                     after={"label": reason.label})
    return reason


def rejection_reason_set_active(*, user, site: Site, reason_id: int, active: bool) -> RejectionReason:
    """Retire a reason (past decisions keep their text) or bring it back."""
    _require_owner(user, site)
    with transaction.atomic():
        reason = RejectionReason.objects.select_for_update().get(pk=reason_id, site=site)
        if reason.active != active:
            RejectionReason.objects.filter(pk=reason.pk).update(active=active)
            audit_record(actor=user, action="settings.reason_active", site=site, target=f"reason:{reason.code}",
                         before={"active": reason.active}, after={"active": active})
            reason.active = active
    return reason


def membership_set(*, user, site: Site, username: str, role: str) -> SiteMembership:
    """Give a user a role on the site, or change it."""
    _require_owner(user, site)
    if role not in Role.values:
        raise ModerationRefused(f"Unknown role {role!r}.")
    member = get_user_model().objects.filter(username=username.strip()).first()
    if member is None:
        raise ModerationRefused(f"No user called {username.strip()!r}.")
    with transaction.atomic():
        existing = SiteMembership.objects.select_for_update().filter(user=member, site=site).first()
        if existing is not None and existing.role == role:
            return existing
        if existing is not None and existing.role == Role.OWNER and member == user:
            raise ModerationRefused("You cannot step down from owner yourself; ask another owner.")
        membership, _ = SiteMembership.objects.update_or_create(user=member, site=site, defaults={"role": role})
        audit_record(actor=user, action="settings.role", site=site, target=f"user:{member.get_username()}",
                     before={"role": existing.role if existing else None}, after={"role": role})
    return membership


def membership_remove(*, user, site: Site, membership_id: int) -> None:
    _require_owner(user, site)
    with transaction.atomic():
        membership = SiteMembership.objects.select_related("user").filter(pk=membership_id, site=site).first()
        if membership is None:
            return
        if membership.user_id == user.pk:
            raise ModerationRefused("You cannot remove yourself; ask another owner.")
        membership.delete()
        audit_record(actor=user, action="settings.role", site=site, target=f"user:{membership.user.get_username()}",
                     before={"role": membership.role}, after={"role": None})
