"""The periodic sweep: stuck work found while workers run.

A worker start re-offers every unfinished batch's pending files (`import_batches_resume`);
this does the same on a schedule (settings.CELERY_BEAT_SCHEDULE, every WORK_SWEEP_SECONDS),
but only for work that looks stuck, so that a long queue is not flooded with repeats:

- an import file still pending that was never queued: at once when the task queue refused
  its batch (the batch page says so), else once it is older than one sweep interval (the
  process died between the commit and the enqueue); or one queued more than
  WORK_STUCK_SECONDS ago and still pending (its task was lost);
- a batch's uploads still packed (not unpacked into files), on the same rules;
- a batch left pending or running with no pending file and nothing left to unpack (its
  last refresh failed): it is refreshed, which finishes it;
- an article whose extraction never ran, on the same two rules (extraction failures are
  not retried: they wait for an admin's re-extraction).

Safe to run twice or at once: every task it queues is idempotent, and a repeat costs one
message.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from articles.models import Article, ImportBatch, ImportFile, ImportUpload
from articles.services.extraction import articles_offer_extraction, extractor
from articles.services.import_work import import_batch_refresh
from articles.services.imports import import_work_offer

UNFINISHED = (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING)


@dataclass(frozen=True)
class Swept:
    files: int  # import files queued again
    unpacking: int  # batches whose uploads were queued again for unpacking
    batches: int  # batches finished (nothing was pending any more)
    articles: int  # articles whose extraction was queued again


def _stuck(offered: str, now: datetime, *, refused: Q | None = None) -> Q:
    """Never offered and older than a sweep interval (or, with `refused`, at once where
    the task queue refused it), or offered too long ago."""
    interval = timedelta(seconds=settings.WORK_SWEEP_SECONDS)
    stuck = timedelta(seconds=settings.WORK_STUCK_SECONDS)
    never = Q(created_at__lt=now - interval)
    if refused is not None:
        never |= refused
    return (Q(**{f"{offered}__isnull": True}) & never) | Q(**{f"{offered}__lt": now - stuck})


def work_sweep(*, now: datetime | None = None) -> Swept:
    now = now or timezone.now()
    refused = Q(batch__enqueue_failed_at__isnull=False)
    files, unpacking = import_work_offer(
        files_where=_stuck("offered_at", now, refused=refused),
        uploads_where=_stuck("offered_at", now, refused=refused),
    )

    idle = (
        ImportBatch.objects.filter(status__in=UNFINISHED)
        .exclude(
            Exists(ImportUpload.objects.filter(batch_id=OuterRef("pk"), unpacked_at__isnull=True))
        )
        .exclude(
            Exists(
                ImportFile.objects.filter(batch_id=OuterRef("pk"), status=ImportFile.Status.PENDING)
            )
        )
    )
    finished = 0
    for batch_id in idle.values_list("pk", flat=True):
        finished += import_batch_refresh(batch_id=batch_id).status == ImportBatch.Status.DONE

    articles = 0
    if extractor() is not None:
        waiting = list(
            Article.objects.filter(extracted_at__isnull=True, extraction_failed_at__isnull=True)
            .filter(_stuck("extraction_offered_at", now))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        articles = articles_offer_extraction(waiting) if waiting else 0
    return Swept(files=files, unpacking=unpacking, batches=finished, articles=articles)
