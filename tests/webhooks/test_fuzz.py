"""Property tests: random and malformed deliveries at every endpoint never get
a 5xx, and a delivery either is refused with nothing stored or is stored and
then applied whole or not at all."""
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from comments.models import Article, Author, Comment
from moderation.models import CommentReport
from webhooks.models import Delivery, PlatformConnection
from webhooks.services.deliveries import delivery_process
from webhooks.services.secrets import secret_rotate
from webhooks.signing import hex_hmac, standard_headers

from .fixtures import fixture

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=40) | st.sampled_from(["", "\x00", "\ud800", "2026-13-45T99:00:00", "http://x", "c1", "a1"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)

FIXTURES = {
    "generic": ["article_upserted", "comment_created", "comment_edited", "comment_deleted", "comment_reported"],
    "discourse": ["post_created", "post_created_reply", "post_edited", "post_destroyed", "topic_created"],
    "wordpress": ["comment", "comment_reply", "comment_trashed"],
    "coral": ["story_created", "comment_created", "comment_reply_created"],
}
DISCOURSE_EVENTS = {"post_created": "post_created", "post_created_reply": "post_created", "post_edited": "post_edited",
                    "post_destroyed": "post_destroyed", "topic_created": "topic_created"}


@pytest.fixture
def secrets(site, receiver):
    receiver.responder = lambda path, body: {"data": {"comment": None}}  # Coral knows no comment
    PlatformConnection.objects.create(site=site, base_url=receiver.url, access_token="t")
    return {purpose: secret_rotate(site=site, purpose=purpose, value="fuzz-secret" if purpose in ("discourse", "coral") else None)
            for purpose in ("generic", "discourse", "wordpress", "coral")}


def post(client, site, secrets, platform: str, body: bytes, *, fixture_name: str = ""):
    headers = {}
    if platform in ("generic", "wordpress"):
        headers = standard_headers(secrets_=[secrets[platform]], msg_id=f"msg_{uuid.uuid4().hex}", body=body)
    elif platform == "discourse":
        headers = {"x-discourse-event": DISCOURSE_EVENTS.get(fixture_name, "post_created"),
                   "x-discourse-event-id": uuid.uuid4().hex,
                   "x-discourse-event-signature": f"sha256={hex_hmac(secret=secrets['discourse'], body=body)}"}
    else:
        headers = {"x-coral-signature": f"sha256={hex_hmac(secret=secrets['coral'], body=body)}"}
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client.post(f"/webhooks/{site.slug}/{platform}/", data=body, content_type="application/json", **meta)


def stored_state() -> tuple:
    return (
        list(Comment.objects.order_by("pk").values_list("pk", "body", "status", "parent_id", "path", "edit_count")),
        list(Article.objects.order_by("pk").values_list("pk", "title", "url")),
        Author.objects.count(),
        CommentReport.objects.count(),
    )


def mutate(document, path: list, value):
    """Replace (or add) the value at ``path`` inside a copy of ``document``."""
    document = json.loads(json.dumps(document))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


def paths(document, prefix=()):
    if isinstance(document, dict):
        for key, value in document.items():
            yield [*prefix, key]
            yield from paths(value, (*prefix, key))


def check_delivery(client, site, secrets, platform, body, fixture_name=""):
    before_deliveries = Delivery.objects.count()
    response = post(client, site, secrets, platform, body, fixture_name=fixture_name)
    assert response.status_code < 500
    assert response.status_code in (200, 202, 400), response.content
    if response.status_code == 400:
        assert Delivery.objects.count() == before_deliveries
        assert set(response.json()) <= {"error", "field"} and response.json()["error"]
        return
    if response.status_code == 200:
        return
    delivery = Delivery.objects.latest("pk")
    before = stored_state()
    outcome = delivery_process(delivery_pk=delivery.pk, claimer="fuzz")
    assert outcome in ("done", "failed")
    if outcome == "failed":
        assert stored_state() == before  # applied whole or not at all
        assert Delivery.objects.get(pk=delivery.pk).last_error


@pytest.mark.parametrize("platform", sorted(FIXTURES))
@FUZZ
@given(data=st.data())
def test_a_fixture_with_one_field_replaced_by_anything_never_breaks_an_endpoint(client, site, secrets, platform, data):
    name = data.draw(st.sampled_from(FIXTURES[platform]), label="fixture")
    document = fixture(platform, name)
    path = data.draw(st.sampled_from(list(paths(document))), label="path")
    value = data.draw(json_values, label="value")
    check_delivery(client, site, secrets, platform, json.dumps(mutate(document, path, value)).encode(), name)


@pytest.mark.parametrize("platform", sorted(FIXTURES))
@FUZZ
@given(document=json_values)
def test_any_signed_json_never_breaks_an_endpoint(client, site, secrets, platform, document):
    check_delivery(client, site, secrets, platform, json.dumps(document).encode())


@pytest.mark.parametrize("platform", sorted(FIXTURES))
@FUZZ
@given(body=st.binary(max_size=300))
def test_any_signed_bytes_never_break_an_endpoint(client, site, secrets, platform, body):
    check_delivery(client, site, secrets, platform, body)


@pytest.mark.parametrize("platform", sorted(FIXTURES))
@FUZZ
@given(headers=st.dictionaries(
    st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "x-discourse-event",
                     "x-discourse-event-id", "x-discourse-event-signature", "x-coral-signature"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80), max_size=7))
def test_forged_signature_headers_are_always_401(client, site, secrets, platform, headers):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    response = client.post(f"/webhooks/{site.slug}/{platform}/", data=json.dumps(fixture(platform, FIXTURES[platform][0])),
                           content_type="application/json", **meta)
    assert response.status_code == 401
    assert not Delivery.objects.exists()


@FUZZ
@given(external_id=st.text(max_size=300), cursor=st.text(max_size=60), limit=st.text(max_size=8))
def test_the_read_api_never_answers_5xx(client, site, external_id, cursor, limit):
    from webhooks.services.tokens import api_token_create

    from .test_read_api import validate

    token = api_token_create(site=site, name="fuzz")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    detail = client.get("/api/v1/comments/" + external_id, **auth)
    assert detail.status_code in (200, 400, 404)  # 400: an id no comment can have (NUL, control characters, > 255)
    if detail["Content-Type"] == "application/json":
        validate(detail, "/comments/{external_id}")
    listing = client.get("/api/v1/decisions", {"cursor": cursor, "limit": limit}, **auth)
    assert listing.status_code in (200, 400)
    validate(listing, "/decisions")
