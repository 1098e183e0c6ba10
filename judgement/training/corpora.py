"""Readers for the public corpora in ``shared/data`` (see each folder's SOURCE.md).

Every reader returns ``Example`` rows with a deterministic split: the official
one where a corpus has it (OLID), otherwise 80/20 by a salted hash of the
text, so a text lands in the same split on every run and every machine, and a
text that occurs twice never sits on both sides.
"""
from __future__ import annotations

import csv
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

csv.field_size_limit(sys.maxsize)

SPLIT_SALT = "threadwarden-judgement-1"
TEST_SHARE = 0.2


@dataclass(frozen=True)
class Example:
    text: str
    corpus: str
    split: str  # "train" or "test"
    labels: dict[str, int] = field(default_factory=dict)  # head label -> 0/1; absent = not labelled for it
    extra: dict[str, str] = field(default_factory=dict)  # e.g. the corpus's own class name


def hash_split(text: str) -> str:
    digest = hashlib.sha256(f"{SPLIT_SALT}|{normalise(text)}".encode("utf-8", "surrogatepass")).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2**64 < TEST_SHARE else "train"


def hash_order(text: str, purpose: str) -> str:
    """A deterministic pseudo-random sort key: sorting by it draws a sample that does not depend on the text's wording."""
    return hashlib.sha256(f"{SPLIT_SALT}|{purpose}|{normalise(text)}".encode("utf-8", "surrogatepass")).hexdigest()


def hash_fold(text: str, folds: int = 5) -> int:
    digest = hashlib.sha256(f"{SPLIT_SALT}|fold|{normalise(text)}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % folds


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


_PAN_SPACES = [
    (re.compile(r" ([.,!?;:%)\]’”])"), r"\1"),
    (re.compile(r"([(\[“‘]) "), r"\1"),
    (re.compile(r" ([’'](?:s|t|re|ve|ll|d|m))\b"), r"\1"),
    (re.compile(r"https? :// "), "https://"),
    (re.compile(r"(\w) \. (\w)"), r"\1.\2"),
    (re.compile(r" / "), "/"),
]


def detokenise(text: str) -> str:
    """PAN's texts come pre-tokenised ("vaccines ’ and says ."); comments do not."""
    for pattern, replacement in _PAN_SPACES:
        text = pattern.sub(replacement, text)
    return " ".join(text.split(" ")).strip()


def _dedupe(rows: list[Example]) -> list[Example]:
    seen: set[str] = set()
    out = []
    for row in rows:
        key = normalise(row.text)
        if key and key not in seen:
            seen.add(key)
            out.append(row)
    return out


def pan2024(data: Path) -> list[Example]:
    path = data / "pan2024_oppositional_train_en" / "train_en.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            Example(detokenise(r["text"]), "pan2024", hash_split(r["text"]),
                    {"conspiracy_framing": int(r["label"])}, {"class": r["category"]})
            for r in csv.DictReader(handle)
        ]
    return _dedupe(rows)


def psycomark(data: Path) -> list[Example]:
    """Yes -> 1, No -> 0; "Can't tell" is left out (no side to learn)."""
    path = data / "semeval26_psycomark_train" / "classification_train.csv"
    mapping = {"Yes": 1, "No": 0}
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            Example(r["text"], "psycomark", hash_split(r["text"]), {"conspiracy_framing": mapping[r["label"]]},
                    {"class": r["label"]})
            for r in csv.DictReader(handle)
            if r["label"] in mapping and r["text"].strip()
        ]
    return _dedupe(rows)


def _olid_labels(a: str, b: str, c: str) -> dict[str, int]:
    offensive = int(a == "OFF")
    return {
        "toxicity": offensive,
        # Targeted insult or threat vs untargeted profanity and inoffensive text.
        "insult": int(b == "TIN"),
        # Untargeted profanity is the closest OLID comes to "obscene"; targeted offence is left unlabelled for it.
        **({"obscene": int(b == "UNT")} if b != "TIN" else {}),
        "identity_attack": int(c == "GRP"),
    }


def olid(data: Path) -> list[Example]:
    folder = data / "olid"
    rows: list[Example] = []
    with (folder / "olid-training-v1.0.tsv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for record in reader:
            if len(record) < 5:
                continue
            _, tweet, a, b, c = record[:5]
            rows.append(Example(tweet, "olid", "train", _olid_labels(a, b, c), {"class": a}))

    def gold(name: str) -> dict[str, str]:
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            return {r[0]: r[1] for r in reader if len(r) >= 2}

    a, b, c = gold("labels-levela.csv"), gold("labels-levelb.csv"), gold("labels-levelc.csv")
    with (folder / "testset-levela.tsv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for record in reader:
            if len(record) < 2 or record[0] not in a:
                continue
            ident, tweet = record[0], record[1]
            rows.append(Example(tweet, "olid", "test", _olid_labels(a[ident], b.get(ident, "NULL"),
                                                                    c.get(ident, "NULL")), {"class": a[ident]}))
    return rows


def hatexplain(data: Path) -> list[Example]:
    """The three files merged and re-split by text (this copy's own split is skewed; see SOURCE.md)."""
    rows: list[Example] = []
    for name in ("train.csv", "valid.csv", "test.csv"):
        with (data / "hatexplain" / name).open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            next(reader)
            for record in reader:
                if len(record) < 2 or record[0] not in ("hatespeech", "offensive", "normal"):
                    continue
                label, text = record[0], record[1]
                rows.append(Example(text, "hatexplain", hash_split(text), {
                    "toxicity": int(label != "normal"),
                    "identity_attack": int(label == "hatespeech"),
                }, {"class": label}))
    return _dedupe(rows)


def implicit_hate(data: Path) -> list[Example]:
    folder = data / "implicit_hate"
    subtype: dict[str, str] = {}
    with (folder / "implicit_hate_v1_stg2_posts.tsv").open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter="\t"):
            subtype[normalise(record["post"])] = record["implicit_class"]
    rows: list[Example] = []
    with (folder / "implicit_hate_v1_stg1_posts.tsv").open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter="\t"):
            text, kind = record["post"].strip().strip('"').strip(), record["class"]
            if kind not in ("explicit_hate", "implicit_hate", "not_hate") or not text:
                continue
            labels = {"identity_attack": int(kind != "not_hate")}
            sub = subtype.get(normalise(record["post"]), "")
            if kind == "not_hate" or sub:
                labels["threat"] = int(sub == "threatening")
            rows.append(Example(text, "implicit_hate", hash_split(text), labels, {"class": kind, "subtype": sub}))
    return _dedupe(rows)


READERS = {
    "pan2024": pan2024,
    "psycomark": psycomark,
    "olid": olid,
    "hatexplain": hatexplain,
    "implicit_hate": implicit_hate,
}


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def load_all(data: Path) -> dict[str, list[Example]]:
    missing = [name for name in READERS if not (data / _FOLDERS[name]).is_dir()]
    if missing:
        raise FileNotFoundError(f"corpora missing under {data}: {', '.join(missing)}")
    return {name: reader(data) for name, reader in READERS.items()}


_FOLDERS = {
    "pan2024": "pan2024_oppositional_train_en",
    "psycomark": "semeval26_psycomark_train",
    "olid": "olid",
    "hatexplain": "hatexplain",
    "implicit_hate": "implicit_hate",
}
