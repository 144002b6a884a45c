"""Inter-coder agreement, in plain Python (no ORM): matching units across coders
(`matching`), agreement on their fields (`metrics`), on their spans (`unitizing`, alpha_u)
and the report over a selection of articles (`report`). The selector
`annotations.selectors.agreement` feeds it from the database."""

from annotations.agreement.matching import Item, Unit, match_units
from annotations.agreement.metrics import ABSENT, Counts, FieldAgreement, field_agreement
from annotations.agreement.report import (
    FIELDS,
    AgreementReport,
    ArticleVersions,
    Disagreement,
    ScopeAgreement,
    SpanAgreement,
    build_report,
)
from annotations.agreement.unitizing import CodedSpan, UnitizingResult, alpha_u

__all__ = [
    "ABSENT",
    "FIELDS",
    "AgreementReport",
    "ArticleVersions",
    "CodedSpan",
    "Counts",
    "Disagreement",
    "FieldAgreement",
    "Item",
    "ScopeAgreement",
    "SpanAgreement",
    "Unit",
    "UnitizingResult",
    "alpha_u",
    "build_report",
    "field_agreement",
    "match_units",
]
