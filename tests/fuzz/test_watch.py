"""The no-write check itself: it sees an insert, an update and a delete, and nothing when nothing was written."""
import pytest

from comments.models import Site
from tests.factories import SiteFactory

from .database import Watch

pytestmark = pytest.mark.django_db


def test_the_watch_sees_every_kind_of_write_and_only_writes():
    site = SiteFactory(slug="watched")
    watch = Watch()
    watch.before()
    Site.objects.filter(slug="watched").exists()
    assert watch.changed() == {}
    watch.before()
    Site.objects.filter(pk=site.pk).update(name="Renamed")  # an UPDATE keeps the count: the hash shows it
    assert set(watch.changed()) == {"comments_site"}
    watch.before()
    SiteFactory(slug="another")
    assert "comments_site" in watch.changed()
    watch.before()
    Site.objects.filter(slug="another").delete()
    assert "comments_site" in watch.changed()
