"""The sweep in the real stack: beat (docker-compose.yml's command) schedules it, a real
worker runs it, and a batch whose enqueue failed while that worker was running is
imported without any worker restarting."""

import pytest
from kombu.exceptions import OperationalError as BrokerError

from articles import services, tasks
from articles.models import ImportBatch
from tests import processes
from tests.articles.test_import_worker import wait_for_first_pass
from tests.data import texts

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_beat_has_a_running_worker_import_a_batch_whose_enqueue_failed(
    celery_worker, test_database_url, tmp_path, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise BrokerError("[Errno 111] Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.import_files, "delay", broker_down)
        batch = services.import_batch_create(
            uploads=[
                services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode()),
                services.Upload.from_bytes("two.txt", texts.ARTICLE_TWO.encode()),
            ],
            source=ImportBatch.Source.API,
        )
    batch.refresh_from_db()
    assert batch.enqueue_error
    assert batch.status == "pending"

    beat = processes.Process(
        processes.compose_command("beat"),
        env=processes.native_env(
            DATABASE_URL=test_database_url,
            DJANGO_ENV="development",
            WORK_SWEEP_SECONDS="1",
            CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat" / "schedule"),
        ),
        log=tmp_path / "beat.log",
    )
    try:
        processes.wait_for(
            lambda: ImportBatch.objects.get(pk=batch.pk).status == "done",
            timeout=90,
            what="the sweep to have the worker import the batch",
        )
    finally:
        beat.stop()
    batch.refresh_from_db()
    assert (batch.imported, batch.failed, batch.enqueue_error) == (2, 0, "")
    assert "articles.tasks.work_sweep" in beat.output()
    assert "articles.tasks.work_sweep" in celery_worker.output()
    wait_for_first_pass(batch.pk)
