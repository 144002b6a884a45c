"""Analysts' review of the entity mentions the machine suggested."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from articles.models import Mention, ReviewStatus
from articles.services.guards import WriteRefused, check_if_match, require_annotator


@transaction.atomic
def mention_review(
    *, user: Any, mention_id: int, status: str, if_match: str | None = None
) -> Mention:
    """Accept (confirmed) or reject (rejected) a mention; any analyst may review."""
    if status not in (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED):
        raise WriteRefused("status", "A review confirms or rejects.")
    require_annotator(user)
    mention = Mention.objects.select_for_update().filter(pk=mention_id).first()
    if mention is None:
        raise Mention.DoesNotExist(f"There is no mention {mention_id}.")
    check_if_match(mention, if_match)
    mention.status = status
    mention.reviewed_by, mention.reviewed_at = user, timezone.now()
    mention._history_user = user  # type: ignore[attr-defined]
    mention.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return mention
