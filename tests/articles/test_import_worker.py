"""Imports through a real Celery worker process, Redis and PostgreSQL."""

import io
import json
import signal
import subprocess
import zipfile

import pytest

from articles import selectors, services, tasks
from articles.models import Article, ImportBatch, ImportFile
from tests import processes
from tests.data import texts
from tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PARAGRAPHS = [texts.ARTICLE_ONE, texts.ARTICLE_TWO, texts.ARTICLE_THREE, texts.ARTICLE_FOUR]


def _article(i: int) -> str:
    """A distinct article per number: fixture text with its own dateline and figures."""
    return (
        f"Dispatch {i}: talks round {i} ends\n\n"
        f"Round {i} of the talks ended on day {i} with {i * 7} delegates present.\n\n"
        + PARAGRAPHS[i % 4]
        + f"\nThe next round, number {i + 1}, is due in {i % 12 + 1} weeks.\n"
    )


def _status(batch_id: int) -> str:
    return ImportBatch.objects.get(pk=batch_id).status


def wait_for_first_pass(batch_id: int) -> None:
    """A worker's import queues its articles' extraction after the batch is done: a test
    ending at "done" waits for it too, so that no worker transaction races the flush of
    the test database or writes into the next test."""
    wait_for(
        lambda: (
            not selectors.import_batch_extraction(ImportBatch.objects.get(pk=batch_id))["pending"]
        ),
        what="the worker's extraction of the batch's articles",
        timeout=120,
    )
    # The last chunk's task marks its articles extracted before it returns, and its
    # transaction may still be open: wait for the workers to be idle too (a worker's
    # open transaction and the flush's TRUNCATE once deadlocked).
    wait_for(_workers_idle, what="the workers to finish their tasks", timeout=60)


def _workers_idle() -> bool:
    from newsdesk.celery import app

    inspect = app.control.inspect(timeout=0.5)
    busy = [*((inspect.active() or {}).values()), *((inspect.reserved() or {}).values())]
    return not any(busy)


def test_worker_imports_a_batch_queued_by_the_service(celery_worker):
    batch = services.import_batch_create(
        uploads=[
            services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode()),
            services.Upload.from_bytes("same.txt", texts.ARTICLE_ONE.encode()),
            services.Upload.from_bytes("empty.txt", b""),
        ],
        source=ImportBatch.Source.API,
    )
    wait_for(lambda: _status(batch.pk) == "done", what="the worker to finish the batch")
    batch.refresh_from_db()
    assert (batch.imported, batch.duplicate, batch.failed, batch.files_done) == (1, 1, 1, 3)
    assert batch.started_at is not None
    assert batch.finished_at is not None
    assert "articles.tasks.import_files" in celery_worker.output()
    wait_for_first_pass(batch.pk)


def _worker(test_database_url: str, media_root, log, queue: str) -> processes.Process:
    return processes.Process(
        processes.compose_command("worker"),
        env=processes.native_env(
            DATABASE_URL=test_database_url,
            CELERY_TASK_DEFAULT_QUEUE=queue,
            # Two chunks at a time, as on any multi-core host: they must not block or
            # skip each other.
            CELERY_WORKER_CONCURRENCY="2",
            DJANGO_ENV="development",
            MEDIA_ROOT=str(media_root),
        ),
        log=log,
    )


