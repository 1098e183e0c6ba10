"""Who sees what: login, brute-force slowing, per-site access, CSRF, escaping."""
import pytest
from django.test import Client
from django.urls import reverse

from moderation.models import Decision, Review
from tests.factories import SiteFactory, UserFactory, logged_in, member, scored_comment

pytestmark = pytest.mark.django_db
HOSTILE_BODY = 'Look <script>alert("x")</script> and <img src=x onerror=alert(1)> \u202egnp.exe'
HOSTILE_NAME = '<b onmouseover=alert(2)>Mallory</b>\u202e'


@pytest.fixture
def world():
    """Two sites; a moderator and an owner of A; an outsider who moderates B only."""
    site_a, site_b = SiteFactory(slug="site-a", name="Site A"), SiteFactory(slug="site-b", name="Site B")
    moderator = member(site_a, "moderator", "moderator")
    owner = member(site_a, "owner", "owner")
    outsider = member(site_b, "moderator", "outsider")
    a_item = scored_comment(site_a, "a1", body="you are an idiot", toxicity={"toxicity": 0.95})
    b_item = scored_comment(site_b, "b1", body="you are a fool", toxicity={"toxicity": 0.91}, author="bob")
    return type("World", (), dict(site_a=site_a, site_b=site_b, moderator=moderator, owner=owner,
                                  outsider=outsider, a_item=a_item, b_item=b_item))


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_page_has_csrf_protection_and_logs_a_moderator_in(world):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    assert b"csrfmiddlewaretoken" in page.content
    token = page.cookies["csrftoken"].value
    response = client.post("/login/", {"username": "moderator", "password": "pw", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/queue/"
    assert client.get("/queue/").status_code == 200


def test_login_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "moderator", "password": "pw"}).status_code == 403


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_password(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "moderator", "password": "wrong"})
    locked = client.post("/login/", {"username": "moderator", "password": "pw"})
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    assert client.get("/queue/").status_code == 302  # still not logged in


def test_a_moderator_sees_only_the_items_of_their_sites(world):
    html = logged_in(world.moderator).get("/queue/?tab=all").content.decode()
    assert f'id="item-{world.a_item.pk}"' in html
    assert f'id="item-{world.b_item.pk}"' not in html


@pytest.mark.parametrize("name", ["item", "item_open", "item_thread"])
def test_a_moderator_of_site_a_gets_404_for_site_b_item_pages(world, name):
    client = logged_in(world.moderator)
    assert client.get(reverse(f"moderation:{name}", args=[world.b_item.pk])).status_code == 404
    assert client.get(reverse(f"moderation:{name}", args=[world.b_item.pk]), HTTP_HX_REQUEST="true").status_code == 404


def test_a_moderator_of_site_a_gets_404_for_site_b_author_queue_filters_and_audit(world):
    client = logged_in(world.moderator)
    assert client.get(reverse("moderation:author", args=[world.b_item.author_id])).status_code == 404
    assert client.get("/queue/?site=site-b").status_code == 404
    assert client.get(f"/queue/?article={world.b_item.article_id}").status_code == 404
    assert client.get(f"/queue/?author={world.b_item.author_id}").status_code == 404
    assert client.get("/audit/?site=site-b").status_code == 404
    assert client.get(reverse("moderation:site_settings", args=["site-b"])).status_code == 404


@pytest.mark.parametrize("name,data", [
    ("decide", {"decision": "approve", "version": 0}),
    ("sanction", {"kind": "suspend", "days": 1}),
    ("feedback", {"feedback": "1:toxicity:0"}),
])
def test_a_moderator_of_site_a_cannot_act_on_site_b_items(world, name, data):
    client = logged_in(world.moderator)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(reverse(f"moderation:{name}", args=[world.b_item.pk]), data, **headers)
        assert response.status_code == 404
    assert not Decision.objects.exists()
    assert not Review.objects.filter(pk=world.b_item.pk).exists()


def test_bulk_decisions_leave_other_sites_items_alone(world):
    client = logged_in(world.moderator)
    client.post(reverse("moderation:bulk"), {"decision": "approve", "items": [f"{world.a_item.pk}:0", f"{world.b_item.pk}:0"]})
    assert Review.objects.get(pk=world.a_item.pk).state == Review.State.APPROVED
    assert not Review.objects.filter(pk=world.b_item.pk).exists()


def test_settings_pages_are_for_owners_only(world):
    url = reverse("moderation:site_settings", args=["site-a"])
    assert logged_in(world.moderator).get(url).status_code == 403
    assert logged_in(world.moderator).post(reverse("moderation:reason_add", args=["site-a"]), {"label": "x"}).status_code == 403
    assert logged_in(world.owner).get(url).status_code == 200


def test_staff_users_see_every_site(world):
    staff = UserFactory(username="staff", is_staff=True)
    html = logged_in(staff).get("/queue/?tab=all").content.decode()
    assert f'id="item-{world.a_item.pk}"' in html and f'id="item-{world.b_item.pk}"' in html


def test_decisions_without_csrf_token_are_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.moderator)
    response = client.post(reverse("moderation:decide", args=[world.a_item.pk]), {"decision": "approve", "version": 0})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_hostile_comment_text_and_author_names_are_escaped_everywhere(world):
    hostile = scored_comment(world.site_a, "evil", body=HOSTILE_BODY, author="mallory", toxicity={"toxicity": 0.99})
    hostile.author.display_name = HOSTILE_NAME
    hostile.author.save()
    scored_comment(world.site_a, "reply", body="<script>reply()</script>", parent="evil", toxicity={"toxicity": 0.97})
    client = logged_in(world.moderator)
    pages = [
        client.get("/queue/?tab=all"),
        client.get("/queue/?tab=all", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-list"),
        client.get(reverse("moderation:item", args=[hostile.pk])),
        client.get(reverse("moderation:item_open", args=[hostile.pk]), HTTP_HX_REQUEST="true"),
        client.get(reverse("moderation:item_thread", args=[hostile.pk]), HTTP_HX_REQUEST="true"),
        client.get(reverse("moderation:author", args=[hostile.author_id]), HTTP_HX_REQUEST="true"),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert" not in html and "<script>reply" not in html
        assert "<img src=x" not in html and "<b onmouseover" not in html
        assert "\u202e" not in html  # the override is shown as a marker, never applied
    queue_html = pages[0].content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in queue_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in queue_html
    assert "&lt;b onmouseover=alert(2)&gt;Mallory&lt;/b&gt;" in queue_html
    assert '[RLO]</span>gnp.exe' in queue_html
