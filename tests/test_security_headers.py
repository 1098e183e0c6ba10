"""Every HTML page carries a strict Content-Security-Policy and needs nothing it
forbids (no inline script, handler, eval or style); HSTS on HTTPS when not DEBUG."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from comments.layout import MAX_DEPTH_STEP
from tests.factories import logged_in, member, scored_comment, SiteFactory

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """What a page has that the policy would block: inline scripts, event
    handler attributes, htmx's eval'd attributes, inline styles."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("inline <style>")
        for name, value in attrs.items():
            if name.startswith(("on", "hx-on", "data-hx-on")):
                self.found.append(f"{tag} {name}=")
            if name == "style":
                self.found.append(f"{tag} style={value!r}")
            if name in ("hx-vals", "hx-vars") and (value or "").lstrip().startswith(("js:", "javascript:")):
                self.found.append(f"{tag} {name}={value!r}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value!r}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def pages():
    site = SiteFactory(slug="news", name="News")
    root = scored_comment(site, "c1", toxicity={"toxicity": 0.9}, body="First <b>bold</b>")
    reply = scored_comment(site, "c2", toxicity={"insult": 0.9}, parent="c1")
    owner = member(site, "owner", "owner")
    admin = User.objects.create_superuser("root", "root@example.com", "pw")
    return {
        owner: [
            "/queue/", f"/queue/items/{reply.pk}/", f"/queue/items/{reply.pk}/open/",
            f"/queue/items/{root.pk}/thread/", f"/queue/items/{root.pk}/text/", "/queue/poll/", "/audit/",
            "/analytics/", "/analytics/news/", f"/analytics/news/articles/{root.article_id}/", "/sites/news/settings/",
        ],
        admin: [
            "/admin/", "/admin/comments/comment/", f"/admin/comments/comment/{root.pk}/change/",
            f"/admin/comments/article/{root.article_id}/change/", "/admin/comments/site/add/",
        ],
        None: ["/admin/login/", "/login/"],
    }


def test_every_main_html_page_has_the_strict_policy_and_no_inline_code(client, pages):
    policy = settings.CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    for user, paths in pages.items():
        browser = logged_in(user) if user else client
        for path in paths:
            response = browser.get(path)
            assert response.status_code == 200, path
            assert response["Content-Security-Policy"] == policy, path
            assert response["X-Frame-Options"] == "DENY", path
            assert inline_code(response.content.decode()) == [], path


def test_json_answers_carry_no_policy_and_htmx_is_told_not_to_eval(client, pages):
    assert "Content-Security-Policy" not in client.get("/api/v1/decisions")
    page = client.get("/login/").content.decode()
    assert re.search(r'<meta name="htmx-config" content=\'\{"allowEval": false,[^\']*"includeIndicatorStyles": false\}\'>', page)


def test_the_checker_sees_what_the_policy_would_block():
    assert inline_code('<script>alert(1)</script><a onclick="x()" style="color:red" href="javascript:x()">'
                       '<input hx-on:change="y" hx-vals="js:{a: 1}">') == [
        "inline <script>", "a onclick=", "a style='color:red'", "a href='javascript:x()'", "input hx-on:change=",
        "input hx-vals='js:{a: 1}'",
    ]


def test_no_template_or_static_file_needs_inline_code():
    root = Path(settings.BASE_DIR)
    for template in [*root.glob("templates/**/*.html"), *root.glob("*/templates/**/*.html")]:
        assert inline_code(template.read_text()) == [], template


def test_the_layout_steps_cover_every_class_the_pages_use():
    css = (Path(settings.BASE_DIR) / "comments/static/comments/steps.css").read_text()
    assert all(f".d-{n}{{--depth:{n}}}" in css for n in range(MAX_DEPTH_STEP + 1))
    assert all(f".pct-{n}{{--pct:{n}%}}" in css for n in range(101))


def test_hsts_on_https_when_not_debug(client):
    assert not settings.DEBUG
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == f"max-age={settings.SECURE_HSTS_SECONDS}"
    assert settings.SECURE_HSTS_SECONDS >= 365 * 24 * 3600


def test_debug_error_pages_stay_readable_but_debug_pages_keep_the_policy(client, settings):
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/no-such-page/")
    assert client.get("/login/")["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
