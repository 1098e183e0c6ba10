"""SuggestCommentScore: the caller says what a text should have scored. Each
attribute becomes the same calibration label the queue's "the score was
wrong" writes (moderation.ScoreFeedback), recorded against the API key."""
from __future__ import annotations

from django.db import transaction

from moderation.models import Score, ScoreFeedback
from moderation.services.audit import audit_record

from ..attributes import ATTRIBUTES
from ..models import ApiKey, SuggestedScore
from ..schema import SuggestRequest
from .analyze import label_value, score_text, store_api_text


def _model_scores(*, comment, kinds: set[str], key: ApiKey, text: str) -> dict[str, dict]:
    """Per kind: the stored score of this text if a worker already made one, else the realtime scorer's."""
    found: dict[str, dict] = {}
    for score in Score.objects.filter(comment=comment, content_hash=comment.content_hash, kind__in=kinds).order_by("-pk"):
        found.setdefault(score.kind, {"score": score, "scorer": score.scorer, "version": score.version,
                                      "labels": score.labels})
    missing = kinds - found.keys()
    if missing:
        result = score_text(site=key.site, text=text, kinds=missing)
        for kind in missing:
            found[kind] = {"score": None, **result[kind]}
    return found


def suggest_score(*, key: ApiKey, request: SuggestRequest) -> list[ScoreFeedback]:
    comment = store_api_text(site=key.site, text=request.text)
    attributes = [ATTRIBUTES[name] for name in request.scores]
    models = _model_scores(comment=comment, kinds={a.kind for a in attributes}, key=key, text=comment.body)
    for attribute in attributes:
        label_value({attribute.kind: models[attribute.kind]}, attribute)  # 400 when the model lacks the label
    saved = []
    with transaction.atomic():
        for attribute in attributes:
            model = models[attribute.kind]
            expected = request.scores[attribute.name]
            feedback, _ = ScoreFeedback.objects.update_or_create(
                comment=comment, score=model["score"], label=attribute.label, moderator=key.account,
                defaults={"site_id": key.site_id, "scorer": model["scorer"], "version": model["version"],
                          "model_score": float(model["labels"][attribute.label]), "expected": expected},
            )
            SuggestedScore.objects.create(feedback=feedback, api_key=key, attribute=attribute.name, value=expected,
                                          community_id=request.community_id, client_token=request.client_token or "")
            audit_record(
                actor=key.account, action="feedback.score", comment=comment,
                before={"label": attribute.label, "model": f"{model['scorer']} {model['version']}",
                        "score": float(model["labels"][attribute.label])},
                after={"label": attribute.label, "expected": expected, "via": f"api-key:{key.prefix}",
                       "communityId": request.community_id, "clientToken": request.client_token or ""},
            )
            saved.append(feedback)
    return saved


def suggest_response(request: SuggestRequest) -> dict:
    """SuggestCommentScoreResponse."""
    response: dict = {"requestedLanguages": list(request.languages)}
    if request.client_token is not None:
        response["clientToken"] = request.client_token
    return response
