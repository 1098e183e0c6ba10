"""WordPress: REST-shaped comment objects from a webhook plugin, and poll_wordpress
against a local HTTP server that serves WordPress-shaped pages."""
import datetime as dt
import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from comments.models import Comment
from webhooks.models import PlatformConnection
from webhooks.services.secrets import secret_rotate

from .conftest import Sender
from .fixtures import fixture
from .helpers import process_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def wp_sender(client, site):
    return Sender(client, site, secret_rotate(site=site, purpose="wordpress"))


def test_a_comment_object_becomes_a_comment_with_plain_text(wp_sender, site):
    assert wp_sender.post(fixture("wordpress", "comment"), platform="wordpress").status_code == 202
    process_all()
    comment = Comment.objects.get(site=site, external_id="31")
    assert comment.body == "Another delay – who is surprised?"
    assert comment.article.external_id == "7"
    assert comment.article.url == "https://blog.example/2026/11/20/bridge-repairs/"
    assert (comment.author.external_id, comment.author.display_name) == ("guest:Una Reader", "Una Reader")
    assert comment.created_at == dt.datetime(2026, 11, 20, 8, 5, tzinfo=dt.timezone.utc)


def test_a_reply_wrapped_in_comment_is_threaded(wp_sender, site):
    wp_sender.post({"comment": fixture("wordpress", "comment_reply")}, platform="wordpress")
    wp_sender.post(fixture("wordpress", "comment"), platform="wordpress")
    process_all()
    reply = Comment.objects.get(external_id="32")
    assert reply.parent.external_id == "31" and reply.author.external_id == "4"
    assert reply.body == "Not me. The report says why."


def test_a_trashed_comment_is_removed(wp_sender, site):
    wp_sender.post(fixture("wordpress", "comment"), platform="wordpress")
    wp_sender.post(fixture("wordpress", "comment_trashed"), platform="wordpress")
    process_all()
    assert Comment.objects.get(external_id="31").status == "removed"


def test_a_comment_without_content_is_400_naming_it(wp_sender):
    payload = fixture("wordpress", "comment")
    del payload["content"]
    response = wp_sender.post(payload, platform="wordpress")
    assert response.status_code == 400 and response.json()["field"] == "content"


def test_the_generic_secret_does_not_sign_wordpress_deliveries(wp_sender, site):
    generic = secret_rotate(site=site, purpose="generic")
    assert wp_sender.post(fixture("wordpress", "comment"), platform="wordpress", secret=generic).status_code == 401


def serve_wordpress_pages(receiver, comments: list[dict], per_page: int):
    """Answer /wp-json/wp/v2/comments as WordPress does: filtered by ``after``, ordered, paged, with X-WP-TotalPages."""
    queries = []

    def respond(path, _body):
        query = parse_qs(urlparse(path).query)
        queries.append(query)
        after = query.get("after", [None])[0]
        selected = sorted((c for c in comments if after is None or c["date_gmt"] > after), key=lambda c: c["date_gmt"])
        receiver.extra_headers["/wp-json/wp/v2/comments"] = {
            "X-WP-Total": str(len(selected)), "X-WP-TotalPages": str(max(1, -(-len(selected) // per_page)))}
        page = int(query.get("page", ["1"])[0])
        return selected[(page - 1) * per_page: page * per_page]

    receiver.responder = respond
    return queries


def wp_comment(n: int, minute: int, parent: int = 0) -> dict:
    base = fixture("wordpress", "comment")
    return {**base, "id": n, "parent": parent, "date_gmt": f"2026-11-20T08:{minute:02d}:00",
            "content": {"rendered": f"<p>Comment {n}</p>"}}


def test_poll_wordpress_pages_through_new_comments_and_remembers_where_it_stopped(site, receiver, monkeypatch):
    import webhooks.platforms.wordpress.poll as poll

    monkeypatch.setattr(poll, "PER_PAGE", 2)
    comments = [wp_comment(n, n, parent=1 if n == 3 else 0) for n in range(1, 6)]
    queries = serve_wordpress_pages(receiver, comments, per_page=2)
    PlatformConnection.objects.create(site=site, base_url=receiver.url)
    out = io.StringIO()
    call_command("poll_wordpress", "--site", site.slug, stdout=out)
    assert "5 comments stored from 3 pages" in out.getvalue()
    assert Comment.objects.filter(site=site).count() == 5
    assert Comment.objects.get(external_id="3").parent.external_id == "1"
    assert PlatformConnection.objects.get().poll_after == dt.datetime(2026, 11, 20, 8, 5, tzinfo=dt.timezone.utc)
    comments.append(wp_comment(6, 30))
    call_command("poll_wordpress", "--site", site.slug, stdout=io.StringIO())
    assert queries[-1]["after"] == ["2026-11-19T18:00:00"]  # 14 h 5 min of overlap: any site time zone
    assert Comment.objects.filter(site=site).count() == 6
    assert {q["orderby"][0] for q in queries} == {"date_gmt"}


def test_poll_wordpress_without_a_connection_says_so(site):
    with pytest.raises(CommandError, match="no WordPress URL"):
        call_command("poll_wordpress", "--site", site.slug)


@pytest.mark.parametrize("pages", ["²", "1_0", "9" * 5000])
def test_poll_wordpress_refuses_a_page_count_that_is_not_plain_digits(site, receiver, pages):
    receiver.responder = lambda path, body: [wp_comment(1, 1)]
    receiver.extra_headers["/wp-json/wp/v2/comments"] = {"X-WP-TotalPages": pages}
    PlatformConnection.objects.create(site=site, base_url=receiver.url)
    with pytest.raises(CommandError, match="X-WP-TotalPages"):
        call_command("poll_wordpress", "--site", site.slug, stdout=io.StringIO())
    assert not Comment.objects.exists()


def test_poll_wordpress_refuses_an_answer_nested_too_deep(site, receiver):
    deep = []
    for _ in range(500):  # as deep as the test receiver's json.dumps can write; past the 64-level bound
        deep = [deep]
    receiver.responder = lambda path, body: deep
    PlatformConnection.objects.create(site=site, base_url=receiver.url)
    with pytest.raises(CommandError, match="nested deeper"):
        call_command("poll_wordpress", "--site", site.slug, stdout=io.StringIO())
