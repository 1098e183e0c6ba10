"""Hypothesis strategies for what an attacker or a clumsy client sends: path values, query strings, form
fields and bodies, with the boundary values of issue 14 drawn often (a modest number of examples still
meets them)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st

from webhooks.platforms.registry import PLATFORMS as PLATFORM_REGISTRY

from .routes import Parameter, Regex, Route

LONG = "x" * 20_000
DEEP = 50_000

# Odd strings as a form field, a query value or a path segment would carry them.
BOUNDARY_STRINGS = [
    "", " ", "0", "1", "-1", "-0", "00000001", "²", "¹²³", "١٢٣", "٣:٠", "²:0", "1:²", "9" * 19, "9" * 25,
    "-" + "9" * 25, "9" * 4400, "1e308", "-1e308", "1e-400", "nan", "NaN", "inf", "-Infinity", "0.5", "1.5",
    "2026-02-30", "2026-02-30T00:00:00", "2026-13-45T99:00:00", "0001-01-01", "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+05:00", "9999-12-31", "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59.999999+14:00",
    "1970-01-01T00:00:00Z", "2026-11-20T08:05:00Z", "10000-01-01", "2026-W53", "\x00", "a\x00b", "%00",
    "\x01\x02\x1f\x7f", "\r\n", "\t", "\ud800", "\udfff", "a\ud800b", "\ufeff", "\u202e", "😀" * 8, "ǅ",
    "Ⅻ", LONG, "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "true", "false", "null",
    "[]", "{}", "[[[[[[[[[[", ",", ",,,", ":", "1,2,3", "1:0,2:0", "0:0", "-1:0", "1:-1",
    # The values the views know, so the fuzzer gets past the first check.
    "custom", "24h", "7d", "30d", "90d", "365d", "day", "week", "month", "csv", "json", "flagged", "all",
    "approve", "reject", "escalate", "reject:", "reject:1", "reject:²", "suspend", "ban", "1", "3", "7", "30",
    "owner", "moderator", "senior", "toxicity", "insult", "conspiracy_framing", "review", "hold", "off",
    "NEW", "EDIT", "TOXICITY", "PLAIN_TEXT", "en",
]
BOUNDARY_INTS = [0, 1, -1, 2**31, 2**63, -(2**63) - 1, 10**30, -(10**30)]

# Names the views read, found by reading them (a new name in a view is still hit by the random ones).
PARAMETER_NAMES = [
    "tab", "site", "article", "author", "reason", "label", "min", "max", "posted_from", "posted_to", "q",
    "after", "since", "shown", "next", "decision", "decision-reason", "items", "version", "note", "removes",
    "kind", "days", "feedback", "banned_words", "suspect_words", "toxicity__threshold", "toxicity__action",
    "insult__threshold", "conspiracy_framing__action", "active", "username", "password", "role", "name",
    "secret", "actor", "action", "comment", "until", "before", "period", "bucket", "from", "to", "format",
    "table", "key", "cursor", "limit", "e", "o", "p", "_changelist_filters", "page", "csrfmiddlewaretoken",
]

TEXT = st.text(max_size=40)


def values(tokens: list[str]) -> st.SearchStrategy[str]:
    """One string value: a boundary value, a real id or name of the world, a number, a date, or anything."""
    return st.one_of(
        st.sampled_from(BOUNDARY_STRINGS),
        st.sampled_from(tokens),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(lambda day: day.isoformat()),
        st.datetimes(timezones=st.timezones() | st.none()).map(lambda moment: moment.isoformat()),
        TEXT,
    )


def pairs(tokens: list[str], read: list[str] = ()) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Fields as a query string or a form carries them: the names this view reads (mostly), names other
    views read, any name; repeats allowed."""
    name = st.one_of(*([st.sampled_from(sorted(read))] * 2 if read else []), st.sampled_from(PARAMETER_NAMES),
                     st.text(max_size=12))
    return st.lists(st.tuples(name, values(tokens)), max_size=6)


