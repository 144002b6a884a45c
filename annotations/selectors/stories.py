"""Reads for the story page: the coverage across outlets, and each statement's variants
side by side with their word-level differences against the reference wording.

Four queries whatever the number of articles, statements and variants: the story, its
articles (outlet joined), its statements (speaker joined) and every variant of those
statements (article and outlet joined). The alignment is plain Python
(`articles.nlp.variants`), the same as `statement_variants` below and the API's.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from annotations.models import Quote, Statement
from annotations.selectors import team
from articles.models import Article, Entity, Outlet, ReviewStatus, Story
from articles.nlp import variants
from articles.nlp.variants import Difference

# Article columns the story page never shows (the body is the bulk of the row).
_ARTICLE_BULK = ("body", "raw_text", "minhash")


@dataclass(frozen=True, slots=True)
class Variant:
    """One outlet's wording of a statement, aligned with the reference."""

    quote: Quote
    article: Article
    outlet: Outlet | None
    text: str
    similarity: float
    differences: list[Difference]

    @property
    def changed(self) -> bool:
        return any(d.op != "equal" for d in self.differences)


@dataclass(frozen=True, slots=True)
class StatementView:
    statement: Statement
    speaker: Entity | None
    variants: list[Variant]


def story_for_page(pk: int) -> Story | None:
    return Story.objects.filter(pk=pk).first()


def story_articles(story: Story) -> list[Article]:
    """The story's articles, oldest first, with their outlets (one query)."""
    return list(
        Article.objects.filter(story=story)
        .select_related("outlet")
        .defer(*_ARTICLE_BULK)
        .order_by("published_at", "id")
    )


def variant_of(reference: list[str], quote: Quote) -> Variant:
    """A quote's wording against its statement's reference words (no query: the
    quote comes with its article and outlet)."""
    alignment = variants.align(reference, variants.quoted_words(quote.exact))
    return Variant(
        quote=quote,
        article=quote.article,
        outlet=quote.article.outlet,
        text=variants.quoted_text(quote.exact),
        similarity=alignment.similarity,
        differences=alignment.differences,
    )


def _variants_of(statement_ids: list[int], viewer: Any) -> QuerySet[Quote]:
    return (
        team.visible(Quote.objects.filter(statement_id__in=statement_ids), viewer)
        .exclude(status=ReviewStatus.REJECTED)
        .select_related("article__outlet")
        .defer(*(f"article__{name}" for name in _ARTICLE_BULK))
        .order_by("article__published_at", "article_id", "start")
    )


def story_statements(story: Story, viewer: Any) -> list[StatementView]:
    """Each statement of the story (speaker joined) with its variants as `viewer` may see
    them (selectors.team), rejected quotes left out: two queries however many statements
    and variants."""
    statements = list(
        Statement.objects.filter(story=story).select_related("speaker").order_by("created_at", "id")
    )
    by_statement: defaultdict[int, list[Quote]] = defaultdict(list)
    if statements:
        for quote in _variants_of([s.pk for s in statements], viewer):
            assert quote.statement_id is not None
            by_statement[quote.statement_id].append(quote)
    views = []
    for statement in statements:
        reference = variants.words(statement.reference_text)
        views.append(
            StatementView(
                statement=statement,
                speaker=statement.speaker,
                variants=[variant_of(reference, q) for q in by_statement[statement.pk]],
            )
        )
    return views


def statement_variants(statement: Statement) -> list[dict[str, Any]]:
    """A statement's quotes side by side: outlet, wording, similarity to the reference and
    the word-level differences (`nlp.variants.align`). One query for the variants."""
    reference = variants.words(statement.reference_text)
    rows = []
    for quote in (
        statement.variants.select_related("article__outlet", "speaker")
        .exclude(status=ReviewStatus.REJECTED)
        .order_by("article_id", "start")
    ):
        alignment = variants.align(reference, variants.quoted_words(quote.exact))
        rows.append(
            {
                "quote": quote,
                "article": quote.article,
                "outlet": quote.article.outlet.name if quote.article.outlet else None,
                "text": variants.quoted_text(quote.exact),
                "similarity": alignment.similarity,
                "differences": alignment.differences,
            }
        )
    return rows
