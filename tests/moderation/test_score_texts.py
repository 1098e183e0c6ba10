"""score_texts: the workers' scorers and a site's policy over a file, writing nothing."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comments.models import Comment
from moderation import loaded_scorers, policy
from moderation.models import CommentScoring, FlagPolicy, Score, TextEmbedding
from moderation.services.flags import flag_policy_update
from tests.factories import SiteFactory
from tests.support.failing_scorer import FailingOn

pytestmark = pytest.mark.django_db
CONSPIRACY = "The lizard council decided this long ago and they are hiding it from all of us."
TEXTS = [CONSPIRACY, "What a lovely day for a walk.", "You are an idiot and a liar.", "Thanks for the recipe!"]


def score_texts(*args: str) -> tuple[int, list[dict], str]:
    """(exit status, the JSON rows printed, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command("score_texts", *args, stdout=out, stderr=err)
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    return status, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def jsonl(tmp_path, rows: list, name: str = "texts.jsonl") -> str:
    path = tmp_path / name
    path.write_bytes(b"\n".join(r if isinstance(r, bytes) else json.dumps(r).encode() for r in rows) + b"\n")
    return str(path)


def counts() -> dict[str, int]:
    models = (Score, CommentScoring, TextEmbedding, FlagPolicy, Comment)
    return {model.__name__: model.objects.count() for model in models}


def test_every_good_row_is_scored_in_order_and_a_bad_line_is_reported_by_number(tiny_scoring, tmp_path):
    path = jsonl(tmp_path, [{"text": TEXTS[0]}, {"text": TEXTS[1]}, b'{"text": oops', {"text": TEXTS[2]},
                            {"body": "no text"}, {"text": TEXTS[3]}])
    status, rows, err = score_texts(path, "--batch-size", "2")
    assert status == 1
    assert [row["line"] for row in rows] == [1, 2, 4, 6]  # the rows after the bad ones are still scored
    assert "line 3: invalid JSON" in err
    assert "line 5: missing text field 'text'" in err
    assert "scored 2 rows" in err and "scored 4 rows" in err  # progress per batch


def test_a_text_a_scorer_fails_on_is_a_bad_row_and_its_batch_is_still_scored(tiny_scoring, tmp_path, monkeypatch):
    real = loaded_scorers.scorers_without_store

    def failing(**options):
        built = real(**options)
        toxicity = loaded_scorers.LoadedToxicity(FailingOn(built.toxicity.scorer, "POISON"), None)
        return loaded_scorers.StorelessScorers(toxicity=toxicity, framing=built.framing)

    monkeypatch.setattr(loaded_scorers, "scorers_without_store", failing)
    path = jsonl(tmp_path, [{"text": TEXTS[0]}, {"text": "POISON pill"}, {"text": TEXTS[1]}, {"text": TEXTS[2]}])
    status, rows, err = score_texts(path, "--batch-size", "3")
    assert status == 1
    assert [row["line"] for row in rows] == [1, 3, 4]
    assert "line 2: scoring failed: ValueError: model crashed on this text" in err


def test_the_output_has_every_label_of_the_workers_scorers(tiny_scoring, tmp_path):
    status, rows, err = score_texts(jsonl(tmp_path, [{"text": text} for text in TEXTS]))
    assert status == 0
    assert len(rows) == len(TEXTS)
    toxicity, framing = loaded_scorers.toxicity_scorer().scorer, loaded_scorers.framing_scorer()
    for row in rows:
        assert set(row["scores"]["toxicity"]) == set(toxicity.labels)
        assert set(row["scores"]["framing"]) == {"conspiracy_framing"}
        assert row["models"] == {
            "toxicity": {"name": toxicity.name, "version": toxicity.version},
            "framing": {"name": framing.name, "version": framing.version},
        }
    # The same numbers the worker's scorer gives.
    assert [row["scores"]["toxicity"] for row in rows] == [dict(s.labels) for s in toxicity.score(TEXTS)]
    assert any(span["role"] for span in rows[0]["evidence"])


def test_it_writes_nothing_even_for_a_site_without_a_policy(tiny_scoring, tmp_path):
    SiteFactory(slug="bare")
    before = counts()
    status, rows, _ = score_texts(jsonl(tmp_path, [{"text": text} for text in TEXTS]), "--site", "bare")
    assert status == 0 and len(rows) == len(TEXTS)
    assert counts() == before


def test_the_embeddings_it_needs_stay_out_of_the_database(settings, tmp_path):
    """With the learned heads and the semantic analyzer both embed; nothing reaches TextEmbedding."""
    settings.TOXICITY_SCORER = {"backend": "heads"}
    settings.FRAMING_SEMANTIC = True
    loaded_scorers.reset()
    try:
        status, rows, _ = score_texts(jsonl(tmp_path, [{"text": TEXTS[0]}, {"text": TEXTS[1]}]))
        assert status == 0 and len(rows) == 2
        assert TextEmbedding.objects.count() == 0
        assert rows[0]["models"]["toxicity"]["version"] == loaded_scorers.toxicity_scorer().scorer.version
        assert rows[0]["models"]["framing"]["version"] == loaded_scorers.framing_scorer().version
    finally:
        loaded_scorers.reset()


def test_a_sites_framing_terms_change_the_framing_version_and_evidence(tiny_scoring, tmp_path):
    SiteFactory(slug="plain")
    own = SiteFactory(slug="own")
    terms = {"agent": ["the lizard council"]}
    flag_policy_update(site=own, framing_terms=terms)
    path = jsonl(tmp_path, [{"text": CONSPIRACY}])
    _, [plain_row], _ = score_texts(path, "--site", "plain")
    _, [own_row], _ = score_texts(path, "--site", "own")
    assert own_row["models"]["framing"]["version"] != plain_row["models"]["framing"]["version"]
    assert own_row["models"]["framing"]["version"] == loaded_scorers.framing_scorer(extra_terms=terms).version
    assert any(span["text"].lower() == "the lizard council" and span["role"] == "agent" for span in own_row["evidence"])
    assert not any("lizard" in span["text"].lower() for span in plain_row["evidence"])


def test_flags_follow_the_sites_policy_or_the_default_one(tiny_scoring, tmp_path):
    strict = SiteFactory(slug="strict")
    flag_policy_update(site=strict, rules={"conspiracy_framing": {"threshold": 0.0, "action": "hold"}},
                       banned_words=["walk"])
    path = jsonl(tmp_path, [{"text": TEXTS[1]}])
    _, [default_row], _ = score_texts(path)
    _, [strict_row], _ = score_texts(path, "--site", "strict")
    # The tiny random Detoxify may fire toxicity rules on anything; the site's own rules are what differ.
    assert {"banned_word", "label:conspiracy_framing"}.isdisjoint(flag["rule"] for flag in default_row["flags"])
    assert strict_row["action"] == "hold"
    fired = {flag["rule"]: flag for flag in strict_row["flags"]}
    assert fired["banned_word"]["words"] == ["walk"]
    assert fired["label:conspiracy_framing"]["threshold"] == 0.0
    # Exactly what the policy says for these scores under the site's rules.
    labels = {**strict_row["scores"]["toxicity"], **strict_row["scores"]["framing"]}
    verdict = policy.evaluate(labels=labels, text=TEXTS[1], site_rules=strict.flag_policy.rules, banned_words=["walk"])
    assert strict_row["flags"] == [reason.as_dict() for reason in verdict.reasons]


def test_csv_and_lines_files_with_another_text_field(tiny_scoring, tmp_path):
    (tmp_path / "texts.csv").write_text('id,body\n1,"first, with a comma"\n2,second\n')
    (tmp_path / "texts.txt").write_text("first\nsecond\n")
    status, rows, _ = score_texts(str(tmp_path / "texts.csv"), "--text-field", "body")
    assert status == 0 and [row["line"] for row in rows] == [2, 3]
    status, rows, _ = score_texts(str(tmp_path / "texts.txt"))
    assert status == 0 and [row["line"] for row in rows] == [1, 2]
    status, rows, _ = score_texts(str(tmp_path / "texts.txt"), "--format", "jsonl")
    assert status == 1 and rows == []


def test_an_unknown_site_or_an_unreadable_file_does_nothing(tiny_scoring, tmp_path):
    path = jsonl(tmp_path, [{"text": TEXTS[0]}])
    status, rows, err = score_texts(path, "--site", "nowhere")
    assert (status, rows) == (2, []) and "no site 'nowhere'" in err
    status, rows, err = score_texts(str(tmp_path / "missing.jsonl"))
    assert (status, rows) == (2, []) and "cannot read" in err
    (tmp_path / "wrong.csv").write_text("body\nhello\n")
    status, rows, err = score_texts(str(tmp_path / "wrong.csv"))
    assert (status, rows) == (2, []) and "no column 'text'" in err


def test_stdout_holds_only_jsonl_even_when_loading_a_model_prints(tmp_path):
    """torch.hub prints "Downloading: ..." on stdout when Detoxify tries its weights; a pipe reading
    score_texts' stdout must see JSON lines only."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    path = jsonl(tmp_path, [{"text": TEXTS[0]}, {"text": TEXTS[2]}])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "TOXICITY_BACKEND": "auto",
           "DETOXIFY_MODEL": "original", "TORCH_HOME": str(tmp_path / "torch")}
    done = subprocess.run([sys.executable, "manage.py", "score_texts", path, "--no-progress"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["line"] for row in rows] == [1, 2]
    assert rows[0]["models"]["toxicity"]["name"] in ("minilm-heads", "detoxify-original")
