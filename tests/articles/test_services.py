import pytest

from articles import services
from articles.models import ImportBatch
from tests.factories import ArticleFactory, ImportBatchFactory, ImportFileFactory

pytestmark = pytest.mark.django_db


def test_refresh_counts_files_and_finishes_a_batch_with_failures_as_done():
    batch = ImportBatchFactory()
    ImportFileFactory(batch=batch, status="imported", article=ArticleFactory())
    ImportFileFactory(batch=batch, status="failed", error="Binary file (NUL bytes).")
    progress = services.import_batch_refresh(batch_id=batch.id)
    assert progress == services.BatchProgress(
        files_total=2, files_done=2, imported=1, duplicate=0, failed=1, status="done"
    )
    batch.refresh_from_db()
    assert batch.started_at is not None
    assert batch.finished_at is not None


def test_refresh_is_idempotent_and_never_double_counts():
    batch = ImportBatchFactory()
    ImportFileFactory(batch=batch, status="duplicate", article=ArticleFactory())
    ImportFileFactory(batch=batch)
    first = services.import_batch_refresh(batch_id=batch.id)
    second = services.import_batch_refresh(batch_id=batch.id)
    assert first == second
    assert first.status == "running"
    assert (first.files_total, first.files_done, first.duplicate) == (2, 1, 1)


def test_refresh_leaves_a_cancelled_batch_cancelled():
    batch = ImportBatchFactory(status=ImportBatch.Status.CANCELLED)
    ImportFileFactory(batch=batch, status="imported", article=ArticleFactory())
    assert services.import_batch_refresh(batch_id=batch.id).status == "cancelled"
    batch.refresh_from_db()
    assert batch.imported == 1
    assert batch.finished_at is None
