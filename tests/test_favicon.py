"""The favicon: linked from every page, answered at /favicon.ico, and a real static file."""
import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_pages_link_a_favicon_that_is_a_static_file(client):
    page = client.get("/login/").content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert link, page[:500]
    assert link[1].endswith("moderation/favicon.svg")
    assert finders.find("moderation/favicon.svg")


def test_favicon_ico_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("moderation/favicon.svg")
