"""The one door from ingestion to machine extraction.

The import code calls `articles_extract` with the ids of the articles a task has just
created, after they are committed, and knows nothing else about extraction. The function
it runs is the dotted path in settings.INGEST_EXTRACTOR (by default
`annotations.services.suggestions.suggestions_create`); INGEST_EXTRACTION=false switches the
step off, e.g. for benchmarks.

An article is marked `extracted_at` once the function has run on it, and is not extracted
again unless an admin asks (`articles_reextract`). Articles without the mark (a worker
died between the import and the extraction, or extraction was off) are found again by
`articles_pending_extraction`, which workers run when they start: a redelivered or
interrupted task never leaves an article without its first pass. An article on which the
extraction fails carries the reason (`extraction_error`, shown on its page and in the
API) and is not retried at every start, and its failure is its own: the other articles of
its chunk are extracted all the same.
"""

import inspect
import logging
from collections.abc import Callable, Iterator, Sequence

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from articles.models import Article

logger = logging.getLogger(__name__)

Extractor = Callable[..., object]

# Errors that go away on their own: never recorded as an article's failure.
TRANSIENT_ERRORS = (InterfaceError, OperationalError)


def extractor() -> Extractor | None:
    if not settings.INGEST_EXTRACTION or not settings.INGEST_EXTRACTOR:
        return None
    function: Extractor = import_string(settings.INGEST_EXTRACTOR)
    return function


def article_extraction_fail(*, article_id: int, reason: str) -> None:
    """Record why extraction failed on this article; a worker start no longer retries it."""
    Article.objects.filter(pk=article_id).update(
        extraction_error=reason[:2000], extraction_failed_at=timezone.now()
    )


def failure_reason(error: BaseException) -> str:
    """What an article's page says when extraction failed on it with this error."""
    detail = " ".join(str(error).split())[:300]
    name = type(error).__name__
    return (
        f"The machine's first pass failed on this article ({name}{': ' if detail else ''}{detail})."
    )


def _takes_again(function: Extractor) -> bool:
    try:
        return "again" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def articles_extract(*, article_ids: Sequence[int], again: bool = False) -> bool:
    """Run the configured extraction on these articles and mark them extracted.

    `again` (an admin's re-extraction) runs it on articles extracted before too; without
    it, those are left as they are. False when no extraction is configured.

    If the extractor fails on the whole chunk, it runs on each article alone, and an
    article it still fails on gets the reason recorded instead of the mark. Transient
    errors (the database went away) propagate, for the caller to retry.
    """
    function = extractor()
    if function is None or not article_ids:
        return False
    ids = list(article_ids)
    # An extractor without `again` (one that always runs afresh) is called without it.
    kwargs = {"again": True} if again and _takes_again(function) else {}
    try:
        function(article_ids=ids, **kwargs)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        if len(ids) == 1:
            logger.exception("Extraction failed on article %s", ids[0])
            article_extraction_fail(article_id=ids[0], reason=failure_reason(error))
            ids = []
        else:
            logger.exception("Extraction failed on articles %s; trying each alone", ids[:20])
        for article_id in ids:
            try:
                function(article_ids=[article_id], **kwargs)
            except TRANSIENT_ERRORS:
                raise
            except Exception as error:
                logger.exception("Extraction failed on article %s", article_id)
                article_extraction_fail(article_id=article_id, reason=failure_reason(error))
    marked = Article.objects.filter(pk__in=article_ids, extraction_failed_at__isnull=True)
    if not again:
        marked = marked.filter(extracted_at__isnull=True)
    marked.update(extracted_at=timezone.now())
    return True


def articles_extract_safely(*, article_ids: Sequence[int]) -> bool:
    """`articles_extract`, with a failure logged instead of raised.

    The import calls this: extraction must not stall a batch's progress or lose its files.
    Articles it could not reach (the database went away) stay unmarked, so the next
    worker start tries them again.
    """
    try:
        return articles_extract(article_ids=article_ids)
    except Exception:
        logger.exception("Extraction failed on articles %s", list(article_ids)[:20])
        return False


def extraction_chunks(ids: Sequence[int], *, taper: bool = False) -> Iterator[list[int]]:
    """These ids in the chunks an extraction task takes (settings.EXTRACTION_CHUNK_SIZE).

    With `taper` (the last articles of a batch, queued behind all the others), each chunk
    takes half of what is left, down to a tenth of the chunk size: the workers' last
    tasks are short, so they finish the batch together instead of one extracting a whole
    chunk while the other has nothing left to take.
    """
    size = max(1, settings.EXTRACTION_CHUNK_SIZE)
    least = max(1, size // 10)
    start = 0
    while start < len(ids):
        take = min(size, max(least, (len(ids) - start + 1) // 2)) if taper else size
        yield list(ids[start : start + take])
        start += take


def articles_extract_queued(*, article_ids: Sequence[int], taper: bool = False) -> bool:
    """Queue the extraction of these (committed) articles for the workers, in extraction
    chunks (tapered, with `taper`: see `extraction_chunks`); False when no extraction is
    configured.

    A worker's import task calls this rather than extracting its chunk itself: the
    workers then share a batch's extraction in small tasks, and finish it close together.
    Articles whose task could not be queued (the broker went away) stay unmarked, so the
    next worker start queues them again.
    """
    if extractor() is None or not article_ids:
        return False
    ids = list(article_ids)

    transaction.on_commit(lambda: articles_offer_extraction(ids, taper=taper))
    return True


def articles_offer_extraction(article_ids: Sequence[int], *, taper: bool = False) -> int:
    """Queue the extraction of these articles in extraction chunks, marking each queued
    chunk's articles offered; returns how many were queued. A task queue that cannot be
    reached is logged: the articles stay as they were, and the periodic sweep
    (`work_sweep`) or the next worker start queues them again."""
    from articles import tasks  # tasks import this module

    queued = 0
    try:
        for chunk in extraction_chunks(list(article_ids), taper=taper):
            tasks.extract_articles.delay(chunk)
            Article.objects.filter(pk__in=chunk).update(extraction_offered_at=timezone.now())
            queued += len(chunk)
    except Exception:
        logger.exception("Could not queue the extraction of articles %s", list(article_ids)[:20])
    return queued


def articles_pending_extraction() -> list[int]:
    """Ids of the articles the configured extraction has not (yet) run on, leaving out
    those it failed on: they wait for an admin's re-extraction."""
    if extractor() is None:
        return []
    return list(
        Article.objects.filter(extracted_at__isnull=True, extraction_failed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def articles_reextract(*, article_ids: Sequence[int]) -> int:
    """Queue a re-extraction of these articles (an admin's request); returns how many.

    Their recorded failures are cleared; the new findings replace the machine's untouched
    suggestions, keeping the ids of those found again, and reviewed ones stay as they are.
    """
    from articles import tasks  # tasks import this module

    ids = list(
        Article.objects.filter(pk__in=article_ids).order_by("pk").values_list("pk", flat=True)
    )
    if not ids:
        return 0
    with transaction.atomic():
        Article.objects.filter(pk__in=ids).exclude(extraction_failed_at=None).update(
            extraction_error="", extraction_failed_at=None
        )

        def enqueue() -> None:
            for chunk in extraction_chunks(ids):
                tasks.extract_articles.delay(chunk, again=True)

        transaction.on_commit(enqueue)
    return len(ids)
