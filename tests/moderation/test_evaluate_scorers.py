"""evaluate_scorers: the workers' scorers measured on a labelled file with judgement.evaluation.figures."""
import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from judgement.evaluation import figures
from moderation import policy
from moderation.models import CommentScoring, FlagPolicy, Score, TextEmbedding
from moderation.services.flags import flag_policy_update
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db
TEXTS = [
    "They are hiding the truth from all of us, the elites planned it.",
    "What a lovely day for a walk.",
    "You are an idiot and a liar.",
    "Thanks for the recipe!",
    "Shut up, nobody asked you.",
    "The council meets on Tuesday.",
]


def run(name: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as error:
        status = error.returncode
        err.write(str(error))
    return status, out.getvalue(), err.getvalue()


def evaluate(*args: str) -> tuple[int, dict | None, str]:
    status, out, err = run("evaluate_scorers", *args, "--json")
    return status, (json.loads(out) if out else None), err


def write_jsonl(tmp_path, rows: list, name: str = "labelled.jsonl") -> str:
    path = tmp_path / name
    path.write_bytes(b"\n".join(r if isinstance(r, bytes) else json.dumps(r).encode() for r in rows) + b"\n")
    return str(path)


def scores_of(path: str) -> dict[str, list[float]]:
    """Each label's scores for the file's rows, as score_texts gives them."""
    _, out, _ = run("score_texts", path, "--no-progress")
    by_label: dict[str, list[float]] = {}
    for row in map(json.loads, out.splitlines()):
        for labels in row["scores"].values():
            for label, value in labels.items():
                by_label.setdefault(label, []).append(value)
    return by_label


def test_each_labels_figures_are_judgements_figures_on_the_same_scores(tiny_scoring, tmp_path):
    truth = [1, 0, 1, 0, 1, 0]
    path = write_jsonl(tmp_path, [{"text": t, "y": y} for t, y in zip(TEXTS, truth)])
    status, report, _ = evaluate(path, "--label-field", "y")
    assert status == 0
    scores = scores_of(path)
    assert [entry["label"] for entry in report["labels"]] == list(scores)  # every label of every scorer
    for entry in report["labels"]:
        expected = figures(truth, scores[entry["label"]], threshold=policy.DEFAULT_RULES[entry["label"]]["threshold"])
        assert {key: entry[key] for key in expected.as_dict()} == expected.as_dict()
        assert entry["threshold_from_policy"] is True
    assert report["rows"] == {"evaluated": 6, "skipped_label": 0, "bad": 0}


def test_a_file_separated_by_a_labels_own_scores_gives_auc_one(tiny_scoring, tmp_path):
    scores = scores_of(write_jsonl(tmp_path, [{"text": t} for t in TEXTS], name="texts.jsonl"))["toxicity"]
    assert len(set(scores)) == len(scores)  # no ties, so the split below is perfect
    cut = sorted(scores)[len(scores) // 2]
    path = tmp_path / "labelled.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["comment", "verdict"])
        writer.writerows([text, "Toxic" if score >= cut else "clean"] for text, score in zip(TEXTS, scores))
    status, report, _ = evaluate(str(path), "--text-field", "comment", "--label-field", "verdict",
                                 "--label-map", "toxic=1,clean=0", "--labels", "toxicity")
    assert status == 0
    [entry] = report["labels"]
    assert (entry["label"], entry["n"], entry["positives"]) == ("toxicity", 6, 3)
    assert entry["auc"] == 1.0 and entry["best_mcc"] == 1.0


def test_default_label_map_unknown_labels_and_bad_rows(tiny_scoring, tmp_path):
    rows = [
        {"text": TEXTS[0], "y": "Yes"}, {"text": TEXTS[1], "y": "no"}, {"text": TEXTS[2], "y": True},
        {"text": TEXTS[3], "y": 0}, {"text": TEXTS[4], "y": "TRUE"}, {"text": TEXTS[5], "y": "False"},
        {"text": "unsure about this one", "y": "maybe"}, {"text": "no label at all"},
        b"{not json", {"y": 1},
    ]
    before = {model: model.objects.count() for model in (Score, CommentScoring, TextEmbedding, FlagPolicy)}
    status, report, err = evaluate(write_jsonl(tmp_path, rows), "--label-field", "y",
                                   "--labels", "conspiracy_framing")
    assert status == 1  # bad rows were skipped; the report is still complete
    assert report["rows"] == {"evaluated": 6, "skipped_label": 2, "bad": 2}
    assert report["labels"][0]["positives"] == 3
    assert "line 9: invalid JSON" in err and "line 10: missing text field" in err
    assert "2 rows skipped: label not in the map" in err and "'maybe'" in err
    assert {model: model.objects.count() for model in before} == before


def test_thresholds_come_from_the_sites_policy_or_fall_back_to_a_half(tiny_scoring, tmp_path, monkeypatch):
    site = SiteFactory(slug="news")
    flag_policy_update(site=site, rules={"toxicity": {"threshold": 0.3, "action": "hold"}})
    monkeypatch.delitem(policy.DEFAULT_RULES, "threat")
    path = write_jsonl(tmp_path, [{"text": t, "y": y} for t, y in zip(TEXTS, [1, 0, 1, 0, 1, 0])])
    _, report, _ = evaluate(path, "--label-field", "y", "--site", "news", "--labels", "toxicity,threat,insult")
    by_label = {entry["label"]: entry for entry in report["labels"]}
    assert (by_label["toxicity"]["threshold"], by_label["toxicity"]["action"]) == (0.3, "hold")
    assert by_label["insult"]["threshold"] == policy.DEFAULT_RULES["insult"]["threshold"]
    assert (by_label["threat"]["threshold"], by_label["threat"]["threshold_from_policy"]) == (0.5, False)
    status, table, _ = run("evaluate_scorers", path, "--label-field", "y", "--labels", "threat", "--no-progress")
    assert status == 0
    assert table.splitlines()[0].split()[:4] == ["label", "scorer", "n", "pos"]
    assert table.splitlines()[1].startswith("threat*")
    assert "no threshold for this label: 0.5 used" in table


def test_unknown_labels_or_a_bad_label_map_do_nothing(tiny_scoring, tmp_path):
    path = write_jsonl(tmp_path, [{"text": TEXTS[0], "y": 1}])
    status, report, err = evaluate(path, "--label-field", "y", "--labels", "sarcasm")
    assert (status, report) == (2, None) and "unknown label(s) sarcasm" in err
    status, report, err = evaluate(path, "--label-field", "y", "--label-map", "toxic=2")
    assert (status, report) == (2, None) and "bad label map entry" in err
    status, report, err = evaluate(path, "--label-field", "missing")
    assert (status, report) == (2, None) and "known label" in err
    (tmp_path / "texts.txt").write_text("no labels here\n")
    status, report, err = evaluate(str(tmp_path / "texts.txt"), "--label-field", "y")
    assert (status, report) == (2, None) and "reads as lines" in err
