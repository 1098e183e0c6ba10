"""Coral Talk's external moderation phase: verify Coral's signature, score the
comment now, and answer with what the site's flag policy decides.

Coral's request (its ExternalModerationRequest): ``action`` NEW or EDIT,
``comment.body``, ``comment.parentID``, ``author`` {id, role}, ``story`` {id,
url}, ``site`` {id}, ``tenantID``, ``tenantDomain``; signed as
``X-Coral-Signature: sha256=<hex HMAC-SHA256 of the body>``, one per active
secret, comma-separated. Coral accepts a 204 (nothing to do) or a 200 with
``actions`` (``{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}``)
and a ``status`` (NONE, APPROVED, REJECTED, PREMOD, SYSTEM_WITHHELD).
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from comments.fields import IngestError, parse_json
from comments.models import Site
from moderation import policy
from moderation.selectors.policy import site_policy

from ..attributes import FRAMING, TOXICITY
from ..models import CoralSigningSecret
from .analyze import score_text

MAX_BODY_BYTES = 256 * 1024
ACTIONS = ("NEW", "EDIT")
# Accepted by every Coral version that has external moderation phases (older
# ones allow only TOXIC and SPAM as a reason).
FLAG = {"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}
STATUS_FOR_ACTION = {policy.HOLD: "SYSTEM_WITHHELD"}


class CoralRefused(Exception):
    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def signature_valid(*, site: Site, body: bytes, header: str) -> bool:
    """True when any ``sha256=<hex>`` in the header matches the body under any of the site's secrets."""
    given = [part.strip()[len("sha256="):] for part in (header or "").split(",") if part.strip().startswith("sha256=")]
    if not given:
        return False
    secrets = CoralSigningSecret.objects.filter(site=site).values_list("secret", flat=True)
    expected = [hmac.new(secret.encode(), body, hashlib.sha256).hexdigest() for secret in secrets]
    # compare every pair, so the time taken does not tell which one matched
    return any([hmac.compare_digest(e, g.lower()) for e in expected for g in given])


@dataclass(frozen=True)
class CoralRequest:
    action: str
    body: str
    parent_id: str | None


def parse_request(raw: bytes) -> CoralRequest:
    try:
        data = parse_json(raw, field="body", max_bytes=MAX_BODY_BYTES)
    except IngestError as bad:
        raise CoralRefused(f"the body is not JSON we can read: {bad.message}", status=400) from None
    if not isinstance(data, dict):
        raise CoralRefused("the body must be a JSON object", status=400)
    if data.get("action") not in ACTIONS:
        raise CoralRefused("action: must be NEW or EDIT", status=400)
    comment = data.get("comment")
    if not isinstance(comment, dict) or not isinstance(comment.get("body"), str):
        raise CoralRefused("comment.body: is required (a string)", status=400)
    try:
        comment["body"].encode("utf-8")
    except UnicodeEncodeError:
        raise CoralRefused("comment.body: contains invalid unicode", status=400) from None
    parent = comment.get("parentID")
    if parent is not None and not isinstance(parent, str):
        raise CoralRefused("comment.parentID: must be a string or null", status=400)
    return CoralRequest(action=data["action"], body=comment["body"], parent_id=parent)


def coral_decide(*, site: Site, request: CoralRequest) -> dict | None:
    """Coral's ExternalModerationResponse for this comment, or None (answer 204)."""
    if not request.body.strip():
        return None
    result = score_text(site=site, text=request.body, kinds={TOXICITY, FRAMING})
    labels = {**result[TOXICITY]["labels"], **result[FRAMING]["labels"]}
    rules = site_policy(site_id=site.pk)
    verdict = policy.evaluate(labels=labels, text=request.body, site_rules=rules.rules,
                              banned_words=rules.banned_words, suspect_words=rules.suspect_words)
    if verdict.action is None:
        return None
    details = "; ".join(
        f"{r.label} {r.score:.2f} >= {r.threshold:.2f}" if r.label else f"{r.rule}: {', '.join(r.words)}"
        for r in verdict.reasons
    )
    response: dict = {"actions": [{**FLAG, "additionalDetails": f"Threadwarden: {details}"[:500]}]}
    if verdict.action in STATUS_FOR_ACTION:
        response["status"] = STATUS_FOR_ACTION[verdict.action]
    return response
