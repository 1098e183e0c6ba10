"""The walk of the URLconf finds every route, so the no-5xx suite covers a new URL without a list to update."""
from django.urls import get_resolver, reverse

from .routes import Literal, Parameter, Regex, all_routes

KNOWN = {
    "moderation:queue", "moderation:poll", "moderation:bulk", "moderation:undo", "moderation:item",
    "moderation:item_open", "moderation:decide", "moderation:sanction", "moderation:feedback", "moderation:audit",
    "moderation:site_settings", "moderation:role_remove", "perspective:analyze", "perspective:suggestscore",
    "perspective:coral_moderation", "perspective:key_issue", "webhooks:receive", "webhooks:api_comment",
    "webhooks:api_decisions", "webhooks:openapi", "analytics:dashboard_all", "analytics:dashboard",
    "analytics:article", "login", "logout", "admin:index", "admin:comments_comment_changelist",
    "admin:webhooks_delivery_change",
}


def _named():
    """Every named pattern, by Django's own reverse dictionary (a second way to count them)."""
    resolver = get_resolver()
    names = {name for name in resolver.reverse_dict if isinstance(name, str)}
    for ns, (_, sub) in resolver.namespace_dict.items():
        names |= {f"{ns}:{name}" for name in sub.reverse_dict if isinstance(name, str)}
    return names


def test_the_walk_finds_every_named_route_and_the_known_ones():
    routes = all_routes()
    names = {route.name for route in routes if route.name}
    assert len(routes) >= 200  # the admin's ~180 and the product's ~40
    assert KNOWN <= names, KNOWN - names
    assert _named() <= names


def test_a_route_rebuilds_the_url_reverse_gives():
    routes = {route.name: route for route in all_routes()}
    item = routes["moderation:item"]
    assert [type(p) for p in item.pieces] == [Literal, Parameter, Literal]
    assert item.build({"pk": "42"}) == reverse("moderation:item", args=[42])
    api = routes["webhooks:api_comment"]
    assert api.build({"external_id": "a/b\x00c"}) == "/api/v1/comments/a/b%00c"
    receive = routes["webhooks:receive"]
    assert receive.build({"site_slug": "news", "platform_name": "généric"}) == "/webhooks/news/g%C3%A9n%C3%A9ric/"
    app_list = routes["admin:app_list"]
    assert isinstance(app_list.pieces[-1], Regex)
    # A regular expression's value is the whole piece it matches, slash included.
    assert app_list.build({app_list.pieces[-1].key: "comments/"}) == reverse("admin:app_list", args=["comments"])