def encoded(fields: list[tuple[str, str]]) -> str:
    """``a=1&b=2``, percent-encoding the bytes a client would send (a lone surrogate as its surrogatepass
    bytes: not UTF-8, as a broken client sends them)."""
    def enc(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{enc(name)}={enc(value)}" for name, value in fields)


def path_values(route: Route, world_values: dict[str, list[str]]) -> st.SearchStrategy[dict[str, str]]:
    """A value for each converter of the route: mostly real rows of the world and the converter's kind of
    value, sometimes anything at all."""
    parts = {}
    for piece in [*route.parameters, *route.regexes]:
        if isinstance(piece, Regex):
            parts[piece.key] = st.one_of(st.from_regex(piece.pattern, fullmatch=True), TEXT)
            continue
        real = world_values.get(piece.name) or world_values.get(piece.converter) or world_values["str"]
        parts[piece.name] = st.one_of(st.sampled_from(real), _converter_values(piece))
    return st.fixed_dictionaries(parts)


def _converter_values(piece: Parameter) -> st.SearchStrategy[str]:
    boundary = st.sampled_from(BOUNDARY_STRINGS)
    if piece.converter == "int":
        return st.one_of(st.integers(min_value=0, max_value=2**80).map(str),
                         st.sampled_from(["0", "9" * 19, "9" * 20, "9" * 4400, "²", "-1", "007"]), boundary)
    if piece.converter == "slug":
        return st.one_of(st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True), boundary)
    return st.one_of(TEXT, boundary, st.text(alphabet=st.characters(codec="utf-8"), min_size=300, max_size=400))


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from(BOUNDARY_INTS),
    st.floats(allow_nan=False), st.sampled_from(BOUNDARY_STRINGS), TEXT,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)

# Bodies json.dumps cannot make (too deep, too many digits) or that are not JSON at all.
RAW_BODIES = [
    b"", b"null", b'""', b"0", b"[]", b"{}", b"{", b"\x00", b"\xff\xfe\xfd", b"\xed\xa0\x80", b'"\\ud800"',
    b"[" * DEEP + b"]" * DEEP, b'{"a":' * DEEP + b"1" + b"}" * DEEP, b"1" * 4400, b"-" + b"9" * 4400,
    b'{"id": ' + b"9" * 4400 + b"}", b"1e999999", b"NaN", b"Infinity", b"[" * 2000 + b"]" * 2000,
]


def _perspective_template(text: str = "You are all sheep, wake up.") -> dict:
    return {"comment": {"text": text, "type": "PLAIN_TEXT"}, "languages": ["en"],
            "requestedAttributes": {"TOXICITY": {}},
            "spanAnnotations": True, "doNotStore": False, "clientToken": "t-1", "communityId": "c-1",
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.9}}}}


CORAL_TEMPLATE = {"action": "NEW", "comment": {"body": "I will find you.", "parentID": None},
                  "author": {"id": "u-1", "role": "COMMENTER"}, "story": {"id": "s-1", "url": "https://news.example/s"},
                  "site": {"id": "x"}, "tenantID": "t-1", "tenantDomain": "comments.news.example"}


def json_templates() -> list[dict]:
    """Valid documents for the JSON doors: Perspective, Coral's phase, every platform's fixtures."""
    from tests.webhooks.fixtures import PLATFORMS as FIXTURES

    templates = [_perspective_template(), CORAL_TEMPLATE]
    for platform in sorted(PLATFORM_REGISTRY):
        for path in sorted((FIXTURES / platform / "fixtures").glob("*.json")):
            templates.append(json.loads(path.read_text()))
    return templates


TEMPLATES = json_templates()


def _paths(document, prefix=()):
    if isinstance(document, dict):
        for key, value in document.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


@st.composite
def mutated_template(draw) -> dict:
    """A valid document with one value replaced by anything."""
    document = json.loads(json.dumps(draw(st.sampled_from(TEMPLATES))))
    places = list(_paths(document))
    if not places:
        return document
    place = draw(st.sampled_from(places))
    target = document
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = draw(json_values)
    return document


