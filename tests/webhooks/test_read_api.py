"""The read API, with every answer validated against webhooks/api/openapi.json."""
import json
import re

import jsonschema
import pytest

from moderation.services.decisions import decision_make, decision_undo_last
from moderation.services.reports import report_submit
from tests.factories import SiteFactory, member, scored_comment
from webhooks.api.views import SCHEMA_PATH
from webhooks.services.tokens import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def validate(response, path_template: str) -> dict:
    """The response's status is documented for the path, and its body matches the documented schema."""
    operation = SCHEMA["paths"][path_template]["get"]
    documented = operation["responses"][str(response.status_code)]
    if "$ref" in documented:
        documented = SCHEMA["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    body_schema = documented["content"]["application/json"]["schema"]
    body = response.json()
    validator = jsonschema.Draft202012Validator({**body_schema, "components": SCHEMA["components"]},
                                                format_checker=jsonschema.FormatChecker())
    validator.validate(body)
    return body


@pytest.fixture
def token(site):
    return api_token_create(site=site, name="platform")


def get(client, path, token=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, params, **headers)


def test_the_schema_is_a_valid_openapi_document_and_is_served(client):
    assert SCHEMA["openapi"].startswith("3.1")
    jsonschema.Draft202012Validator.check_schema({"components": SCHEMA["components"]})
    assert client.get("/api/v1/openapi.json").json() == SCHEMA


def test_a_comment_shows_status_scores_with_models_flag_and_decision(client, site, token):
    moderator = member(site, "moderator", "moderator")
    held = scored_comment(site, "c/1", toxicity={"threat": 0.9})
    report_submit(comment=held, reporter="r1", reason="threat")
    body = validate(get(client, "/api/v1/comments/c/1", token), "/comments/{external_id}")
    assert (body["id"], body["status"], body["flag"]["state"], body["review"]["state"]) == ("c/1", "held", "held", "open")
    assert {(s["kind"], s["scorer"], s["version"]) for s in body["scores"]} == {
        ("toxicity", "detoxify-original", "test"), ("framing", "framing-analyzer", "test")}
    assert body["scores"][0]["labels"]["threat"] == 0.9
    assert body["open_reports"] == 1 and body["review"]["decision"] is None
    decision_make(user=moderator, comment=held, action="approve", expected_version=0)
    body = validate(get(client, "/api/v1/comments/c/1", token), "/comments/{external_id}")
    assert (body["status"], body["review"]["state"], body["review"]["decision"]["action"]) == ("visible", "approved", "approve")
    assert body["open_reports"] == 0


def test_an_unscored_comment_says_so(client, site, token):
    from comments.services import comment_upsert
    from tests.factories import comment_input

    comment_upsert(site=site, data=comment_input("c1"))
    body = validate(get(client, "/api/v1/comments/c1", token), "/comments/{external_id}")
    assert body["scoring"]["state"] == "pending" and body["scores"] == [] and body["flag"] is None


def test_another_sites_comment_is_404(client, site, token):
    scored_comment(SiteFactory(slug="other"), "theirs")
    body = validate(get(client, "/api/v1/comments/theirs", token), "/comments/{external_id}")
    assert body == {"error": "no such comment on this site"}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer tw_wrong", "Basic dXNlcjpwdw==", "Bearer "])
def test_without_a_valid_token_it_is_401(client, site, header):
    scored_comment(site, "c1")
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/comments/c1", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    validate(response, "/comments/{external_id}")


def test_a_revoked_token_is_401(client, site, token):
    from webhooks.models import ApiToken

    api_token_revoke(token_id=ApiToken.objects.get().pk)
    assert get(client, "/api/v1/decisions", token).status_code == 401


def test_tokens_are_stored_hashed(site, token):
    from webhooks.models import ApiToken

    stored = ApiToken.objects.get()
    assert token not in (stored.token_hash, stored.hint) and re.fullmatch(r"[0-9a-f]{64}", stored.token_hash)


def test_decisions_page_through_a_cursor_in_order(client, site, token):
    moderator = member(site, "moderator", "moderator")
    items = [scored_comment(site, f"c{n}", toxicity={"toxicity": 0.9}) for n in range(5)]
    for item in items:
        decision_make(user=moderator, comment=item, action="approve", expected_version=0)
    scored_comment(SiteFactory(slug="other"), "x")
    first = validate(get(client, "/api/v1/decisions", token, limit=3), "/decisions")
    assert [d["comment_id"] for d in first["decisions"]] == ["c0", "c1", "c2"] and first["has_more"]
    second = validate(get(client, "/api/v1/decisions", token, limit=3, cursor=first["next_cursor"]), "/decisions")
    assert [d["comment_id"] for d in second["decisions"]] == ["c3", "c4"] and not second["has_more"]
    decision_undo_last(user=moderator)
    empty = validate(get(client, "/api/v1/decisions", token, cursor=second["next_cursor"]), "/decisions")
    assert empty["decisions"] == [] and empty["next_cursor"] == second["next_cursor"]
    again = validate(get(client, "/api/v1/decisions", token), "/decisions")
    assert again["decisions"][-1]["undone_at"] is not None


@pytest.mark.parametrize("params", [{"cursor": "garbage!"}, {"cursor": "ZDp4"}, {"limit": "0"}, {"limit": "501"},
                                    {"limit": "ten"}])
def test_a_bad_cursor_or_limit_is_400(client, site, token, params):
    response = get(client, "/api/v1/decisions", token, **params)
    assert response.status_code == 400
    validate(response, "/decisions")


def test_a_comment_gives_its_parents_platform_id_or_null(client, site, token):
    from comments.services import comment_upsert
    from tests.factories import comment_input

    comment_upsert(site=site, data=comment_input("top"))
    comment_upsert(site=site, data=comment_input("reply", parent="top"))
    comment_upsert(site=site, data=comment_input("early", parent="not-yet"))  # its parent has not arrived
    answers = {name: validate(get(client, f"/api/v1/comments/{name}", token), "/comments/{external_id}")
               for name in ("top", "reply", "early")}
    assert {name: body["parent_id"] for name, body in answers.items()} == {
        "top": None, "reply": "top", "early": "not-yet"}
