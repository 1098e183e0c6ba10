import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from comments.models import Article, Comment, Site
from tests.support.paths import SAMPLE_ARTICLE

pytestmark = pytest.mark.django_db

SAMPLE = SAMPLE_ARTICLE


def _state():
    return sorted(Comment.objects.values_list("external_id", "body", "parent_id", "path", "edit_count"))


def test_sample_article_imports_as_one_article_with_three_full_comments():
    call_command("import_article", str(SAMPLE), "--site", "vt")
    site = Site.objects.get(slug="vt")
    article = Article.objects.get(site=site)
    assert article.title == "After Deir ez-Zor Victory, Syrian Army Faces Challenge of ‘Working With Iraqis’"
    assert article.body.startswith("Troops of the Syrian 5th Army Corps")
    assert article.body.rstrip().endswith("Talks on\xa0the fourth safe zone in\xa0Idlib province are currently underway.")
    assert "DISCLOSURES" not in article.body and "Comments are closed" not in article.body
    comments = list(Comment.objects.order_by("path"))
    assert len(comments) == 3
    first, second, third = comments
    assert first.body.startswith("Kurds, Iraqis & most others want peace")
    assert "Most Kurdish leaders will defer action" in first.body
    assert first.body.endswith("or ‘Daeshed’… 😉")
    assert second.body.startswith("When Syrian forces retook Aleppo")
    assert "a true modern Dracula has been exposed" in second.body
    assert second.body.endswith("Someone tell me I’m lieing.")
    assert third.body.startswith("I hope they can work together to destroy a common enemy.")
    assert third.body.endswith("they’d have no one to blame, but themselves.")
    assert all(c.parent is None and c.depth == 0 for c in comments)


def test_reimporting_the_sample_changes_nothing():
    call_command("import_article", str(SAMPLE), "--site", "vt")
    before = _state()
    call_command("import_article", str(SAMPLE), "--site", "vt")
    assert _state() == before and Article.objects.count() == 1


def test_indented_numbered_items_become_replies(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(
        "A title\n\nThe story.\n\n  1. Top comment\n     second paragraph\n\n"
        "      1. A reply\n\n  2. Another top comment\nComments are closed.\n"
    )
    call_command("import_article", str(page), "--site", "s")
    rows = [(c.body, c.depth, c.parent.body if c.parent else None) for c in Comment.objects.order_by("path")]
    assert rows == [
        ("Top comment\nsecond paragraph", 0, None),
        ("A reply", 1, "Top comment\nsecond paragraph"),
        ("Another top comment", 0, None),
    ]


def _write_jsonl(path: Path, events: list) -> Path:
    path.write_text("".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events))
    return path


def _comment(cid, parent=None, body=None):
    return {
        "type": "comment.created",
        "data": {
            "id": cid,
            "article": {"id": "a1", "url": "https://news.example/a1", "title": "A1"},
            "parent_id": parent,
            "author": {"id": "u1", "name": "Una"},
            "body": body or f"text of {cid}",
            "created_at": "2025-03-01T10:00:00Z",
        },
    }


def test_jsonl_import_and_reimport_is_idempotent(tmp_path):
    events = [{"type": "article.upserted", "data": {"id": "a1", "title": "A1", "body": "Story"}}]
    events += [_comment("c2", parent="c1"), _comment("c1"), _comment("c3", parent="c2")]
    events += [{"type": "comment.edited", "data": {**_comment("c3")["data"], "parent_id": "c2", "body": "edited"}}]
    events += [{"type": "comment.deleted", "data": {"id": "c1"}}]
    path = _write_jsonl(tmp_path / "in.jsonl", events)
    call_command("import_comments", str(path), "--site", "bulk", "--no-progress")
    rows = {c.external_id: c for c in Comment.objects.all()}
    assert rows["c2"].parent == rows["c1"] and rows["c3"].parent == rows["c2"]
    assert rows["c3"].body == "edited" and rows["c1"].status == Comment.Status.REMOVED
    before = _state()
    call_command("import_comments", str(path), "--site", "bulk", "--no-progress")
    assert _state() == before


