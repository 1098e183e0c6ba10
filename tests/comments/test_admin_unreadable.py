"""One comment stored with a date that cannot be read back must not turn the
admin lists into a 500 for every site: it is left out of the comment list and
named in a warning; lists that show comments by reference still list it."""
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from comments.services import comment_upsert
from moderation.models import CommentScoring
from tests.factories import SiteFactory, comment_input
from tests.support.unreadable import YEAR_0, YEAR_10000, make_unreadable

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


@pytest.mark.parametrize("stored, shown", [(YEAR_10000, "10000-01-01 04:59:59+00"), (YEAR_0, "0001-12-31 19:00:00+00 BC")])
def test_the_comment_list_answers_and_names_the_unreadable_comment(staff_client, stored, shown):
    good = comment_upsert(site=SiteFactory(slug="other"), data=comment_input("fine-one")).comment
    bad = comment_upsert(site=SiteFactory(slug="news"), data=comment_input("<b>bad-one</b>")).comment
    make_unreadable(bad, value=stored)
    response = staff_client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "fine-one" in page and "&lt;b&gt;bad-one" not in page.split("Not listed")[0]
    assert f"#{bad.pk} created_at={shown}" in page
    assert staff_client.get(reverse("admin:comments_comment_changelist"), {"site__id__exact": bad.site_id}).status_code == 200
    # Its change page is "not found" (a redirect with a message), never a 500.
    assert staff_client.get(reverse("admin:comments_comment_change", args=[bad.pk])).status_code == 302
    assert staff_client.get(reverse("admin:comments_comment_change", args=[good.pk])).status_code == 200


def test_the_scoring_list_shows_the_unreadable_comment_with_its_error(staff_client):
    bad = comment_upsert(site=SiteFactory(), data=comment_input("bad-one")).comment
    make_unreadable(bad)
    CommentScoring.objects.filter(pk=bad.pk).update(state="failed", last_error="could not read the comment back: DataError")
    for name in ("commentscoring", "flag", "review", "decision", "score"):
        assert staff_client.get(reverse(f"admin:moderation_{name}_changelist")).status_code == 200
    page = staff_client.get(reverse("admin:moderation_commentscoring_changelist")).content.decode()
    assert "bad-one" in page and "could not read the comment back" in page
    assert staff_client.get(reverse("admin:moderation_commentscoring_change", args=[bad.pk])).status_code == 200
