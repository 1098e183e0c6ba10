import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from comments.services import comment_upsert
from tests.factories import SiteFactory, comment_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


@pytest.fixture
def thread():
    site = SiteFactory(slug="news")
    comment_upsert(site=site, data=comment_input("c1", body="<script>alert('x')</script> root"))
    return comment_upsert(site=site, data=comment_input("c2", parent="c1", body="a reply")).comment


@pytest.mark.parametrize("model", ["site", "article", "author", "comment"])
def test_admin_changelist_and_change_pages_load(staff_client, thread, model):
    response = staff_client.get(reverse(f"admin:comments_{model}_changelist"))
    assert response.status_code == 200
    obj = {"site": thread.site, "article": thread.article, "author": thread.author, "comment": thread}[model]
    assert staff_client.get(reverse(f"admin:comments_{model}_change", args=[obj.pk])).status_code == 200


def test_article_admin_shows_the_thread_escaped_and_indented(staff_client, thread):
    html = staff_client.get(reverse("admin:comments_article_change", args=[thread.article.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; root" in html
    assert "<script>alert('x')</script>" not in html
    assert '<li class="d-1">' in html and "a reply" in html  # indented by steps.css, no inline style


def test_admin_comment_search(staff_client, thread):
    response = staff_client.get(reverse("admin:comments_comment_changelist"), {"q": "reply"})
    assert response.status_code == 200 and "c2" in response.content.decode()


def test_admin_requires_staff(client):
    response = client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
