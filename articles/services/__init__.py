"""Every write in the articles app goes through a function here; the web views, the API,
the admin, the CLI and the Celery tasks all call the same ones."""

from articles.services.entities import (
    entities_keep_apart,
    entities_reconcile,
    entity_create,
    entity_merge,
    entity_split,
    entity_update,
)
from articles.services.extraction import (
    articles_extract,
    articles_extract_safely,
    articles_pending_extraction,
    articles_reextract,
)
from articles.services.import_work import (
    BatchProgress,
    import_batch_process_pending,
    import_batch_refresh,
    import_files_process,
)
from articles.services.imports import (
    ImportRefused,
    Upload,
    folder_uploads,
    import_batch_create,
    import_batch_unpack,
    import_batches_resume,
    uploads_from_paths,
)
from articles.services.mentions import mention_review, mention_update
from articles.services.sweep import Swept, work_sweep

__all__ = [
    "BatchProgress",
    "ImportRefused",
    "Swept",
    "Upload",
    "articles_extract",
    "articles_extract_safely",
    "articles_pending_extraction",
    "articles_reextract",
    "entities_keep_apart",
    "entities_reconcile",
    "entity_create",
    "entity_merge",
    "entity_split",
    "entity_update",
    "folder_uploads",
    "import_batch_create",
    "import_batch_process_pending",
    "import_batch_refresh",
    "import_batch_unpack",
    "import_batches_resume",
    "import_files_process",
    "mention_review",
    "mention_update",
    "uploads_from_paths",
    "work_sweep",
]
