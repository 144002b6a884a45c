"""The one door from ingestion to machine extraction.

The import code calls `articles_extract` with the ids of the articles a task has just
created, after they are committed, and knows nothing else about extraction. The function
it runs is the dotted path in settings.INGEST_EXTRACTOR (by default
`annotations.services.suggestions.suggestions_create`); INGEST_EXTRACTION=false switches the
step off, e.g. for benchmarks.

An article is marked `extracted_at` once the function has run on it. Articles without the
mark (a worker died between the import and the extraction, extraction was off, or it
failed) are found again by `articles_extract_pending`, which workers run when they start:
a redelivered or interrupted task never leaves an article without its first pass.
"""

import logging
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from articles.models import Article

logger = logging.getLogger(__name__)

Extractor = Callable[..., object]


def extractor() -> Extractor | None:
    if not settings.INGEST_EXTRACTION or not settings.INGEST_EXTRACTOR:
        return None
    function: Extractor = import_string(settings.INGEST_EXTRACTOR)
    return function


def articles_extract(*, article_ids: Sequence[int]) -> bool:
    """Run the configured extraction on these articles and mark them extracted.

    False when none is configured. The extractor's own errors propagate: the caller
    decides whether they may stop it (`articles_extract_safely` says they may not).
    """
    function = extractor()
    if function is None or not article_ids:
        return False
    function(article_ids=list(article_ids))
    Article.objects.filter(pk__in=article_ids).update(extracted_at=timezone.now())
    return True


def articles_extract_safely(*, article_ids: Sequence[int]) -> bool:
    """`articles_extract`, with a failure logged instead of raised.

    The import calls this: a bug in extraction must not stall a batch's progress or lose
    its files. The articles stay unmarked, so the next worker start tries them again.
    """
    try:
        return articles_extract(article_ids=article_ids)
    except Exception:
        logger.exception("Extraction failed on articles %s", list(article_ids)[:20])
        return False


def articles_pending_extraction() -> list[int]:
    """Ids of the articles the configured extraction has not (yet) run on."""
    if extractor() is None:
        return []
    return list(
        Article.objects.filter(extracted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
