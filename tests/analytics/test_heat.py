"""The heat score on threads built to go bad and on threads that stay calm."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics.heat_formula import Node, thread_heat, threads_heat
from analytics.models import ThreadHeat
from analytics.services.rollups import rollups_update
from comments.models import Comment
from tests.factories import scored_comment

from .conftest import days_ago

T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc)


def chain(*steps: tuple[str, float, float]) -> list[Node]:
    """A single reply chain: each (author, toxicity, framing) replies to the one before."""
    return [Node(i + 1, i or None, author, T0 + dt.timedelta(minutes=i), tox, frame)
            for i, (author, tox, frame) in enumerate(steps)]


def star(root: tuple[str, float, float], replies: list[tuple[str, float, float]]) -> list[Node]:
    """A top-level comment with direct replies only."""
    nodes = [Node(1, None, root[0], T0, root[1], root[2])]
    nodes += [Node(i + 2, 1, a, T0 + dt.timedelta(minutes=i + 1), t, f) for i, (a, t, f) in enumerate(replies)]
    return nodes


def signs(result) -> set[str]:
    return {reason.sign for reason in result.reasons}


def test_a_calm_discussion_has_no_heat():
    nodes = chain(("ann", 0.02, 0.0), ("bob", 0.05, 0.0), ("cat", 0.03, 0.1), ("ann", 0.04, 0.0), ("dan", 0.06, 0.0))
    result = thread_heat(root_id=1, nodes=nodes)
    assert result.heat == 0 and result.reasons == []


def test_a_single_rude_comment_under_calm_replies_is_not_heating():
    nodes = star(("ann", 0.92, 0.0), [("bob", 0.03, 0.0), ("cat", 0.05, 0.0), ("dan", 0.02, 0.0)])
    assert thread_heat(root_id=1, nodes=nodes).heat == 0


def test_one_toxic_reply_at_the_top_level_is_not_an_escalation():
    nodes = star(("ann", 0.02, 0.0), [("bob", 0.95, 0.0), ("cat", 0.05, 0.0)])
    assert thread_heat(root_id=1, nodes=nodes).heat == 0


def test_toxicity_rising_down_a_reply_chain_heats_the_thread():
    nodes = chain(("ann", 0.02, 0.0), ("bob", 0.15, 0.0), ("cat", 0.35, 0.0), ("dan", 0.6, 0.0), ("eve", 0.9, 0.0))
    result = thread_heat(root_id=1, nodes=nodes)
    assert "escalation" in signs(result)
    assert result.heat >= 0.6
    assert result.reasons[0].comment_id == 5 and "0.02 to 0.90" in result.reasons[0].text


def test_two_authors_trading_rising_replies_is_a_duel():
    nodes = chain(("ann", 0.05, 0.0), ("bob", 0.2, 0.0), ("ann", 0.45, 0.0), ("bob", 0.7, 0.0), ("ann", 0.85, 0.0))
    result = thread_heat(root_id=1, nodes=nodes)
    assert "duel" in signs(result)
    duel = next(r for r in result.reasons if r.sign == "duel")
    assert "traded 5 replies" in duel.text and duel.score > 0.5


def test_two_authors_trading_calm_replies_is_no_duel():
    nodes = chain(("ann", 0.05, 0.0), ("bob", 0.08, 0.0), ("ann", 0.04, 0.0), ("bob", 0.07, 0.0))
    assert thread_heat(root_id=1, nodes=nodes).heat == 0


def test_framing_spreading_to_replies_by_other_authors():
    nodes = star(("ann", 0.05, 0.85), [("bob", 0.1, 0.75), ("cat", 0.1, 0.7), ("dan", 0.05, 0.1)])
    result = thread_heat(root_id=1, nodes=nodes)
    assert signs(result) == {"framing"}
    assert "2 replies by 2 other authors" in result.reasons[0].text
    assert result.heat >= 0.6


def test_one_framed_comment_nobody_echoes_does_not_spread():
    nodes = star(("ann", 0.05, 0.9), [("bob", 0.1, 0.05), ("cat", 0.1, 0.2)])
    assert thread_heat(root_id=1, nodes=nodes).heat == 0


def test_an_author_repeating_their_own_framing_is_not_spread():
    nodes = chain(("ann", 0.05, 0.9), ("ann", 0.05, 0.9), ("ann", 0.05, 0.9))
    assert thread_heat(root_id=1, nodes=nodes).heat == 0


def test_several_signs_add_up_and_threads_are_ranked():
    bad = chain(("ann", 0.05, 0.8), ("bob", 0.3, 0.7), ("ann", 0.6, 0.75), ("bob", 0.9, 0.8))
    calm = [Node(n.id + 100, n.parent_id + 100 if n.parent_id else None, n.author, n.created_at, 0.03, 0.0) for n in bad]
    ranked = threads_heat(nodes=calm + bad)
    assert [t.root_id for t in ranked] == [1, 101]
    assert signs(ranked[0]) == {"escalation", "duel", "framing"}
    assert ranked[0].heat > max(r.score for r in ranked[0].reasons)
    assert ranked[1].heat == 0


@pytest.mark.django_db
def test_the_rollup_stores_heat_for_open_threads_and_lists_them(site, moderator):
    from analytics.selectors import heating_threads

    for i, (author, tox) in enumerate([("ann", 0.05), ("bob", 0.3), ("ann", 0.6), ("bob", 0.92)]):
        scored_comment(site, f"h{i}", article="hot", author=author, parent=f"h{i - 1}" if i else "",
                       toxicity={"toxicity": tox}, created_at=days_ago(0, 1) + dt.timedelta(minutes=i))
    for i in range(4):
        scored_comment(site, f"k{i}", article="calm", author=f"u{i}", parent=f"k{i - 1}" if i else "",
                       created_at=days_ago(0, 1) + dt.timedelta(minutes=i))
    rollups_update()
    hot_root = Comment.objects.get(external_id="h0")
    stored = ThreadHeat.objects.get(root=hot_root)
    assert stored.heat > 0.6 and {r["sign"] for r in stored.reasons} >= {"escalation", "duel"}
    assert not ThreadHeat.objects.filter(article__external_id="calm").exists()
    assert [t.root_id for t in heating_threads(site_ids=[site.pk])] == [hot_root.pk]


@pytest.mark.django_db
def test_a_thread_quiet_for_longer_than_the_window_is_not_listed(site, settings):
    from analytics.selectors import heating_threads

    settings.ANALYTICS_HEAT_WINDOW_DAYS = 2
    for i, tox in enumerate([0.05, 0.3, 0.6, 0.92]):
        scored_comment(site, f"o{i}", article="old", author=f"u{i}", parent=f"o{i - 1}" if i else "",
                       toxicity={"toxicity": tox}, created_at=days_ago(5, 1) + dt.timedelta(minutes=i))
    rollups_update()
    assert heating_threads(site_ids=[site.pk]) == []


@pytest.mark.django_db
def test_the_moderator_queue_shows_heating_threads_of_their_sites_only(site, moderator):
    from tests.factories import SiteFactory, logged_in

    other = SiteFactory(slug="elsewhere")
    for target, prefix in ((site, "h"), (other, "x")):
        for i, tox in enumerate([0.05, 0.3, 0.6, 0.92]):
            scored_comment(target, f"{prefix}{i}", article=f"{prefix}-story", author=f"u{i % 2}",
                           parent=f"{prefix}{i - 1}" if i else "", toxicity={"toxicity": tox},
                           created_at=days_ago(0, 1) + dt.timedelta(minutes=i))
    rollups_update()
    client = logged_in(moderator)
    queue = client.get("/queue/").content.decode()
    # The queue loads the box from analytics (htmx, on load): follow it as the browser does.
    page = client.get(queue.split('id="heating-threads-slot" hx-get="')[1].split('"')[0].replace("&amp;", "&")).content.decode()
    assert 'id="heating-threads"' in page and "Title of h-story" in page and "toxicity rose" in page
    assert "Title of x-story" not in page