def test_jsonl_import_reports_bad_lines_with_number_and_field_and_keeps_the_good_ones(tmp_path, capsys):
    path = _write_jsonl(
        tmp_path / "in.jsonl",
        [_comment("c1"), "{not json", {"type": "comment.created", "data": {"id": "c2", "article": {"id": "a1"}}}, _comment("c3")],
    )
    with pytest.raises(CommandError):
        call_command("import_comments", str(path), "--site", "bulk", "--no-progress")
    err = capsys.readouterr().err
    assert "line 2: invalid JSON" in err and "line 3: data.body: is required" in err
    assert sorted(Comment.objects.values_list("external_id", flat=True)) == ["c1", "c3"]


def test_jsonl_import_rejects_a_line_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps(_comment("c1")).encode() + b"\n" + b'{"type": "\xff\xfe"}\n')
    with pytest.raises(CommandError):
        call_command("import_comments", str(path), "--site", "bulk", "--no-progress")
    assert "line 2: not UTF-8" in capsys.readouterr().err
    assert Comment.objects.count() == 1


def test_jsonl_import_reports_a_reply_to_another_articles_comment_and_goes_on(tmp_path, capsys):
    other = {**_comment("r", parent="c1")}
    other["data"] = {**other["data"], "article": {"id": "a2"}}
    path = _write_jsonl(tmp_path / "in.jsonl", [_comment("c1"), other, _comment("c3")])
    with pytest.raises(CommandError):
        call_command("import_comments", str(path), "--site", "bulk", "--no-progress")
    assert "line 2: data.parent_id: the parent comment belongs to another article" in capsys.readouterr().err
    assert sorted(Comment.objects.values_list("external_id", flat=True)) == ["c1", "c3"]


def test_the_sample_gives_no_bylines_so_its_comments_stay_anonymous_with_their_text_whole():
    # The real sample prints no names or dates: no sentence of it may be taken for a byline.
    call_command("import_article", str(SAMPLE), "--site", "vt")
    comments = list(Comment.objects.order_by("path"))
    assert [c.author for c in comments] == [None, None, None]
    assert comments[0].body.startswith("Kurds, Iraqis & most others want peace")


def _sample_with_bylines(tmp_path, first: str, second: str) -> Path:
    """The real sample page with bylines printed above its first two comments, as many pages do."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("  1. Kurds, Iraqis", f"  1. {first}\n    Kurds, Iraqis", 1)
    text = text.replace("  2. When Syrian forces", f"  2. {second}\n    When Syrian forces", 1)
    page = tmp_path / "with-bylines.txt"
    page.write_text(text, encoding="utf-8")
    return page


def test_names_and_dates_the_page_gives_are_kept(tmp_path):
    import datetime as dt

    page = _sample_with_bylines(tmp_path, "Jane Doe on September 10, 2017 at 3:12 pm said:", "kurd_watcher said:")
    call_command("import_article", str(page), "--site", "vt")
    first, second, third = Comment.objects.order_by("external_id").select_related("author")
    assert first.author.display_name == "Jane Doe"
    assert first.created_at == dt.datetime(2017, 9, 10, 15, 12, tzinfo=dt.timezone.utc)
    assert first.body.startswith("Kurds, Iraqis & most others want peace")  # the byline is not the text
    assert second.author.display_name == "kurd_watcher"
    assert second.body.startswith("When Syrian forces retook Aleppo")
    assert second.created_at.year >= 2026  # no date given: the import time
    assert third.author is None


def test_a_byline_date_outside_the_bounds_keeps_the_import_time_and_says_so(tmp_path, capsys, settings):
    import datetime as dt

    settings.INPUT_DATE_MIN = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    page = _sample_with_bylines(tmp_path, "Jane Doe - 1899-12-31", "Bob - 2017-09-10 08:00")
    call_command("import_article", str(page), "--site", "vt")
    first, second, _ = Comment.objects.order_by("external_id").select_related("author")
    assert first.author.display_name == "Jane Doe" and first.created_at.year >= 2026
    assert second.created_at == dt.datetime(2017, 9, 10, 8, 0, tzinfo=dt.timezone.utc)
    assert "comment 1 date" in capsys.readouterr().err
