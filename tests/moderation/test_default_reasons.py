"""Default rejection reasons are written when a site is created (or by the data
migration for sites that had none), never by reading a page."""
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Site
from comments.services import site_get_or_create
from moderation.models import RejectionReason
from moderation.services.site_settings import DEFAULT_REASONS
from tests.factories import logged_in, member, scored_comment

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_during(get) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = get()
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_get_of_the_queue_page_writes_no_row():
    bare = Site.objects.create(slug="bare", name="Bare")  # no reasons: not made through the service
    moderator = member(bare, "moderator", "mod")
    scored_comment(bare, "c1", toxicity={"toxicity": 0.9})
    client = logged_in(moderator)
    assert writes_during(lambda: client.get("/queue/")) == []
    assert writes_during(lambda: client.get("/queue/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-list")) == []
    assert not RejectionReason.objects.filter(site=bare).exists()


def test_a_get_of_the_settings_page_writes_no_row():
    bare = Site.objects.create(slug="bare", name="Bare")
    owner = member(bare, "owner", "boss")
    client = logged_in(owner)
    assert writes_during(lambda: client.get(f"/sites/{bare.slug}/settings/")) == []
    assert not RejectionReason.objects.filter(site=bare).exists()


def test_a_new_site_gets_the_default_reasons_with_it():
    site = site_get_or_create(slug="fresh", name="Fresh")
    assert list(RejectionReason.objects.filter(site=site).values_list("label", flat=True)) == list(DEFAULT_REASONS)
    site_get_or_create(slug="fresh")  # an existing site: nothing added twice
    assert RejectionReason.objects.filter(site=site).count() == len(DEFAULT_REASONS)


def test_a_site_added_in_the_admin_gets_the_default_reasons():
    admin = get_user_model().objects.create_superuser("root", password="pw")
    client = logged_in(admin)
    response = client.post("/admin/comments/site/add/", {"slug": "admin-made", "name": "Admin Made", "platform": "generic"})
    assert response.status_code == 302, response.content.decode()[:500]
    site = Site.objects.get(slug="admin-made")
    assert RejectionReason.objects.filter(site=site).count() == len(DEFAULT_REASONS)


def test_the_data_migration_gives_sites_without_reasons_the_defaults():
    import importlib

    migration = importlib.import_module("moderation.migrations.0007_default_rejection_reasons_again")
    bare = Site.objects.create(slug="bare", name="Bare")
    kept = Site.objects.create(slug="kept", name="Kept")
    RejectionReason.objects.create(site=kept, code="own", label="Our own reason")
    migration.add_defaults(apps, None)
    assert RejectionReason.objects.filter(site=bare).count() == len(DEFAULT_REASONS)
    assert list(RejectionReason.objects.filter(site=kept).values_list("label", flat=True)) == ["Our own reason"]


def test_opening_an_item_writes_its_claim_but_no_reason():
    bare = Site.objects.create(slug="bare", name="Bare")
    moderator = member(bare, "moderator", "mod")
    comment = scored_comment(bare, "c1", toxicity={"toxicity": 0.9})
    client = logged_in(moderator)
    writes = writes_during(lambda: client.get(f"/queue/items/{comment.pk}/"))
    assert writes and all("moderation_claim" in sql for sql in writes)  # opening an item claims it, on purpose
    assert not RejectionReason.objects.filter(site=bare).exists()
