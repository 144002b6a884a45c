"""Every article with its entities, quotes and stances, as `manage.py export_articles`
prints it."""

from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery

from annotations.models import Quote, Stance
from articles.models import Article, ImportFile, Mention


def articles_export(chunk_size: int = 500, layer: str | None = None) -> Iterator[dict[str, Any]]:
    """Every article as a plain dict, streamed in chunks of `chunk_size` articles; with a
    `layer` (an origin: `gold`, `analyst`, `machine`), only that layer's quotes and stances.

    Four queries per chunk (articles, mentions, quotes, stances), whatever the number of
    each.
    """
    source_file = (
        ImportFile.objects.filter(article=OuterRef("pk"), status=ImportFile.Status.IMPORTED)
        .order_by("pk")
        .values("original_name")[:1]
    )
    quotes, stances = Quote.objects.all(), Stance.objects.all()
    if layer:
        quotes, stances = quotes.filter(origin=layer), stances.filter(origin=layer)
    articles = (
        Article.objects.order_by("pk")
        .select_related("outlet")
        .annotate(source_file=Subquery(source_file))
        .defer("raw_text", "minhash")
        .prefetch_related(
            Prefetch(
                "mention_set",
                queryset=Mention.objects.select_related("entity").order_by("start", "end"),
            ),
            Prefetch(
                "quote_set",
                queryset=quotes.select_related("speaker").order_by("start", "end"),
            ),
            Prefetch(
                "stance_set",
                queryset=stances.select_related("holder", "target_entity", "polarity").order_by(
                    "start", "end", "pk"
                ),
            ),
        )
    )
    for article in articles.iterator(chunk_size=chunk_size):
        entities: dict[int, dict[str, Any]] = {}
        for mention in article.mention_set.all():
            entity = entities.setdefault(
                mention.entity_id,
                {
                    "id": mention.entity_id,
                    "name": mention.entity.name,
                    "kind": mention.entity.kind,
                    "mentions": [],
                },
            )
            entity["mentions"].append(
                {
                    "start": mention.start,
                    "end": mention.end,
                    "text": mention.exact,
                    "status": mention.status,
                    "origin": mention.origin,
                }
            )
        yield {
            "id": article.pk,
            "source_file": article.source_file,
            "title": article.title,
            "outlet": article.outlet.name if article.outlet else None,
            "url": article.url or None,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "body": article.body,
            "story": article.story_id,
            "content_hash": article.content_hash,
            "entities": list(entities.values()),
            "quotes": [
                {
                    "id": quote.pk,
                    "start": quote.start,
                    "end": quote.end,
                    "text": quote.exact,
                    "kind": quote.kind,
                    "cue": quote.cue,
                    "speaker": (
                        {"id": quote.speaker_id, "name": quote.speaker.name}
                        if quote.speaker
                        else None
                    ),
                    "speaker_start": quote.speaker_start,
                    "speaker_end": quote.speaker_end,
                    "statement": quote.statement_id,
                    "origin": quote.origin,
                    "status": quote.status,
                }
                for quote in article.quote_set.all()
            ],
            "stances": [
                {
                    "id": stance.pk,
                    "start": stance.start,
                    "end": stance.end,
                    "text": stance.exact,
                    "holder": {"id": stance.holder_id, "name": stance.holder.name},
                    "target": (
                        {"id": stance.target_entity_id, "name": stance.target_entity.name}
                        if stance.target_entity
                        else None
                    ),
                    "target_text": stance.target_text,
                    "polarity": stance.polarity.slug,
                    "origin": stance.origin,
                    "status": stance.status,
                }
                for stance in article.stance_set.all()
            ],
        }
