"""Reads of the corpus that more than one caller shares: import batches' progress."""

from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from articles.models import Article, ImportBatch, ImportFile, ImportUpload


def import_batch_summary(batch: ImportBatch) -> dict[str, Any]:
    """A batch's status and per-file results, as the CLI prints and the API returns them.

    One query for the files, whatever their number; the counts are taken from those very
    rows, so that they agree with the files listed even while a worker's chunk has
    committed its rows and not yet recounted the batch's stored counters.
    """
    files = [
        {
            "name": name,
            "status": status,
            "error": error or None,
            "article": article,
            "removed_lines": [{"line": line, "reason": reason} for line, reason in removed],
        }
        for name, status, error, article, removed in ImportFile.objects.filter(batch=batch)
        .order_by("pk")
        .values_list("original_name", "status", "error", "article_id", "removed_lines")
    ]
    by_status = Counter(file["status"] for file in files)
    imported, duplicate, failed = (
        by_status[ImportFile.Status.IMPORTED],
        by_status[ImportFile.Status.DUPLICATE],
        by_status[ImportFile.Status.FAILED],
    )
    return {
        "batch": batch.pk,
        "status": batch.status,
        "counts": {
            "total": len(files),
            "done": imported + duplicate + failed,
            "imported": imported,
            "duplicate": duplicate,
            "failed": failed,
        },
        "files": files,
    }


def import_batch_unpacking(batch: ImportBatch) -> int:
    """How many of the batch's uploads a worker has still to unpack (the API's batches
    come annotated with it: no query)."""
    annotated = getattr(batch, "unpacking", None)
    if annotated is not None:
        return int(annotated)
    return ImportUpload.objects.filter(batch=batch, unpacked_at__isnull=True).count()


def import_batch_waiting_for_worker(batch: ImportBatch) -> bool:
    """True when no worker has started the batch within the grace period."""
    if batch.status != ImportBatch.Status.PENDING or batch.started_at is not None:
        return False
    waited = (timezone.now() - batch.created_at).total_seconds()
    return waited >= settings.IMPORT_WORKER_WAIT_SECONDS


def import_batch_extraction(batch: ImportBatch) -> dict[str, int]:
    """The machine's first pass over the articles this batch imported: how many there
    are, how many are extracted and how many failed (with their reason on their page).
    Extraction runs in tasks of its own after the files are imported, so a batch is done
    before all its articles are extracted. One query."""
    counts = Article.objects.filter(
        import_files__batch=batch, import_files__status=ImportFile.Status.IMPORTED
    ).aggregate(
        articles=Count("pk", distinct=True),
        extracted=Count("pk", distinct=True, filter=Q(extracted_at__isnull=False)),
        failed=Count(
            "pk",
            distinct=True,
            filter=Q(extracted_at__isnull=True, extraction_failed_at__isnull=False),
        ),
    )
    counts["pending"] = counts["articles"] - counts["extracted"] - counts["failed"]
    return counts


# At the end: the import page's reads use the functions above.
from articles.selectors.import_pages import BatchPage, Figures, import_batch_page  # noqa: E402

__all__ = [
    "BatchPage",
    "Figures",
    "import_batch_extraction",
    "import_batch_page",
    "import_batch_summary",
    "import_batch_unpacking",
    "import_batch_waiting_for_worker",
]
