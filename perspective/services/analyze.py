"""AnalyzeComment: score a text now through the realtime scorer, answer in
Perspective's shape, and store the text for the site unless doNotStore."""
from __future__ import annotations

import hashlib

from comments.models import Site
from comments.fields import IngestError
from comments.schema import parse_comment
from comments.services import comment_upsert
from moderation.selectors.policy import site_policy

from ..attributes import FRAMING, TOXICITY, Attribute
from ..errors import PerspectiveError
from ..realtime import Job, RealtimeFailed, RealtimeUnavailable, score_now
from ..schema import AnalyzeRequest

# Perspective has no comment or article ids: stored texts hang off one article
# per site and are keyed by their text, so the same text is stored once.
API_ARTICLE = {"id": "perspective-api", "title": "Comments sent to the Perspective-compatible API"}


def api_comment_external_id(text: str) -> str:
    return "perspective-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def site_framing_terms(*, site: Site) -> dict:
    return site_policy(site_id=site.pk).framing_terms or {}


def analyze_job(*, request: AnalyzeRequest, framing_terms: dict) -> Job:
    """What the realtime scorer must compute for this request."""
    kinds = {r.attribute.kind for r in request.requested}
    return Job(texts=[request.text], toxicity=TOXICITY in kinds, framing=FRAMING in kinds,
               sentences=request.span_annotations, framing_terms=framing_terms if FRAMING in kinds else {})


def wants_framing(request: AnalyzeRequest) -> bool:
    return any(r.attribute.kind == FRAMING for r in request.requested)


def score_text(*, site: Site, text: str, kinds: set[str], sentences: bool = False) -> dict:
    """The realtime scorer's answer for one text; Perspective-shaped errors when it cannot answer."""
    job = Job(texts=[text], toxicity=TOXICITY in kinds, framing=FRAMING in kinds, sentences=sentences,
              framing_terms=site_framing_terms(site=site) if FRAMING in kinds else {})
    return job_result(job)


def job_result(job: Job) -> dict:
    try:
        return score_now(job)[0]
    except RealtimeUnavailable as error:
        raise unavailable(error) from error
    except RealtimeFailed as error:
        raise failed(error) from error


def unavailable(error: Exception) -> PerspectiveError:
    return PerspectiveError(f"Scoring is unavailable: {error}. Try again shortly.", code=503)


def failed(error: object) -> PerspectiveError:
    return PerspectiveError(f"Scoring failed: {error}", code=500)


def label_value(result: dict, attribute: Attribute) -> float:
    part = result.get(attribute.kind, {})
    labels = part.get("labels", {})
    if attribute.label not in labels:
        model = part.get("scorer", "the model")
        reason = part.get("unserved", {}).get(attribute.label)
        because = f": {reason}" if reason else ""
        raise PerspectiveError(
            f"Attribute {attribute.name} is not available from the model this server runs ({model}){because}."
        )
    return float(labels[attribute.label])


def _span_scores(result: dict, attribute: Attribute) -> list[dict]:
    spans = []
    for sentence in result[attribute.kind].get("sentences", []):
        value = sentence["labels"][attribute.label] if "labels" in sentence else sentence["score"]
        spans.append({"begin": sentence["start"], "end": sentence["end"],
                      "score": {"value": float(value), "type": "PROBABILITY"}})
    return spans


def api_comment_input(text: str):
    """The text as a comment of the site, validated like every ingested comment (before any scoring)."""
    try:
        return parse_comment({"id": api_comment_external_id(text), "article": API_ARTICLE, "body": text}, "comment")
    except IngestError as error:
        raise PerspectiveError(str(error).replace("comment.body", "comment.text")) from error


def store_api_text(*, site: Site, text: str):
    """Ingest the text as a comment of the site (scored in the background like any other)."""
    return comment_upsert(site=site, data=api_comment_input(text)).comment


def models_used(result: dict) -> str:
    return "; ".join(f"{part['scorer']} {part['version']}" for part in result.values())


def analyze_response(*, request: AnalyzeRequest, result: dict) -> dict:
    """The AnalyzeCommentResponse for the scorer's result."""
    scores: dict[str, dict] = {}
    for requested in request.requested:
        value = label_value(result, requested.attribute)
        if requested.threshold is not None and value < requested.threshold:
            continue  # Perspective leaves out attributes scoring under the caller's threshold
        entry: dict = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if request.span_annotations:
            entry["spanScores"] = _span_scores(result, requested.attribute)
        scores[requested.attribute.name] = entry
    response: dict = {"attributeScores": scores, "languages": list(request.languages)}
    if request.client_token is not None:
        response["clientToken"] = request.client_token
    return response


def analyze(*, site: Site, request: AnalyzeRequest) -> tuple[dict, dict]:
    """The AnalyzeCommentResponse, and the raw scorer result (which names the models)."""
    to_store = None if request.do_not_store else api_comment_input(request.text)
    terms = site_framing_terms(site=site) if wants_framing(request) else {}
    result = job_result(analyze_job(request=request, framing_terms=terms))
    response = analyze_response(request=request, result=result)
    if to_store is not None:
        comment_upsert(site=site, data=to_store)
    return response, result
