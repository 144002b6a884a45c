"""Every write in the annotations app goes through a function here; the API, the browser
views, the admin and the Celery tasks all call the same ones."""

from annotations.services.agreement import agreement_refresh
from annotations.services.notes import note_create, note_delete, note_update
from annotations.services.quotes import quote_create, quote_delete, quote_review, quote_update
from annotations.services.stances import (
    stance_create,
    stance_delete,
    stance_review,
    stance_update,
)
from annotations.services.statements import statements_link
from annotations.services.tombstones import tombstones_prune

__all__ = [
    "agreement_refresh",
    "note_create",
    "note_delete",
    "note_update",
    "quote_create",
    "quote_delete",
    "quote_review",
    "quote_update",
    "stance_create",
    "stance_delete",
    "stance_review",
    "stance_update",
    "statements_link",
    "tombstones_prune",
]
