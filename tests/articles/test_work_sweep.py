"""The periodic sweep (articles.services.sweep): stuck work found while workers run.

Here the sweep runs in this process with the task queue stubbed where a test needs it
unreachable; test_work_sweep_worker runs it through beat and a real worker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from articles import services, tasks
from articles.models import Article, ImportBatch, ImportFile
from tests.data import texts
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


class Queue:
    """Stands in for Celery's `delay` of a task: records each call, or refuses them all
    as a broker that is down does."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.calls: list[tuple] = []

    def __call__(self, *args):
        if self.down:
            raise BrokerError("[Errno 111] Connection refused")
        self.calls.append(args)


@pytest.fixture
def import_queue(monkeypatch):
    queue = Queue()
    monkeypatch.setattr(tasks.import_files, "delay", queue)
    return queue


@pytest.fixture
def extraction_queue(monkeypatch):
    queue = Queue()
    monkeypatch.setattr(tasks.extract_articles, "delay", queue)
    return queue


def _batch(django_capture_on_commit_callbacks, *names: str) -> ImportBatch:
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.import_batch_create(
            uploads=[
                services.Upload.from_bytes(name, f"{name}\n\n{texts.ARTICLE_ONE}".encode())
                for name in names
            ],
            source=ImportBatch.Source.API,
        )
    batch.refresh_from_db()
    return batch


def test_a_failed_enqueue_is_shown_on_the_batch_page_and_retried_by_the_sweep(
    client, import_queue, django_capture_on_commit_callbacks
):
    import_queue.down = True
    batch = _batch(django_capture_on_commit_callbacks, "one.txt", "two.txt")
    assert "Connection refused" in batch.enqueue_error
    assert batch.enqueue_failed_at is not None
    assert not batch.files.filter(offered_at__isnull=False).exists()
    client.force_login(UserFactory(role="admin"))
    page = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "Not queued yet." in page
    assert "Connection refused" in page
    assert f"tries again every {round(settings.WORK_SWEEP_SECONDS)} seconds" in page

    # The broker is still down: the sweep tries, fails, and says so again.
    swept = services.work_sweep()
    assert swept.files == 2
    assert batch.files.filter(offered_at__isnull=True).count() == 2

    import_queue.down = False
    services.work_sweep()  # at once: the batch's enqueue was refused, no waiting
    assert import_queue.calls == [(batch.pk, sorted(batch.files.values_list("pk", flat=True)))]
    batch.refresh_from_db()
    assert (batch.enqueue_error, batch.enqueue_failed_at) == ("", None)
    assert not batch.files.filter(offered_at__isnull=True).exists()
    page = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "Not queued yet." not in page

    # Queued just now: the next sweep leaves them alone.
    assert services.work_sweep().files == 0
    assert len(import_queue.calls) == 1


def test_files_queued_long_ago_and_still_pending_are_queued_again(
    import_queue, django_capture_on_commit_callbacks
):
    batch = _batch(django_capture_on_commit_callbacks, "one.txt", "two.txt")
    assert len(import_queue.calls) == 1
    stale, _recent = batch.files.order_by("pk")
    long_ago = timezone.now() - timedelta(seconds=settings.WORK_STUCK_SECONDS + 1)
    ImportFile.objects.filter(pk=stale.pk).update(offered_at=long_ago)
    assert services.work_sweep().files == 1
    assert import_queue.calls[-1] == (batch.pk, [stale.pk])


def test_files_never_queued_are_queued_once_older_than_a_sweep_interval(import_queue):
    # The process died between its commit and its enqueue: no error was recorded.
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
        source=ImportBatch.Source.API,
        enqueue=False,
    )
    assert services.work_sweep().files == 0  # it may still be about to be queued
    later = timezone.now() + timedelta(seconds=settings.WORK_SWEEP_SECONDS + 1)
    assert services.work_sweep(now=later).files == 1
    assert import_queue.calls == [(batch.pk, [batch.files.get().pk])]


def test_files_of_finished_batches_are_left_alone(import_queue):
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
        source=ImportBatch.Source.API,
        enqueue=False,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
    later = timezone.now() + timedelta(days=1)
    assert services.work_sweep(now=later).files == 0
    assert import_queue.calls == []


def test_a_batch_left_running_with_nothing_pending_is_finished(import_queue):
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
        source=ImportBatch.Source.API,
        enqueue=False,
    )
    # Its last chunk was stored, and the refresh after it failed.
    batch.files.update(status=ImportFile.Status.FAILED, error="Unreadable.")
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    assert services.work_sweep().batches == 1
    batch.refresh_from_db()
    assert (batch.status, batch.failed, batch.files_done) == ("done", 1, 1)


def test_extractions_never_queued_or_lost_are_queued_again_but_failures_wait(
    extraction_queue, settings
):
    settings.INGEST_EXTRACTION = True
    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.WORK_STUCK_SECONDS + 1)
    never = ArticleFactory(extracted_at=None)
    lost = ArticleFactory(extracted_at=None)
    recent = ArticleFactory(extracted_at=None)
    failed = ArticleFactory(extracted_at=None)
    done = ArticleFactory()
    Article.objects.filter(pk=lost.pk).update(extraction_offered_at=long_ago)
    Article.objects.filter(pk=recent.pk).update(extraction_offered_at=now)
    Article.objects.filter(pk=failed.pk).update(extraction_failed_at=now, extraction_error="x")
    Article.objects.filter(pk=done.pk).update(extracted_at=now)
    later = now + timedelta(seconds=settings.WORK_SWEEP_SECONDS + 1)
    assert services.work_sweep(now=later).articles == 2
    assert [sorted(call[0]) for call in extraction_queue.calls] == [sorted([never.pk, lost.pk])]
    assert Article.objects.get(pk=never.pk).extraction_offered_at is not None


def test_the_sweep_is_on_the_schedule_that_beat_and_make_run_start():
    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "articles.tasks.work_sweep"
    )
    assert entry["schedule"] == settings.WORK_SWEEP_SECONDS
    assert "articles.tasks.work_sweep" in tasks.work_sweep.name


def test_uploads_whose_unpacking_could_not_be_queued_are_queued_by_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    unpack = Queue(down=True)
    monkeypatch.setattr(tasks.unpack_uploads, "delay", unpack)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.import_batch_create(
            uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
            source=ImportBatch.Source.UPLOAD,
            unpack_in_worker=True,
        )
    batch.refresh_from_db()
    assert "Connection refused" in batch.enqueue_error
    unpack.down = False
    swept = services.work_sweep()
    assert (swept.unpacking, unpack.calls) == (1, [(batch.pk,)])
    batch.refresh_from_db()
    assert batch.enqueue_error == ""
    assert batch.status == "pending"  # not finished: its upload is still packed