@dataclass(frozen=True)
class Body:
    content_type: str
    data: bytes
    kind: str  # form, json or raw: for the failure report

    def __repr__(self) -> str:
        shown = self.data if len(self.data) <= 300 else self.data[:300] + b"...(%d bytes)" % len(self.data)
        return f"Body({self.kind}, {self.content_type}, {shown!r})"


def bodies(tokens: list[str], read: list[str] = ()) -> st.SearchStrategy[Body]:
    form = pairs(tokens, read).map(
        lambda fields: Body("application/x-www-form-urlencoded", encoded(fields).encode(), "form"))
    as_json = st.one_of(mutated_template(), json_values).map(
        lambda doc: Body("application/json", json.dumps(doc).encode(), "json"))
    raw = st.tuples(st.sampled_from(RAW_BODIES), st.sampled_from(["application/json", "text/plain"])).map(
        lambda pair: Body(pair[1], pair[0], "raw"))
    return st.one_of(form, as_json, raw)


# The sharp cases, sent to every URL in every run (a few random examples alone would seldom meet them):
# each is one value for every name a view reads, date names getting a date of the same kind.
DATE_NAMES = {"posted_from", "posted_to", "until", "from", "to"}  # ("since" is a moment in the poll)


@dataclass(frozen=True)
class Sharp:
    label: str
    value: str  # for every name
    date: str  # for the date names
    path: str  # for every path converter
    raw: bytes  # a raw JSON body
    modes: dict  # names that choose a code path (a custom period, a bucket), kept valid


SHARP = [
    Sharp("impossible date", "2026-02-30T00:00:00", "2026-02-30", "²", b"[" * DEEP + b"]" * DEEP,
          {"period": "custom", "bucket": "week"}),
    Sharp("year 1", "0001-01-01T00:00:00Z", "0001-01-01", "9" * 4400, b'{"a":' * DEEP + b"1" + b"}" * DEEP,
          {"period": "custom", "bucket": "week"}),
    Sharp("year 1 east of UTC", "0001-01-01T00:00:00+05:00", "0001-01-01", "a\x00b", b"1" * 4400,
          {"period": "custom", "bucket": "month"}),
    Sharp("year 9999", "9999-12-31T23:59:59-05:00", "9999-12-31", "\x00", b"null", {"period": "custom"}),
    Sharp("superscript two", "²", "²", "²", b'""', {"decision": "approve"}),
    Sharp("digits past the int limit", "9" * 4400, "9" * 4400, "9" * 4400, b'{"id": ' + b"9" * 4400 + b"}",
          {"decision": "approve"}),
    Sharp("NUL", "a\x00b", "2026-01-01\x00", "\x00", b"\x00", {}),
    Sharp("lone surrogate", "\ud800", "\ud800", "\ud800", b"\xed\xa0\x80", {}),
    Sharp("negative and empty", "-1", "", "-1", b"", {"period": "custom"}),
]


def sharp_groups(names: list[str]) -> list[list[str]]:
    """The names to send together: each alone (so an early refusal of one never hides what another would
    do), but the date names together (a period needs both ends)."""
    dates = [name for name in names if name in DATE_NAMES]
    return [[name] for name in names if name not in DATE_NAMES] + ([dates] if dates else [])


def sharp_fields(sharp: Sharp, names: list[str]) -> list[tuple[str, str]]:
    """The names given the sharp value (in the shape each takes), beside the few names that choose a code
    path kept valid (a custom period, a bucket)."""
    composite = {"items": f"{sharp.value}:0", "feedback": f"{sharp.value}:toxicity:1",
                 "decision": f"reject:{sharp.value}", "shown": f"1,{sharp.value}"}
    fields = [(mode, chosen) for mode, chosen in sharp.modes.items() if mode not in names]
    for name in names:
        fields.append((name, composite.get(name) or (sharp.date if name in DATE_NAMES else sharp.value)))
    return fields
