"""Faults in the real stack (issue 18, point 6): PostgreSQL restarted during a 2,000-file
import, Redis restarted during one, and a worker SIGKILLed during the first pass. Each
batch must end with every file recorded exactly once and every article's machine
suggestions present exactly once.

Real processes: the worker and the scheduler are docker-compose.yml's commands, on a queue
of the test's own, with a short sweep (WORK_SWEEP_SECONDS) so that work a fault lost is
found again, and a short Redis visibility timeout so that a killed worker's unacknowledged
tasks come back. PostgreSQL and Redis are this machine's own servers, restarted with the
commands the brief gives.
"""

import io
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from annotations.models import Quote
from articles import services
from articles.models import Article, ImportBatch, ImportFile, Mention
from tests import processes
from tests.processes import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FILES = 2000
NAMES = ("Anna Keller", "Yury Ushakov", "Mira Okafor", "Tomas Brandt", "Lena Varga")
PLACES = ("Berlin", "Vienna", "Geneva", "Oslo", "Ankara")


def _dispatch(i: int) -> str:
    """A short dispatch of its own (the first pass finds a speaker, a quote, places)."""
    speaker = NAMES[i % len(NAMES)]
    place = PLACES[(i // 5) % len(PLACES)]
    return (
        f"Round {i} of the talks ends in {place}\n\n"
        f'"We will meet again for round {i + 1} within {i % 9 + 2} weeks," said {speaker}, '
        f"who led delegation number {i} in {place} on day {i}.\n"
    )


def _batch(count: int = FILES) -> ImportBatch:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for i in range(count):
            bundle.writestr(f"wire/{i:04}.txt", _dispatch(i))
    # Recorded here, queued by nobody: the worker's start offers it (as after an outage).
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("wire.zip", archive.getvalue())],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )
    assert batch.files_total == count
    return batch


@contextmanager
def _stack(tmp_path: Path, test_database_url: str, media_root: Path, name: str) -> Iterator[dict]:
    """A worker (two pool processes) and a scheduler on a queue of this test's own."""
    env = processes.native_env(
        DATABASE_URL=test_database_url,
        CELERY_TASK_DEFAULT_QUEUE=f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{name}",
        CELERY_WORKER_CONCURRENCY="2",
        CELERY_VISIBILITY_TIMEOUT="15",
        WORK_SWEEP_SECONDS="2",
        WORK_STUCK_SECONDS="20",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / f"{name}-beat"),
        DJANGO_ENV="development",
        MEDIA_ROOT=str(media_root),
    )
    started: dict[str, processes.Process] = {}

    def start(role: str, log: str) -> processes.Process:
        started[log] = processes.Process(
            processes.compose_command(role), env=env, log=tmp_path / f"{log}.log"
        )
        return started[log]

    try:
        yield {"start": start}
    finally:
        for process in started.values():
            if process.popen.poll() is None or process.group_alive():
                process.stop()


def _reconnect() -> None:
    """This process's own connection died with the server: a new one when it answers."""

    def answers() -> bool:
        connection.close()
        try:
            connection.ensure_connection()
        except OperationalError:
            return False
        return True

    wait_for(answers, timeout=60, what="PostgreSQL to accept connections again")


def _restart_postgresql() -> None:
    clusters = sorted(Path("/etc/postgresql").glob("*/main"))
    if not clusters or not shutil.which("pg_ctlcluster"):
        pytest.fail("this machine's PostgreSQL cluster (pg_ctlcluster) is not there to restart")
    version = clusters[-1].parent.name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    _reconnect()


def _restart_redis() -> None:
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        pytest.fail("this machine's Redis (redis-server, redis-cli) is not there to restart")
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],
        timeout=30,
        capture_output=True,
    )
    wait_for(
        lambda: (
            subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True).returncode != 0
        ),
        timeout=30,
        what="Redis to stop",
    )
    time.sleep(2)  # the clients find it gone
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        timeout=30,
        capture_output=True,
    )
    wait_for(
        lambda: (
            subprocess.run(
                ["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True
            ).stdout.strip()
            == "PONG"
        ),
        timeout=30,
        what="Redis to answer again",
    )


def _progress(batch_id: int) -> tuple[int, int, int]:
    """(files done, articles extracted, articles) of the batch."""
    batch = ImportBatch.objects.get(pk=batch_id)
    articles = Article.objects.filter(import_files__batch_id=batch_id)
    return batch.files_done, articles.filter(extracted_at__isnull=False).count(), articles.count()


def _finished(batch_id: int, count: int) -> bool:
    done, extracted, articles = _progress(batch_id)
    return done == count and articles == count and extracted == count


def _assert_each_once(batch_id: int, count: int = FILES) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    assert (batch.status, batch.files_total, batch.files_done) == ("done", count, count)
    assert (batch.imported, batch.duplicate, batch.failed) == (count, 0, 0)
    files = ImportFile.objects.filter(batch_id=batch_id)
    assert files.count() == count
    assert files.values("original_name").distinct().count() == count
    assert files.values("article").distinct().count() == count
    assert Article.objects.count() == count
    articles = Article.objects.filter(import_files__batch_id=batch_id)
    assert not articles.filter(extracted_at__isnull=True).exists()
    assert not articles.exclude(extraction_error="").exists()
    # Every article has its suggestions, and none twice.
    for model in (Quote, Mention):
        machine = model.objects.filter(article__in=articles, origin="machine")
        assert machine.values("article").distinct().count() == count, model.__name__
        spans = machine.values_list("article_id", "start", "end")
        assert spans.count() == len(set(spans)), f"a {model.__name__} suggestion made twice"


# Redis keeps nothing on disk: its restart loses every queued task with it.
@pytest.mark.parametrize(
    "restart", [_restart_postgresql, _restart_redis], ids=["postgresql", "redis"]
)
def test_a_server_restarted_during_a_2000_file_import(
    restart, real_stack, test_database_url, media_root, tmp_path
):
    batch = _batch()
    with _stack(tmp_path, test_database_url, media_root, f"{restart.__name__}") as stack:
        stack["start"]("worker", "worker")
        stack["start"]("beat", "beat")
        wait_for(
            lambda: 100 <= _progress(batch.pk)[0] < FILES // 2,
            timeout=180,
            interval=0.2,
            what="the import to be under way",
        )
        restart()
        assert _progress(batch.pk)[0] < FILES, "the restart landed mid-import"
        wait_for(lambda: _finished(batch.pk, FILES), timeout=420, what="every file and first pass")
    _assert_each_once(batch.pk)


def test_a_worker_killed_during_the_first_pass(real_stack, test_database_url, media_root, tmp_path):
    count = 600
    batch = _batch(count)
    with _stack(tmp_path, test_database_url, media_root, "kill-extraction") as stack:
        first = stack["start"]("worker", "first")
        stack["start"]("beat", "beat")
        wait_for(
            lambda: 30 <= _progress(batch.pk)[1] < count // 2,
            timeout=240,
            interval=0.2,
            what="the first pass to be under way",
        )
        first.stop(signal.SIGKILL)
        assert _progress(batch.pk)[1] < count, "the kill landed mid-way"
        second = stack["start"]("worker", "second")
        wait_for(lambda: _finished(batch.pk, count), timeout=420, what="every first pass")
        assert "articles.tasks.extract_articles" in second.output()
    _assert_each_once(batch.pk, count)