def test_a_worker_killed_mid_batch_and_restarted_loses_no_file_and_duplicates_nothing(
    real_stack, test_database_url, media_root, tmp_path, settings, monkeypatch
):
    # A queue of this test's own, so that the suite's shared worker takes none of it.
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-kill"
    monkeypatch.setattr(
        tasks.import_files, "delay", lambda *a: tasks.import_files.apply_async(a, queue=queue)
    )
    # One file per task: 200 tasks, so that the kill surely lands mid-batch.
    settings.IMPORT_CHUNK_SIZE = 1
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(200):
            zf.writestr(f"dispatches/{i:03}.txt", _article(i))
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("dispatches.zip", archive.getvalue())],
        source=ImportBatch.Source.CLI,
    )
    assert batch.files_total == 200

    first = _worker(test_database_url, media_root, tmp_path / "first.log", queue)
    try:
        wait_for(
            lambda: ImportBatch.objects.get(pk=batch.pk).files_done >= 20,
            what="the first worker to import some files",
            timeout=90,
        )
    finally:
        first.stop(signal.SIGKILL)
    done_at_kill = ImportBatch.objects.get(pk=batch.pk).files_done
    assert done_at_kill < 200, "the worker was killed mid-batch"

    second = _worker(test_database_url, media_root, tmp_path / "second.log", queue)
    try:
        wait_for(lambda: _status(batch.pk) == "done", what="the restarted worker", timeout=120)
    finally:
        second.stop()
    batch.refresh_from_db()
    assert (batch.files_total, batch.files_done, batch.imported) == (200, 200, 200)
    assert (batch.duplicate, batch.failed) == (0, 0)
    assert ImportFile.objects.filter(batch=batch, status="pending").count() == 0
    assert Article.objects.count() == 200
    assert ImportFile.objects.filter(batch=batch).values("article").distinct().count() == 200
    assert "Re-offered" in second.output()


def _cli_import_and_wait(folder, test_database_url, media_root) -> subprocess.CompletedProcess:
    """`manage.py import_articles FOLDER --wait --json`, as a user runs it."""
    return subprocess.run(
        ["python", "manage.py", "import_articles", str(folder), "--wait", "--json"],
        cwd=processes.ROOT,
        env=processes.native_env(
            DATABASE_URL=test_database_url, MEDIA_ROOT=str(media_root), DJANGO_ENV="development"
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_waits_for_the_worker_and_prints_only_the_summary(
    celery_worker, test_database_url, media_root, tmp_path
):
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "one.txt").write_text(texts.ARTICLE_ONE, encoding="utf-8")
    (folder / "two.txt").write_text(texts.ARTICLE_TWO, encoding="utf-8")
    result = _cli_import_and_wait(folder, test_database_url, media_root)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "done"
    assert summary["counts"]["imported"] == 2
    wait_for_first_pass(summary["batch"])
    assert "Traceback" not in result.stderr, result.stderr


def test_cli_wait_returns_when_a_file_names_an_outlet_too_long_to_store(
    celery_worker, test_database_url, media_root, tmp_path
):
    """Issue 18's report: a file whose front matter names a 300-character outlet, imported
    with --wait, never returned (the worker's DataError left its chunk pending). Now the
    file is a failed row with its reason and the batch finishes."""
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "good.txt").write_text(texts.ARTICLE_ONE, encoding="utf-8")
    (folder / "long-outlet.txt").write_text(
        "---\noutlet: " + "Outlet " * 43 + "\n---\n" + texts.ARTICLE_TWO, encoding="utf-8"
    )
    result = _cli_import_and_wait(folder, test_database_url, media_root)
    summary = json.loads(result.stdout)
    assert summary["status"] == "done"
    assert (summary["counts"]["imported"], summary["counts"]["failed"]) == (1, 1)
    failed = ImportFile.objects.get(batch_id=summary["batch"], status="failed")
    assert failed.original_name.endswith("long-outlet.txt")
    assert "at most 200 characters" in failed.error
    wait_for_first_pass(summary["batch"])


def test_a_worker_unpacks_what_the_request_only_stored(celery_worker):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for i in range(1, 4):
            bundle.writestr(f"wire/{i}.txt", _article(i))
    batch = services.import_batch_create(
        uploads=[
            services.Upload.from_bytes("bundle.zip", archive.getvalue()),
            services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode()),
        ],
        source=ImportBatch.Source.UPLOAD,
        unpack_in_worker=True,
    )
    assert not ImportFile.objects.filter(batch=batch).exists()
    wait_for(lambda: _status(batch.pk) == "done", what="the worker to unpack and import")
    batch.refresh_from_db()
    assert (batch.files_total, batch.imported, batch.failed) == (4, 4, 0)
    assert not batch.uploads.filter(unpacked_at__isnull=True).exists()
    assert "articles.tasks.unpack_uploads" in celery_worker.output()
    wait_for_first_pass(batch.pk)
