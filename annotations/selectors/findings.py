"""What the machine's first pass suggested in an article, as columns of someone else's
query: the import page lists a batch's files with these counts (articles reaches this
through the IMPORT_FINDINGS setting, never by import)."""

from django.db.models import Count, Expression, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from annotations.models import Quote, Stance
from articles.models import Origin


def _count(rows: QuerySet) -> Expression:
    # One correlated count per outer row, served by the (article, start) index.
    counted = rows.order_by().values("article_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def first_pass_findings(article_column: str) -> dict[str, Expression]:
    """The machine's quotes and stances in the article whose id is the outer query's
    `article_column`, whatever an analyst has made of them since: `found_quotes`,
    `found_stances`."""
    article = OuterRef(article_column)
    return {
        "found_quotes": _count(Quote.objects.filter(article_id=article, origin=Origin.MACHINE)),
        "found_stances": _count(Stance.objects.filter(article_id=article, origin=Origin.MACHINE)),
    }
