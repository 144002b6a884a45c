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


def _run(result, worker, timeout: float = 120) -> None:
    """Wait until the worker has run the task with this result's id."""
    wait_for(
        lambda: f"[{result.id}] succeeded" in worker.output(),
        what=f"the worker to run task {result.id}",
        timeout=timeout,
    )


def _suggestions(article: Article) -> tuple[set, set]:
    return (
        set(
            Mention.objects.filter(article=article).values_list("pk", "start", "end", "updated_at")
        ),
        set(Quote.objects.filter(article=article).values_list("pk", "start", "end", "updated_at")),
    )


def test_a_redelivered_extraction_changes_nothing_and_a_reextraction_keeps_the_ids(celery_worker):
    from annotations.models import Deletion
    from tests.data import texts

    article = ArticleFactory(body=texts.ARTICLE_ONE)
    _run(tasks.extract_articles.delay([article.pk]), celery_worker)
    confirmed = Quote.objects.filter(article=article).first()
    Quote.objects.filter(pk=confirmed.pk).update(status="confirmed")
    article.refresh_from_db()
    extracted_at = article.extracted_at
    mentions, quotes = _suggestions(article)
    assert mentions
    assert quotes

    # Delivered twice more, as after a lost acknowledgement or a worker's restart.
    _run(tasks.extract_articles.delay([article.pk]), celery_worker)
    _run(tasks.extract_articles.delay([article.pk]), celery_worker)

    assert Article.objects.get(pk=article.pk).extracted_at == extracted_at
    assert _suggestions(article) == (mentions, quotes), "same rows, ids and times"
    assert not Deletion.objects.filter(article_id=article.pk).exists(), "no tombstones"

    # An admin's re-extraction: the same findings keep their rows, ids and times.
    _run(tasks.extract_articles.delay([article.pk], again=True), celery_worker)

    assert Article.objects.get(pk=article.pk).extracted_at > extracted_at
    now_mentions, now_quotes = _suggestions(article)
    assert now_mentions == mentions
    assert {q[:3] for q in now_quotes} == {q[:3] for q in quotes}
    assert Quote.objects.get(pk=confirmed.pk).status == "confirmed"
    assert not Deletion.objects.filter(article_id=article.pk).exists(), "no tombstones"


def test_worker_extracts_an_article_over_the_models_limit_in_pieces(celery_worker):
    from tests.data import texts

    paragraphs = texts.ARTICLE_ONE.split("\n\n")
    # Runs of spaces are one token each: over a million characters, parsed in seconds.
    filler = " " * 600_000
    body = f"{paragraphs[1]}\n\n{filler}\n\n{paragraphs[2]}\n\n{filler}\n\n{paragraphs[3]}"
    long = ArticleFactory(body=body)
    short = ArticleFactory(body=texts.ARTICLE_TWO)

    _run(tasks.extract_articles.delay([long.pk, short.pk]), celery_worker)

    for article in (long, short):
        article.refresh_from_db()
        assert article.extracted_at is not None
        assert article.extraction_error == ""
    mentions = list(Mention.objects.filter(article=long))
    assert all(body[m.start : m.end] == m.exact for m in mentions)
    okafor = [m for m in mentions if m.exact == "Tomas Okafor"]
    assert okafor
    assert okafor[0].start > 1_000_000, "found after the first million characters"
    quotes = list(Quote.objects.filter(article=long))
    assert quotes
    assert all(body[q.start : q.end] == q.exact for q in quotes)
    assert Mention.objects.filter(article=short, exact="Ines Moreau").exists()
