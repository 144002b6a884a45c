"""Analysts' review of the entity mentions the machine suggested."""

from typing import Any

from django.db import transaction

from articles.models import Mention
from articles.services.guards import reviewed


@transaction.atomic
def mention_review(
    *, user: Any, mention_id: int, status: str, if_match: str | None = None
) -> Mention:
    """Accept (confirmed) or reject (rejected) a mention; any analyst may review."""
    mention = Mention.objects.select_for_update().filter(pk=mention_id).first()
    if mention is None:
        raise Mention.DoesNotExist(f"There is no mention {mention_id}.")
    return reviewed(mention, user=user, status=status, if_match=if_match)
