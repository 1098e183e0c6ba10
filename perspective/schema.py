"""Perspective's AnalyzeComment and SuggestCommentScore requests, validated.

Field names and limits follow Perspective's v1alpha1 reference; anything we
cannot honour is refused with a 400 naming the field, never ignored silently
(``context``, ``sessionId`` and ``comment.type`` are accepted and unused, as
Perspective itself documents ``context`` as unused)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .attributes import ATTRIBUTES, SUPPORTED_LANGUAGES, Attribute
from .errors import PerspectiveError

MAX_TEXT_BYTES = 20_480  # Perspective's limit on comment.text


@dataclass(frozen=True)
class Requested:
    attribute: Attribute
    threshold: float | None


@dataclass(frozen=True)
class AnalyzeRequest:
    text: str
    requested: tuple[Requested, ...]
    span_annotations: bool
    languages: tuple[str, ...]
    do_not_store: bool
    client_token: str | None
    community_id: str


@dataclass(frozen=True)
class SuggestRequest:
    text: str
    scores: dict[str, float]  # attribute name -> suggested value
    languages: tuple[str, ...]
    client_token: str | None
    community_id: str


def _text(body: dict) -> str:
    comment = body.get("comment")
    if not isinstance(comment, dict):
        raise PerspectiveError("comment is required: an object with a text field.")
    text = comment.get("text")
    if not isinstance(text, str):
        raise PerspectiveError("comment.text is required and must be a string.")
    if not text.strip():
        raise PerspectiveError("Comment must be non-empty.")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise PerspectiveError("comment.text contains invalid unicode.") from None
    if size > MAX_TEXT_BYTES:
        raise PerspectiveError(f"Comment text was too many bytes: {size}, the limit is {MAX_TEXT_BYTES}.")
    if comment.get("type", "PLAIN_TEXT") != "PLAIN_TEXT":
        raise PerspectiveError("comment.type must be PLAIN_TEXT.")
    return text


def _attribute(name: Any, field: str) -> Attribute:
    if not isinstance(name, str) or name not in ATTRIBUTES:
        raise PerspectiveError(f"Unknown attribute in {field}: {str(name)[:100]}. Known: {', '.join(ATTRIBUTES)}.")
    return ATTRIBUTES[name]


def _probability(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
        raise PerspectiveError(f"{field} must be a number between 0 and 1.")
    return float(value)


def _languages(body: dict, attributes: list[Attribute]) -> tuple[str, ...]:
    languages = body.get("languages")
    if languages is None:
        return SUPPORTED_LANGUAGES
    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        raise PerspectiveError("languages must be a list of language codes.")
    unsupported = [code for code in languages if code.split("-")[0].lower() not in SUPPORTED_LANGUAGES]
    if unsupported and attributes:
        raise PerspectiveError(
            f"Attribute {attributes[0].name} does not support request languages: {','.join(unsupported)[:100]}"
        )
    return tuple(languages) or SUPPORTED_LANGUAGES


def _bool(body: dict, field: str, default: bool) -> bool:
    value = body.get(field, default)
    if not isinstance(value, bool):
        raise PerspectiveError(f"{field} must be true or false.")
    return value


def _token(body: dict, field: str) -> str | None:
    value = body.get(field)
    if value is not None and (not isinstance(value, str) or len(value) > 255):
        raise PerspectiveError(f"{field} must be a string of at most 255 characters.")
    return value


def parse_analyze(body: dict) -> AnalyzeRequest:
    text = _text(body)
    attributes = body.get("requestedAttributes")
    if not isinstance(attributes, dict) or not attributes:
        raise PerspectiveError("requestedAttributes must name at least one attribute.")
    requested = []
    for name, options in attributes.items():
        attribute = _attribute(name, "requestedAttributes")
        field = f"requestedAttributes.{name}"
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise PerspectiveError(f"{field} must be an object.")
        if options.get("scoreType", "PROBABILITY") != "PROBABILITY":
            raise PerspectiveError(f"{field}.scoreType: only PROBABILITY is supported.")
        threshold = options.get("scoreThreshold")
        requested.append(Requested(attribute, None if threshold is None else _probability(threshold, f"{field}.scoreThreshold")))
    return AnalyzeRequest(
        text=text,
        requested=tuple(requested),
        span_annotations=_bool(body, "spanAnnotations", False),
        languages=_languages(body, [r.attribute for r in requested]),
        do_not_store=_bool(body, "doNotStore", False),
        client_token=_token(body, "clientToken"),
        community_id=_token(body, "communityId") or "",
    )


def parse_suggest(body: dict) -> SuggestRequest:
    text = _text(body)
    given = body.get("attributeScores")
    if not isinstance(given, dict) or not given:
        raise PerspectiveError("attributeScores must name at least one attribute.")
    scores: dict[str, float] = {}
    for name, entry in given.items():
        attribute = _attribute(name, "attributeScores")
        field = f"attributeScores.{name}.summaryScore.value"
        summary = entry.get("summaryScore") if isinstance(entry, dict) else None
        if not isinstance(summary, dict) or "value" not in summary:
            raise PerspectiveError(f"{field} is required.")
        scores[attribute.name] = _probability(summary["value"], field)
    return SuggestRequest(
        text=text,
        scores=scores,
        languages=_languages(body, [ATTRIBUTES[name] for name in scores]),
        client_token=_token(body, "clientToken"),
        community_id=_token(body, "communityId") or "",
    )
