"""Match hundreds of word-bounded patterns in one pass over a text.

Scanning every pattern over every text costs several milliseconds a comment
in Python's regex engine. Instead each pattern is indexed by the first three
letters its match can start with (worked out from the parsed pattern), and a
text is walked word by word, trying only the patterns indexed under that
word's first three letters. Patterns whose start cannot be enumerated (they
begin with a character class or punctuation) are scanned the old way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Generic, Hashable, Iterable, TypeVar

try:  # Python 3.11+
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

T = TypeVar("T")
KEY = 3  # letters of a word used as the index key
_MAX_KEYS = 400  # a pattern with more possible starts than this is scanned instead
_WORD = re.compile(r"\w+")


class _Unbounded(Exception):
    """The pattern's possible starts cannot be listed."""


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _starts(items: list, prefix: str) -> set[str]:
    """Possible lowercase starts (up to KEY letters; shorter means the word ends there)."""
    if len(prefix) == KEY or not items:
        return {prefix}
    op, av = items[0]
    rest = items[1:]
    if op is sre_constants.LITERAL:
        ch = chr(av).lower()
        if not _is_word_char(ch):
            if not prefix:
                raise _Unbounded
            return {prefix}
        return _starts(rest, prefix + ch)
    if op is sre_constants.IN:
        chars = _class_chars(av)
        if chars is None:
            if prefix and _class_is_space(av):
                return {prefix}
            raise _Unbounded
        return _union(_starts([(sre_constants.LITERAL, ord(ch))] + rest, prefix) for ch in chars)
    if op is sre_constants.BRANCH:
        return _union(_starts(list(branch) + rest, prefix) for branch in av[1])
    if op is sre_constants.SUBPATTERN:
        return _starts(list(av[-1]) + rest, prefix)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, high, sub = av
        again = [(op, (max(0, low - 1), high if high == sre_constants.MAXREPEAT else high - 1, sub))]
        once = _starts(list(sub) + (again if high != 1 else []) + rest, prefix) if high != 0 else set()
        return once if low > 0 else once | _starts(rest, prefix)
    if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return _starts(rest, prefix)
    if op is sre_constants.CATEGORY and prefix:
        return {prefix}
    raise _Unbounded


def _union(parts: Iterable[set[str]]) -> set[str]:
    out: set[str] = set()
    for part in parts:
        out |= part
        if len(out) > _MAX_KEYS:
            raise _Unbounded
    return out


def _class_chars(av: list) -> list[str] | None:
    chars: list[str] = []
    for op, value in av:
        if op is sre_constants.LITERAL:
            chars.append(chr(value))
        elif op is sre_constants.RANGE and value[1] - value[0] < 40:
            chars.extend(chr(code) for code in range(value[0], value[1] + 1))
        else:
            return None
    return chars


def _class_is_space(av: list) -> bool:
    return all(op is sre_constants.CATEGORY and value is sre_constants.CATEGORY_SPACE for op, value in av)


def pattern_keys(pattern: str) -> set[str] | None:
    """The index keys of a pattern, or None when it must be scanned."""
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
        keys = _starts(list(parsed), "")
    except (_Unbounded, RecursionError):
        return None
    return None if "" in keys else keys


@dataclass(frozen=True)
class Match(Generic[T]):
    start: int
    end: int
    payload: T


class PhraseIndex(Generic[T]):
    """Finds matches of many patterns; matches of patterns in different groups may overlap.

    Patterns that share an index key and a group (``group(payload)``, e.g. the
    marker family) are compiled into one alternation, heaviest first
    (``rank(payload)``), so at any word only the strongest reading within a
    group is reported: one regex call per group instead of one per pattern.
    """

    def __init__(
        self,
        patterns: Iterable[tuple[str, T]],
        group: Callable[[T], Hashable] = id,
        rank: Callable[[T], float] = lambda payload: 0.0,
    ) -> None:
        grouped: dict[tuple[str, Hashable], list[tuple[str, T]]] = {}
        scanned: list[tuple[re.Pattern[str], T]] = []
        for source, payload in patterns:
            keys = pattern_keys(source)
            if keys is None:
                scanned.append((re.compile(rf"(?<!\w)(?:{source})(?!\w)", re.IGNORECASE), payload))
                continue
            for key in keys:
                grouped.setdefault((key, group(payload)), []).append((source, payload))
        self._by_key: dict[str, list[tuple[re.Pattern[str], list[T]]]] = {}
        for (key, _), members in grouped.items():
            members.sort(key=lambda item: (-rank(item[1]), -len(item[0])))
            body = "|".join(f"(?P<p{i}>{source})" for i, (source, _) in enumerate(members))
            compiled = re.compile(rf"(?:{body})(?!\w)", re.IGNORECASE)
            self._by_key.setdefault(key, []).append((compiled, [payload for _, payload in members]))
        self._scanned = scanned

    def find(self, text: str) -> list[Match[T]]:
        found: list[Match[T]] = []
        by_key = self._by_key
        for word in _WORD.finditer(text):
            start = word.start()
            candidates = by_key.get(word.group()[:KEY].lower())
            if candidates:
                for compiled, payloads in candidates:
                    match = compiled.match(text, start)
                    if match and match.end() > start:
                        found.append(Match(start, match.end(), payloads[int(match.lastgroup[1:])]))
        for compiled, payload in self._scanned:
            for match in compiled.finditer(text):
                if match.end() > match.start():
                    found.append(Match(match.start(), match.end(), payload))
        return found
