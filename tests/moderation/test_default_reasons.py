"""Default rejection reasons are written when a site is created (or by the data
migration for sites that had none), never by reading a page."""
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

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
    frozen = importlib.import_module("moderation.migrations.0003_default_rejection_reasons").DEFAULT_REASONS
    bare = Site.objects.create(slug="bare", name="Bare")
    kept = Site.objects.create(slug="kept", name="Kept")
    RejectionReason.objects.create(site=kept, code="own", label="Our own reason")
    migration.add_defaults(apps, None)
    assert RejectionReason.objects.filter(site=bare).count() == len(frozen)
    assert list(RejectionReason.objects.filter(site=kept).values_list("label", flat=True)) == ["Our own reason"]


def test_opening_an_item_writes_its_claim_but_no_reason():
    bare = Site.objects.create(slug="bare", name="Bare")
    moderator = member(bare, "moderator", "mod")
    comment = scored_comment(bare, "c1", toxicity={"toxicity": 0.9})
    client = logged_in(moderator)
    writes = writes_during(lambda: client.get(f"/queue/items/{comment.pk}/"))
    assert writes and all("moderation_claim" in sql for sql in writes)  # opening an item claims it, on purpose
    assert not RejectionReason.objects.filter(site=bare).exists()


NEW_REASONS = ["Misinformation or conspiracy content", "Illegal content"]


def test_the_defaults_include_misinformation_and_illegal_content():
    site = site_get_or_create(slug="fresh", name="Fresh")
    labels = list(RejectionReason.objects.filter(site=site).values_list("label", flat=True))
    assert labels[-2:] == NEW_REASONS
    assert len(labels) <= 9  # every default has its digit key in the reject menu


def _migration_0008():
    import importlib

    return importlib.import_module("moderation.migrations.0008_default_reasons_misinformation_illegal")


def _reasons(site) -> list[tuple[str, str, int, bool]]:
    return list(RejectionReason.objects.filter(site=site).values_list("code", "label", "position", "active"))


def test_the_0008_migration_adds_the_new_reasons_after_a_sites_own():
    old = Site.objects.create(slug="old", name="Old")
    for i, label in enumerate(["Insults or abuse", "Off topic"]):
        RejectionReason.objects.create(site=old, code=slugify(label), label=label, position=i)
    _migration_0008().add_new_defaults(apps, None)
    assert _reasons(old) == [
        ("insults-or-abuse", "Insults or abuse", 0, True),
        ("off-topic", "Off topic", 1, True),
        ("misinformation-or-conspiracy-content", "Misinformation or conspiracy content", 2, True),
        ("illegal-content", "Illegal content", 3, True),
    ]
    _migration_0008().add_new_defaults(apps, None)  # run twice: nothing added twice
    assert len(_reasons(old)) == 4


def test_the_0008_migration_keeps_a_sites_edits():
    edited = Site.objects.create(slug="edited", name="Edited")
    RejectionReason.objects.create(site=edited, code="own", label="Our own reason", position=0)
    # The site relabelled one new default and retired the other before this migration ran.
    RejectionReason.objects.create(site=edited, code="misinformation-or-conspiracy-content",
                                   label="Fake news", position=1)
    RejectionReason.objects.create(site=edited, code="illegal-content", label="Illegal content",
                                   position=2, active=False)
    before = _reasons(edited)
    _migration_0008().add_new_defaults(apps, None)
    assert _reasons(edited) == before


def test_the_0008_migration_gives_a_site_without_reasons_all_defaults():
    bare = Site.objects.create(slug="bare", name="Bare")
    _migration_0008().add_new_defaults(apps, None)
    assert [label for _, label, _, _ in _reasons(bare)] == list(DEFAULT_REASONS)


def test_the_reject_menu_numbers_every_default_reason_in_order():
    site = site_get_or_create(slug="fresh", name="Fresh")
    moderator = member(site, "moderator", "mod")
    scored_comment(site, "c1", toxicity={"toxicity": 0.9})
    html = logged_in(moderator).get("/queue/").content.decode()
    menu = html[html.index('class="reason-menu"'):]
    menu = menu[:menu.index("</div>")]
    shown = re.findall(r'<kbd>(\d)</kbd> ([^<]+)</button>', menu)
    assert shown == [(str(n), label) for n, label in enumerate(DEFAULT_REASONS, 1)]
