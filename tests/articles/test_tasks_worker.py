"""Tasks run in a real Celery worker process, through Redis, against PostgreSQL."""

import pytest
from django.utils import timezone

from annotations.models import Quote
from articles import tasks
from articles.models import Article, ImportBatch, ImportFile, Mention
from tests.factories import ArticleFactory, ImportBatchFactory, ImportFileFactory
from tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _batch_with_files(*statuses: str) -> ImportBatch:
    batch = ImportBatchFactory(status=ImportBatch.Status.RUNNING, started_at=timezone.now())
    for status in statuses:
        ImportFileFactory(
            batch=batch,
            status=status,
            error="Not text: the file has NUL bytes." if status == "failed" else "",
            article=ArticleFactory() if status in ("imported", "duplicate") else None,
        )
    return batch


def test_worker_process_refreshes_a_batch_through_redis(celery_worker):
    batch = _batch_with_files("imported", "imported", "duplicate", "failed")
    assert batch.files_total == 0

    tasks.import_batch_refresh.delay(batch.id)

    wait_for(
        lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE,
        what="the worker to finish the batch",
    )
    batch.refresh_from_db()
    assert (batch.files_total, batch.files_done) == (4, 4)
    assert (batch.imported, batch.duplicate, batch.failed) == (2, 1, 1)
    assert batch.finished_at is not None
    assert "import_batch_refresh" in celery_worker.output()
    assert "succeeded" in celery_worker.output()


def test_worker_keeps_a_batch_with_pending_files_running(celery_worker):
    batch = _batch_with_files("imported", "pending")
    tasks.import_batch_refresh.delay(batch.id)
    wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).files_done == 1, what="a recount")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING
    assert batch.finished_at is None

    ImportFile.objects.filter(batch=batch, status="pending").update(
        status="failed", error="Refused: larger than the 20 MB per-file limit."
    )
    # Delivered twice, as after a lost acknowledgement: the result is the same.
    tasks.import_batch_refresh.delay(batch.id)
    tasks.import_batch_refresh.delay(batch.id)
    wait_for(
        lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE,
        what="the worker to finish the batch",
    )
    batch.refresh_from_db()
    assert (batch.files_total, batch.files_done, batch.imported, batch.failed) == (2, 2, 1, 1)


def test_worker_process_runs_the_machine_pass_on_an_article_that_missed_it(celery_worker):
    from tests.data import texts

    article = ArticleFactory(body=texts.ARTICLE_ONE)
    assert article.extracted_at is None

    tasks.extract_articles.delay([article.pk])

    wait_for(
        lambda: Article.objects.get(pk=article.pk).extracted_at is not None,
        what="the worker to extract the article",
        timeout=120,
    )
    varga = Mention.objects.get(article=article, exact="Elena Varga")
    assert (varga.origin, varga.status, varga.entity.name) == (
        "machine",
        "suggested",
        "Elena Varga",
    )
    assert Quote.objects.filter(article=article, speaker=varga.entity, cue="told").exists()
