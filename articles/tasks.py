"""Celery tasks: thin wrappers that take ids and call one service."""

import gc
import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_init, worker_ready
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from articles import ingest, services

logger = logging.getLogger(__name__)

# Only errors that go away on their own are retried; anything else is a bug or bad input,
# and a bad file is a failed row, never a retry loop.
TRANSIENT_ERRORS = (InterfaceError, OperationalError, BrokerError)
RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def import_batch_refresh(batch_id: int) -> None:
    services.import_batch_refresh(batch_id=batch_id)


# Acknowledged after it ran, and handed back if the worker dies: safe because the service
# only touches files still pending and writes each outcome once.
@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def import_files(batch_id: int, file_ids: list[int]) -> int:
    return len(
        services.import_files_process(batch_id=batch_id, file_ids=file_ids, queue_extraction=True)
    )


# Acknowledged after it ran and handed back if the worker dies: unpacking records nothing
# until it is through, and skips uploads an earlier delivery unpacked.
@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def unpack_uploads(batch_id: int) -> int:
    return services.import_batch_unpack(batch_id=batch_id)


# Safe to deliver twice: an article already extracted is left as it is (and a
# re-extraction keeps the ids of what it finds again), and the per-article row lock keeps
# two runs on one article from interleaving.
@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def extract_articles(article_ids: list[int], again: bool = False) -> None:
    services.articles_extract(article_ids=article_ids, again=again)


# On a schedule (settings.CELERY_BEAT_SCHEDULE, every WORK_SWEEP_SECONDS): stuck import
# files and extractions queued again, batches with nothing pending finished. Safe twice or
# at once: everything it queues is idempotent.
@shared_task(**RETRY)
def work_sweep() -> dict[str, int]:
    swept = services.work_sweep()
    if swept.files or swept.batches or swept.articles:
        logger.info(
            "Sweep: %s import files and %s extractions queued again, %s batches finished",
            swept.files,
            swept.articles,
            swept.batches,
        )
    return {"files": swept.files, "batches": swept.batches, "articles": swept.articles}


@worker_init.connect
def _load_text_models_before_forking(**kwargs: Any) -> None:
    # SciPy and datasketch take a second and a half to import, and the spaCy pipeline
    # several seconds to load: load them in the parent, once, so that the forked pool
    # processes start with them (shared, copy-on-write) instead of each paying it on its
    # first task, all at once, while the import's first chunks wait.
    ingest.minhash("warm up")
    if services.extraction.extractor() is not None:
        from articles.nlp.extract import extract

        try:
            list(extract(["Warm up: the pipeline parses one sentence, said the worker."]))
        except Exception:  # a missing model is the extraction's failure to report, later
            logger.exception("Could not load the spaCy pipeline before forking")
    _freeze_what_is_loaded()


def _freeze_what_is_loaded() -> None:
    # The objects loaded so far (Django, the pipeline, the gazetteer) live as long as the
    # worker: out of the collector's reach, its full collections no longer walk them all,
    # which cost ~1.3 ms an extracted article (profiled on FNC-1 bodies: 0.27 s in two
    # full collections over 200 articles, 0.003 s with them frozen), and the forked pool
    # processes do not write to the pages they share with the parent by collecting them.
    gc.collect()
    gc.freeze()


@worker_ready.connect
def _resume_unfinished_imports(**kwargs: Any) -> None:
    try:
        count = services.import_batches_resume()
    except Exception:  # the worker must start even if the database is not there yet
        logger.exception("Could not look for unfinished imports")
        return
    if count:
        logger.info("Re-offered %s pending import files of unfinished batches", count)
    try:
        waiting = services.articles_pending_extraction()
    except Exception:
        logger.exception("Could not look for articles awaiting extraction")
        return
    for chunk in services.extraction.extraction_chunks(waiting):
        extract_articles.delay(chunk)
    if waiting:
        logger.info("Queued extraction of %s articles that never had it", len(waiting))
