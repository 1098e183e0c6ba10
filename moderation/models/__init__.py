"""What moderation knows about a comment: its scoring state, scores, flag and policy."""
from .flags import Flag, FlagPolicy
from .scoring import ActiveScorer, CommentScoring, Score

__all__ = ["ActiveScorer", "CommentScoring", "Flag", "FlagPolicy", "Score"]
