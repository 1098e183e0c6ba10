"""Who may do what on which site: one role per user and site."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from comments.models import Site


class SiteMembership(models.Model):
    """A user's role on one site. Roles nest: a senior moderator can do all a
    moderator can, an owner all a senior can. Django staff act as owners of
    every site without a membership (see moderation.selectors.access)."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", "Moderator"
        SENIOR = "senior", "Senior moderator"
        OWNER = "owner", "Site owner"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MODERATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="membership_one_role_per_site")]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} of {self.site}"


# Higher ranks include everything the lower ones may do.
ROLE_RANK: dict[str, int] = {
    SiteMembership.Role.MODERATOR: 1,
    SiteMembership.Role.SENIOR: 2,
    SiteMembership.Role.OWNER: 3,
}
