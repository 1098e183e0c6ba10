"""bench/judgement.py end to end on three comments, in this process, with the tiny Detoxify checkpoint.

Only the shape of the report is checked: timings are never asserted on.
"""
from __future__ import annotations

import json

from bench import judgement

KEYS = (
    judgement.DETOXIFY,
    judgement.JUDGEMENT,
    judgement.EMBEDDING,
    judgement.HEADS,
    judgement.FRAMING_GIVEN_EMBEDDINGS,
    judgement.FRAMING_LEXICAL,
)


def test_judgement_bench_reports_every_measurement(tiny_detoxify, tmp_path):
    out = tmp_path / "judgement.json"
    report = judgement.main([
        "--n", "3", "--in-process", "--threads", "0", "--load-sample", "0",
        "--checkpoint", str(tiny_detoxify.checkpoint), "--hf-config", str(tiny_detoxify.hf_config_dir),
        "--out", str(out),
    ])

    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    assert set(report["results"]) == set(KEYS)
    for key in KEYS:
        result = report["results"][key]
        assert result["comments"] == 3
        for figure in ("seconds", "cpu_seconds", "comments_per_second", "comments_per_cpu_second",
                       "peak_rss_process_mb", "peak_rss_scoring_mb"):
            assert result[figure] > 0, (key, figure)

    whole = report["results"][judgement.JUDGEMENT]
    assert whole["embedded_once"] and whole["pieces_encoded_by_framing"] == 0
    assert whole["pieces_encoded"] >= whole["sentences"] > 0
    assert "conspiracy_framing" in whole["labels"] and "toxicity" in whole["labels"]
    summary = report["summary"]
    for figure in ("judgement_vs_detoxify_per_cpu_second", "embedding_share_of_judgement_cpu",
                   "heads_share_of_judgement_cpu", "framing_lexical_vs_detoxify_per_cpu_second"):
        assert summary[figure] > 0, figure
    assert summary["each_text_embedded_once"] is True
