"""Analysts' review of the entity mentions the machine suggested: accept, reject, or
correct (another entity, another span)."""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from articles.models import Mention, ReviewStatus
from articles.services.guards import entity_or_refused, moved_span, reviewed
from newsdesk.guards import WriteRefused, check_if_match, require_annotator

ALREADY_THERE = "The article already has a mention of this entity at this place."


def _check_team_rules(user: Any, article_id: int) -> None:
    """The team's rules on mentions (settings.MENTION_WRITE_CHECK): they may refuse."""
    if settings.MENTION_WRITE_CHECK:
        import_string(settings.MENTION_WRITE_CHECK)(user=user, article_id=article_id)


@transaction.atomic
def mention_review(
    *, user: Any, mention_id: int, status: str, if_match: str | None = None
) -> Mention:
    """Accept (confirmed) or reject (rejected) a mention (guards.reviewed says who may)."""
    mention = Mention.objects.select_for_update().filter(pk=mention_id).first()
    if mention is None:
        raise Mention.DoesNotExist(f"There is no mention {mention_id}.")
    _check_team_rules(user, mention.article_id)
    return reviewed(mention, user=user, status=status, if_match=if_match)


@transaction.atomic
def mention_update(
    *, user: Any, mention_id: int, changes: dict[str, Any], if_match: str | None = None
) -> Mention:
    """Correct a mention: `entity` (an entity id) and/or its span, in either form (start,
    end and exact, or exact with prefix, suffix or near: see guards). Any analyst may
    correct one; the corrected mention is confirmed, with the corrector as its reviewer
    and in its history."""
    require_annotator(user)
    mention = (
        Mention.objects.select_for_update().select_related("article").filter(pk=mention_id).first()
    )
    if mention is None:
        raise Mention.DoesNotExist(f"There is no mention {mention_id}.")
    _check_team_rules(user, mention.article_id)
    check_if_match(mention, if_match)
    if "entity" in changes:
        if changes["entity"] is None:
            raise WriteRefused("entity", "A mention names an entity.")
        mention.entity = entity_or_refused(changes["entity"], "entity")  # type: ignore[assignment]
    moved_span(mention, mention.article, changes)
    if (
        Mention.objects.filter(
            article_id=mention.article_id,
            entity_id=mention.entity_id,
            start=mention.start,
            end=mention.end,
        )
        .exclude(pk=mention.pk)
        .exists()
    ):
        raise WriteRefused("entity", ALREADY_THERE)
    mention.status = ReviewStatus.CONFIRMED
    mention.reviewed_by, mention.reviewed_at = user, timezone.now()
    mention._history_user = user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            mention.save()
    except IntegrityError as error:
        # The same correction by two analysts at once: the unique rule caught the second.
        raise WriteRefused("entity", ALREADY_THERE) from error
    return mention
