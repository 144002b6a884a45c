from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from annotations.models import Note, Quote, Stance, Statement
from articles import roles
from articles.models import Article, ImportBatch, ImportFile, Mention, ReviewStatus
from articles.nlp import variants

# Rows fetched per query while an export streams: memory holds a chunk, never the export.
EXPORT_CHUNK = 2000


def overview_for(user: AbstractBaseUser | AnonymousUser) -> dict[str, Any]:
    """What the home page shows: the size of the corpus and of the review work.

    Five queries whatever the corpus size (six with the recent imports for admins).
    """
    coverage = Article.objects.aggregate(
        articles=Count("id"),
        outlets=Count("outlet", distinct=True),
        stories=Count("story", distinct=True),
    )
    by_status = {status: Count("id", filter=Q(status=status)) for status in ReviewStatus.values}
    context: dict[str, Any] = {
        "role": roles.role_of(user),
        "coverage": coverage,
        "quotes": Quote.objects.aggregate(total=Count("id"), **by_status),
        "mentions": Mention.objects.aggregate(total=Count("id"), **by_status),
        "stances": Stance.objects.count(),
        "notes": Note.objects.count(),
        "recent_imports": [],
    }
    if context["role"] == roles.ADMIN:
        context["recent_imports"] = list(ImportBatch.objects.select_related("created_by")[:5])
    return context


def import_batch_summary(batch: ImportBatch) -> dict[str, Any]:
    """A batch's status and per-file results, as the CLI prints and the API returns them.

    One query for the files, whatever their number.
    """
    return {
        "batch": batch.pk,
        "status": batch.status,
        "counts": {
            "total": batch.files_total,
            "done": batch.files_done,
            "imported": batch.imported,
            "duplicate": batch.duplicate,
            "failed": batch.failed,
        },
        "files": [
            {"name": name, "status": status, "error": error or None, "article": article}
            for name, status, error, article in ImportFile.objects.filter(batch=batch)
            .order_by("pk")
            .values_list("original_name", "status", "error", "article_id")
        ],
    }


def import_batch_waiting_for_worker(batch: ImportBatch) -> bool:
    """True when no worker has started the batch within the grace period."""
    if batch.status != ImportBatch.Status.PENDING or batch.started_at is not None:
        return False
    waited = (timezone.now() - batch.created_at).total_seconds()
    return waited >= settings.IMPORT_WORKER_WAIT_SECONDS


def articles_export(chunk_size: int = 500) -> Iterator[dict[str, Any]]:
    """Every article as a plain dict, streamed in chunks of `chunk_size` articles.

    Three queries per chunk (articles, mentions, quotes), whatever the number of each.
    """
    source_file = (
        ImportFile.objects.filter(article=OuterRef("pk"), status=ImportFile.Status.IMPORTED)
        .order_by("pk")
        .values("original_name")[:1]
    )
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
                queryset=Quote.objects.select_related("speaker").order_by("start", "end"),
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
        }


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
