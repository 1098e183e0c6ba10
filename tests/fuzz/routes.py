"""Every URL in the URLconf, found by walking the resolver, so a new URL is fuzzed without anyone listing it.

A route is the chain of patterns from the root to one view. Each piece of the
chain is a literal, a path converter (``<int:pk>``) or a regular expression
(the admin's ``^(?P<app_label>auth|…)/$``); ``Route.build`` turns values for
the converters, and strings for the regular expressions, into a request path.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# `<int:pk>` and `<pk>` (a str converter) inside a route string.
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class Parameter:
    name: str
    converter: str  # int, slug, str, path, uuid, or a project's own converter name


@dataclass(frozen=True)
class Regex:
    """A regular-expression piece; the value for it is a string that the expression matches (or not)."""

    pattern: str
    key: str  # how values for it are asked for: "regex:<its position in the route>"


Piece = Literal | Parameter | Regex


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for an unnamed pattern
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        """The route as it is written, e.g. ``queue/items/<int:pk>/``."""
        out = []
        for piece in self.pieces:
            if isinstance(piece, Literal):
                out.append(piece.text)
            elif isinstance(piece, Parameter):
                out.append(f"<{piece.converter}:{piece.name}>")
            else:
                out.append(piece.pattern)
        return "/" + "".join(out)

    @property
    def id(self) -> str:
        return f"{self.name or '(unnamed)'} {self.text}"

    @property
    def parameters(self) -> list[Parameter]:
        return [piece for piece in self.pieces if isinstance(piece, Parameter)]

    @property
    def regexes(self) -> list[Regex]:
        return [piece for piece in self.pieces if isinstance(piece, Regex)]

    def build(self, values: dict[str, str]) -> str:
        """The request path, every value percent-encoded (a `path` value keeps its slashes)."""
        out = ["/"]
        for piece in self.pieces:
            if isinstance(piece, Literal):
                out.append(piece.text)
            else:
                key = piece.name if isinstance(piece, Parameter) else piece.key
                keep = "/" if isinstance(piece, Regex) or piece.converter == "path" else ""
                out.append(quote(values[key].encode("utf-8", "surrogatepass"), safe=keep))
        return "".join(out)


def _route_pieces(route: str) -> list[Piece]:
    pieces: list[Piece] = []
    position = 0
    for match in _PARAMETER.finditer(route):
        if match.start() > position:
            pieces.append(Literal(route[position:match.start()]))
        pieces.append(Parameter(match["name"], match["converter"] or "str"))
        position = match.end()
    if position < len(route):
        pieces.append(Literal(route[position:]))
    return pieces


def _pattern_pieces(pattern, index: int) -> list[Piece]:
    if isinstance(pattern, RoutePattern):
        return _route_pieces(str(pattern._route))
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex
        # Anchors only mark where the piece starts and stops inside the whole path.
        regex = regex[1:] if regex.startswith("^") else regex
        regex = regex[:-1] if regex.endswith("$") and not regex.endswith("\\$") else regex
        return [Regex(regex, key=f"regex:{index}")] if regex else []
    raise TypeError(f"unknown URL pattern type {type(pattern).__name__}: add it to tests/fuzz/routes.py")


def _walk(patterns, prefix: tuple[Piece, ...], namespaces: tuple[str, ...]):
    for entry in patterns:
        pieces = (*prefix, *_pattern_pieces(entry.pattern, len(prefix)))
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, pieces, inner)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield Route(name=name, pieces=_merged(pieces))


def _merged(pieces: tuple[Piece, ...]) -> tuple[Piece, ...]:
    """Neighbouring literals joined, so ``Route.text`` reads as the URL does."""
    out: list[Piece] = []
    for piece in pieces:
        if out and isinstance(piece, Literal) and isinstance(out[-1], Literal):
            out[-1] = Literal(out[-1].text + piece.text)
        elif not (isinstance(piece, Literal) and not piece.text):
            out.append(piece)
    return tuple(out)


def all_routes() -> list[Route]:
    """Every view reachable from ROOT_URLCONF, in URLconf order, without repeats."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns, (), ()):
        seen.setdefault(route.id, route)
    return list(seen.values())
