"""The machine's first pass over newly imported articles, stored as suggestions.

`suggestions_create` is the default `settings.INGEST_EXTRACTOR`: the import calls it with
the ids of the articles a chunk has just committed. It runs the extractor over their
bodies (one `nlp.pipe` pass), resolves the names to entities, stores Mentions and Quotes
(origin machine, status suggested) and story terms in one transaction per article with
bulk inserts, then groups the articles into stories and their quotes into statements.

Idempotent: running it again on an article replaces its earlier machine suggestions and
leaves alone whatever an analyst made, confirmed or rejected; a suggestion at the very
place of one of those is not made again.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction

from annotations.models import Quote
from annotations.services import statements_link
from annotations.services.stance_suggestions import stance_suggestions_store
from articles.anchoring import text_quote_selector
from articles.models import Article, ArticleTerm, Mention, Origin, ReviewStatus
from articles.nlp import Extraction
from articles.nlp.extract import extract
from articles.services.entities import Actor, entities_resolve
from articles.services.stories import stories_assign


@dataclass(frozen=True, slots=True)
class SuggestionCounts:
    articles: int
    mentions: int
    quotes: int


def _actors(extractions: Iterable[Extraction]) -> list[Actor]:
    actors: dict[tuple[str, str], Actor] = {}
    for extraction in extractions:
        for mention in extraction.entities:
            actor = actors.setdefault(
                (mention.canonical, mention.kind), Actor(mention.canonical, mention.kind)
            )
            actor.spellings.add(mention.text)
    return list(actors.values())


def suggestions_create(*, article_ids: Sequence[int]) -> SuggestionCounts:
    """Extract, store and link the machine suggestions of these articles."""
    articles = list(Article.objects.filter(pk__in=article_ids).order_by("pk").only("pk", "body"))
    if not articles:
        return SuggestionCounts(0, 0, 0)
    extractions = list(extract(article.body for article in articles))
    entity_ids = entities_resolve(actors=_actors(extractions))
    mentions = quotes = 0
    for article, extraction in zip(articles, extractions, strict=True):
        made = _store(article, extraction, entity_ids)
        mentions += made[0]
        quotes += made[1]
    ids = [article.pk for article in articles]
    stories_assign(article_ids=ids)
    statements_link(article_ids=ids)
    return SuggestionCounts(len(articles), mentions, quotes)


def _store(
    article: Article, extraction: Extraction, entity_ids: dict[tuple[str, str], int]
) -> tuple[int, int]:
    body = article.body
    machine_suggested = {"origin": Origin.MACHINE, "status": ReviewStatus.SUGGESTED}
    with transaction.atomic():
        # Two runs on one article (a redelivered task beside a worker's start-up pass)
        # take turns here instead of both inserting.
        Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()
        _drop_earlier_suggestions(article.pk)
        # What analysts made or reviewed stays, and is not suggested again.
        kept_mentions = set(
            Mention.objects.filter(article=article).values_list("entity_id", "start", "end")
        )
        kept_quotes = set(Quote.objects.filter(article=article).values_list("start", "end"))
        new_mentions = []
        for found in extraction.entities:
            entity_id = entity_ids[(found.canonical, found.kind)]
            if (entity_id, found.start, found.end) in kept_mentions:
                continue
            kept_mentions.add((entity_id, found.start, found.end))
            selector = text_quote_selector(body, found.start, found.end)
            new_mentions.append(
                Mention(
                    article=article,
                    entity_id=entity_id,
                    start=found.start,
                    end=found.end,
                    exact=selector.exact,
                    prefix=selector.prefix,
                    suffix=selector.suffix,
                    **machine_suggested,
                )
            )
        new_quotes = []
        for quote in extraction.quotes:
            if (quote.start, quote.end) in kept_quotes:
                continue
            kept_quotes.add((quote.start, quote.end))
            selector = text_quote_selector(body, quote.start, quote.end)
            speaker = (
                entity_ids.get((quote.speaker, quote.speaker_kind or "")) if quote.speaker else None
            )
            new_quotes.append(
                Quote(
                    article=article,
                    start=quote.start,
                    end=quote.end,
                    exact=selector.exact,
                    prefix=selector.prefix,
                    suffix=selector.suffix,
                    kind=quote.kind,
                    cue=quote.cue[:100],
                    cue_start=quote.cue_start,
                    cue_end=quote.cue_end,
                    speaker_id=speaker,
                    speaker_start=quote.speaker_start,
                    speaker_end=quote.speaker_end,
                    **machine_suggested,
                )
            )
        Mention.objects.bulk_create(new_mentions)
        Quote.objects.bulk_create(new_quotes)
        stance_suggestions_store(article=article, stances=extraction.stances, entity_ids=entity_ids)
        ArticleTerm.objects.bulk_create(
            [
                ArticleTerm(article=article, term=term[:100], weight=weight)
                for term, weight in extraction.terms.items()
            ]
        )
    return len(new_mentions), len(new_quotes)


def _drop_earlier_suggestions(article_id: int) -> None:
    """Delete an article's earlier machine suggestions nobody has touched, and its terms.

    One DELETE per table (`_raw_delete`, what Django's own fast delete runs): `delete()`
    would load every row and write a history row for each. Nothing of value goes: a
    suggestion was never an analyst's change, and a suggested quote that someone has
    tagged, noted or taken a stance on is kept.
    """
    suggested = {
        "article_id": article_id,
        "origin": Origin.MACHINE,
        "status": ReviewStatus.SUGGESTED,
    }
    Mention.objects.filter(**suggested)._raw_delete(Mention.objects.db)
    untouched = Quote.objects.filter(
        **suggested, stances__isnull=True, notes__isnull=True, tags__isnull=True
    )
    untouched._raw_delete(Quote.objects.db)
    ArticleTerm.objects.filter(article_id=article_id)._raw_delete(ArticleTerm.objects.db)
