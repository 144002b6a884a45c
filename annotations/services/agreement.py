"""The articles' agreement summaries (ArticleAgreement), which the adjudication queue
sorts and shows: refreshed when an analyst marks an article done or changes finished
work, and when it is adjudicated."""

from collections.abc import Iterable

from django.utils import timezone

from annotations.models import ArticleAgreement
from annotations.selectors.agreement import AgreementSelection, agreement_for


def agreement_refresh(*, article_ids: Iterable[int]) -> int:
    """Recompute the summary rows of these articles from their finished versions, in
    bulk (the selector's six queries, and one upsert). An article with fewer than two
    coders gets a row with its coders and no units. Ids of articles that do not exist
    are skipped. Returns the number of rows written; adjudication fields are kept."""
    ids = tuple(sorted(set(article_ids)))
    if not ids:
        return 0
    data = agreement_for(AgreementSelection(ids=ids))
    scored = {scope.key: scope.counts for scope in data.report.articles}
    now = timezone.now()
    rows = []
    for article_id, coders in data.coders_of.items():
        counts = scored.get(article_id)
        rows.append(
            ArticleAgreement(
                article_id=article_id,
                coders=len(coders),
                units=counts.units if counts else 0,
                agreed=counts.agreed if counts else 0,
                disagreed=counts.disagreed if counts else 0,
                computed_at=now,
            )
        )
    # One INSERT ... ON CONFLICT DO UPDATE: atomic by itself.
    ArticleAgreement.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["coders", "units", "agreed", "disagreed", "computed_at"],
    )
    return len(rows)
