"""Celery tasks of the annotations app (thin wrappers that call one service), and the
worker's start-up for the machine's first pass (the tasks that run it are the articles
app's: `articles.tasks.extract_articles` calls settings.INGEST_EXTRACTOR)."""

from typing import Any

from celery import shared_task
from celery.signals import worker_init

from annotations import services
from annotations.services.assignments import assignments_return_overdue
from annotations.services.suggestions import suggestions_create
from articles.services.extraction import extractor
from articles.tasks import RETRY


# On a schedule (settings.CELERY_BEAT_SCHEDULE, run by `celery -A newsdesk beat`). Safe to
# run twice, at once or late: it deletes only what is past the retention when it runs.
@shared_task(**RETRY)
def tombstones_prune() -> int:
    return services.tombstones_prune()


# On a schedule too (ASSIGNMENT_RETURN_SECONDS): open work past its due time goes back to
# the pool. Safe twice or at once: it claims rows with SKIP LOCKED and re-checks them.
@shared_task(**RETRY)
def assignments_return() -> int:
    return assignments_return_overdue()


@worker_init.connect
def _load_text_model_before_forking(**kwargs: Any) -> None:
    # The spaCy pipeline, loaded once in the parent and shared by every pool process,
    # when the extractor is this app's (it uses it).
    if extractor() is suggestions_create:
        from articles.nlp import model

        model.load()
