"""The deleted feed's tombstones: kept SYNC_RETENTION_DAYS, then pruned."""

from django.conf import settings

from annotations.models import Deletion
from newsdesk import sync


def tombstones_prune(*, retention_days: int | None = None) -> int:
    """Delete the tombstones older than the retention (by the database's clock) and
    raise the sync horizon past them, in one statement: from then on a sync token that
    might not have seen one of them is answered 410 rather than silently missing it.
    Idempotent: a second run, or two at once, deletes nothing more. Returns how many
    were deleted."""
    days = settings.SYNC_RETENTION_DAYS if retention_days is None else retention_days
    return sync.prune(Deletion._meta.db_table, "deleted_at", days)
