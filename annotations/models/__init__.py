"""The annotations app's models: the layers analysts and the machine write (quotes,
statements, stances, notes, the vocabulary, tombstones, review figures) and team work
(assignments, each analyst's decisions, adjudication to gold)."""

from annotations.models.layers import (
    ArticleReview,
    Deletion,
    Note,
    Polarity,
    Quote,
    Stance,
    Statement,
    Tag,
)
from annotations.models.reviews import ReviewAction
from annotations.models.team import (
    AdjudicationDecision,
    ArticleAgreement,
    Assignment,
    AssignmentMode,
    AssignmentRound,
    QuoteDecision,
    StanceDecision,
    Verdict,
)

__all__ = [
    "AdjudicationDecision",
    "ArticleAgreement",
    "ArticleReview",
    "Assignment",
    "AssignmentMode",
    "AssignmentRound",
    "Deletion",
    "Note",
    "Polarity",
    "Quote",
    "QuoteDecision",
    "ReviewAction",
    "Stance",
    "StanceDecision",
    "Statement",
    "Tag",
    "Verdict",
]
