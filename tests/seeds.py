"""The five seed articles of ../shared/corpus/seeds, imported through the real pipeline
(decode, clean, extract, stories, statements) without a worker."""

from pathlib import Path

import pytest

from articles import services
from articles.models import Article, ImportBatch

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"


def import_seeds() -> dict[str, Article]:
    """The imported articles by the seed file's number ("000" to "004"); a skip when the
    corpus is not beside the repository."""
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is missing")
    uploads, _ = services.uploads_from_paths([SEEDS])
    batch = services.import_batch_create(
        uploads=uploads, source=ImportBatch.Source.CLI, enqueue=False
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    return {
        Path(f.original_name).name[:3]: f.article for f in batch.files.select_related("article")
    }
