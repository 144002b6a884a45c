"""The one door from ingestion to machine extraction.

The import code calls `articles_extract` with the ids of the articles a task has just
created, after they are committed, and knows nothing else about extraction. The function
it runs is the dotted path in settings.INGEST_EXTRACTOR (issue 4 sets the default to the
spaCy pipeline); INGEST_EXTRACTION=false switches the step off, e.g. for benchmarks.
"""

from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils.module_loading import import_string

Extractor = Callable[..., object]


def extractor() -> Extractor | None:
    if not settings.INGEST_EXTRACTION or not settings.INGEST_EXTRACTOR:
        return None
    function: Extractor = import_string(settings.INGEST_EXTRACTOR)
    return function


def articles_extract(*, article_ids: Sequence[int]) -> bool:
    """Run the configured extraction on these articles; False when none is configured."""
    function = extractor()
    if function is None or not article_ids:
        return False
    function(article_ids=list(article_ids))
    return True
