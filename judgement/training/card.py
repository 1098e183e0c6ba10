"""The model card: what each head was trained on, what it is good and bad at, every figure and how to reproduce it."""
from __future__ import annotations

from pathlib import Path

EXPERIMENTS = {
    "served": "the served head, on the corpus's test rows (never trained on)",
    "cross": "a head refitted without this corpus, on all of its rows",
    "5fold": "5 heads, each refitted without one fifth of the corpus, on that fifth (mean)",
    "baseline": "what answered offline before the head (the hand-fitted framing analyzer, or profanity-check), "
    "on the same test rows in the same run",
}


# What each head is good and bad at, in words; the numbers are in the tables above them.
STRENGTHS = {
    "conspiracy_framing": "Good at PAN's boundary: a post that alleges a secret plot against one that only "
    "protests or criticises. Weak on Reddit's broader 'conspiracy-related' (PsyCoMark), where a story about a real "
    "coup counts; its topic knowledge is COVID, vaccines and 'globalists', so other conspiracy worlds lean on the "
    "analyzer's lexical evidence, which the head reads as features and which the spans show.",
    "toxicity": "Ranks abuse that is not swearing (HateXplain) far better than profanity-check and swearing "
    "(OLID) about as well; a head trained on one corpus loses most of its edge on the other, so set thresholds "
    "from your own data. Not Detoxify: use Detoxify where its weights can be had.",
    "identity_attack": "Explicit slurs and group hate (HateXplain) are caught far better than coded, implicit hate "
    "(implicit-hate), which is what the embedding misses most.",
    "insult": "OLID's targeted insults and threats against everything else; trained on tweets only.",
    "obscene": "Swearing without a target (OLID's untargeted profanity), mostly profanity-check's signal; very few "
    "positive test rows, so the figure is rough.",
    "threat": "implicit-hate's 'threatening' posts against the rest of that corpus: one community and one style, "
    "never measured on another corpus.",
}


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def render(manifest: dict) -> str:
    lines = [
        "# Model card: Threadwarden's learned heads",
        "",
        f"Trained {manifest['trained_on']} by `manage.py train_heads` (seed {manifest['seed']}, "
        f"head code {manifest['code_version']}, embedding `{manifest['embedding']}`"
        + (f", smoke subset of {manifest['limit']} rows per corpus" if manifest.get("limit") else "")
        + f"), {manifest.get('seconds', 0):.0f} s.",
        "",
        "Every head is a standardised logistic regression on the pooled all-MiniLM-L6-v2 sentence embedding "
        "(mean and max over sentences, 768 values) plus named features, with Platt calibration fitted on "
        "cross-validated logits of the training rows, so 0.5 means \"more likely than not\" on data like the "
        "training data. The figures below are on rows the head never saw. The cross-corpus rows are the ones "
        "to believe for your own site: your comments are not tweets from 2019 or Telegram posts about COVID.",
        "",
        "## Data",
        "",
        "| corpus | rows | train | test | licence |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, corpus in manifest["corpora"].items():
        lines.append(f"| {name} | {corpus['rows']} | {corpus['train']} | {corpus['test']} | {corpus['licence']} |")
    lines += ["", "No training text ships with the product: only the head files (weights) and this card.", ""]
    lines += ["## Heads", ""]
    for label, head in manifest["heads"].items():
        status = "served" if head.get("served") else "NOT served"
        lines.append(f"### {label}: {status}")
        lines.append("")
        if head.get("reason"):
            lines += [f"Reason: {head['reason']}", ""]
        if label in STRENGTHS:
            lines += [STRENGTHS[label], ""]
        if "version" not in head:
            continue
        lines += [
            f"Version `{head['version']}`; features: {', '.join(head['features'])}; "
            f"trained on {', '.join(head['corpora'])} ({head['rows']['train']} rows, "
            f"{head['rows']['positives']} positive); C = {head['fit']['C']}.",
            f"Floors: {'; '.join(head['floors']) or 'none'}.",
            *([f"**Floors missed:** {'; '.join(head['floors_missed'])}."] if head.get("floors_missed") else []),
            *([f"Served all the same because {head['served_because']}."] if head.get("served_because") else []),
            "",
            "| experiment | test corpus | n | positives | AUC | MCC at 0.5 | precision | recall | best MCC (threshold) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for experiment, by_corpus in head["results"].items():
            for corpus, f in by_corpus.items():
                best = f"{_fmt(f.get('best_mcc'))} ({f.get('best_threshold', '-')})" if "best_threshold" in f else _fmt(f.get("best_mcc"))
                lines.append(
                    f"| {experiment} | {corpus} | {f.get('n', '-')} | {f.get('positives', '-')} | {_fmt(f.get('auc'))} | "
                    f"{_fmt(f.get('mcc'))} | {_fmt(f.get('precision'))} | {_fmt(f.get('recall'))} | {best} |"
                )
        lines.append("")
    lines += ["Experiments: " + "; ".join(f"*{k}*: {v}" for k, v in EXPERIMENTS.items()) + ".", ""]
    return "\n".join(lines)


def write(manifest: dict, out_dir: Path, notes: str = "") -> Path:
    path = out_dir / "MODEL_CARD.md"
    path.write_text(render(manifest) + (("\n" + notes.strip() + "\n") if notes.strip() else ""))
    return path
