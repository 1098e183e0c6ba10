"""What moderation knows about a comment: its scoring state, scores, flag and policy,
and the moderators' side: roles, reviews, decisions, claims and the audit log."""
from .access import ROLE_RANK, SiteMembership
from .decisions import (
    AuditEvent,
    AuthorSanction,
    Claim,
    CommentReport,
    Decision,
    RejectionReason,
    Review,
    ScoreFeedback,
)
from .flags import Flag, FlagPolicy
from .scoring import ActiveScorer, CommentScoring, Score, TextEmbedding

__all__ = [
    "ROLE_RANK", "ActiveScorer", "AuditEvent", "AuthorSanction", "Claim", "CommentReport", "CommentScoring",
    "Decision", "Flag", "FlagPolicy", "RejectionReason", "Review", "Score", "ScoreFeedback", "SiteMembership",
    "TextEmbedding",
]

