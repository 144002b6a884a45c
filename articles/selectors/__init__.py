"""Reads of the corpus that more than one caller shares: import batches' progress."""

from typing import Any

from django.conf import settings
from django.utils import timezone

from articles.models import ImportBatch, ImportFile


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
        ],
    }


def import_batch_waiting_for_worker(batch: ImportBatch) -> bool:
    """True when no worker has started the batch within the grace period."""
    if batch.status != ImportBatch.Status.PENDING or batch.started_at is not None:
        return False
    waited = (timezone.now() - batch.created_at).total_seconds()
    return waited >= settings.IMPORT_WORKER_WAIT_SECONDS
