"""The periodic scheduler, started with docker-compose.yml's beat command, sends the
tombstone pruning to a real worker, which deletes what is past the retention and keeps
the rest."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from annotations.models import Deletion
from tests import processes
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_beat_has_the_worker_prune_old_tombstones_and_keep_recent_ones(
    celery_worker, test_database_url, tmp_path
):
    old, recent = ArticleFactory(), ArticleFactory()
    old_id, recent_id = old.pk, recent.pk
    old.delete()
    recent.delete()
    past = timezone.now() - timedelta(days=settings.SYNC_RETENTION_DAYS + 1)
    Deletion.objects.filter(kind="article", object_id=old_id).update(deleted_at=past)

    beat = processes.Process(
        processes.compose_command("beat"),
        env=processes.native_env(
            DATABASE_URL=test_database_url,
            DJANGO_ENV="development",
            TOMBSTONE_PRUNE_SECONDS="1",
            CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat" / "schedule"),
        ),
        log=tmp_path / "beat.log",
    )
    try:
        processes.wait_for(
            lambda: not Deletion.objects.filter(kind="article", object_id=old_id).exists(),
            timeout=60,
            what="the scheduled pruning to delete the old tombstone",
        )
    finally:
        beat.stop()
    assert "annotations.tasks.tombstones_prune" in beat.output()
    assert "tombstones_prune" in celery_worker.output()
    assert Deletion.objects.filter(kind="article", object_id=recent_id).exists()
