"""SuggestCommentScore: the caller says what a text should have scored. Each
attribute becomes the same calibration label the queue's "the score was
wrong" writes (moderation.ScoreFeedback), recorded against the API key."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from moderation.selectors.scores import text_scores
from moderation.services.feedback import score_feedback_suggested

from ..attributes import ATTRIBUTES
from ..models import ApiKey, SuggestedScore
from ..schema import SuggestRequest
from .analyze import label_value, score_text, store_api_text

if TYPE_CHECKING:
    from moderation.models import ScoreFeedback


def _model_scores(*, comment, kinds: set[str], key: ApiKey, text: str) -> dict[str, dict]:
    """Per kind: the stored score of this text if a worker already made one, else the realtime scorer's."""
    found: dict[str, dict] = {
        kind: {"score": score, "scorer": score.scorer, "version": score.version, "labels": score.labels}
        for kind, score in text_scores(comment=comment, kinds=kinds).items()
    }
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
            feedback = score_feedback_suggested(
                account=key.account, comment=comment, label=attribute.label, expected=expected,
                score=model["score"], scorer=model["scorer"], version=model["version"],
                model_score=float(model["labels"][attribute.label]),
                origin={"via": f"api-key:{key.prefix}", "communityId": request.community_id,
                        "clientToken": request.client_token or ""},
            )
            SuggestedScore.objects.create(feedback=feedback, api_key=key, attribute=attribute.name, value=expected,
                                          community_id=request.community_id, client_token=request.client_token or "")
            saved.append(feedback)
    return saved


def suggest_response(request: SuggestRequest) -> dict:
    """SuggestCommentScoreResponse."""
    response: dict = {"requestedLanguages": list(request.languages)}
    if request.client_token is not None:
        response["clientToken"] = request.client_token
    return response
