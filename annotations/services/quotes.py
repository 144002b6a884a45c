"""Analysts' writes on quotes: tag one, correct it, review a suggestion, delete it.

Every function takes the acting user, checks (guards) before it writes, records the user
in the quote's history, and runs in one transaction with the row locked, so a stale write
(If-Match) or a refused one changes nothing.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from annotations.models import Quote
from annotations.services.decisions import (
    correction_recorded,
    corrects_blind,
    suggestion_reviewed,
)
from articles.models import Origin, ReviewStatus
from articles.services.guards import (
    anchor_new_span,
    check_inner_span,
    entity_name,
    entity_or_refused,
    found_entity,
    moved_span,
    require_corrector,
)
from newsdesk.guards import WriteRefused, check_if_match, require_annotator, require_owner

# Fields a PATCH may change, besides the span (either form: see guards.moved_span).
QUOTE_FIELDS = (
    "speaker",
    "speaker_start",
    "speaker_end",
    "cue",
    "cue_start",
    "cue_end",
    "kind",
)


def _kind(kind: str) -> str:
    if kind not in Quote.Kind.values:
        raise WriteRefused("kind", f"kind must be one of {', '.join(Quote.Kind.values)}.")
    return kind


def quote_create(
    *,
    user: Any,
    article_id: int,
    exact: str,
    start: int | None = None,
    end: int | None = None,
    prefix: str = "",
    suffix: str = "",
    near: int | None = None,
    speaker_id: int | None = None,
    speaker_start: int | None = None,
    speaker_end: int | None = None,
    cue: str = "",
    cue_start: int | None = None,
    cue_end: int | None = None,
    kind: str = Quote.Kind.DIRECT,
) -> Quote:
    """An analyst's quote, confirmed from the start, anchored to the article body: at
    start-end, or where `exact` is found with its prefix, suffix and near (guards). One
    query checks the span and finds the speaker; then the insert and its history."""
    require_annotator(user)
    anchor = anchor_new_span(
        article_id=article_id,
        start=start,
        end=end,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        near=near,
        lookups={"speaker_name": entity_name(speaker_id)},
    )
    check_inner_span(anchor.text_length, "speaker", speaker_start, speaker_end)
    check_inner_span(anchor.text_length, "cue", cue_start, cue_end)
    selector = anchor.selector
    quote = Quote(
        article_id=article_id,
        start=anchor.start,
        end=anchor.end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        speaker=found_entity(speaker_id, anchor.values["speaker_name"], "speaker"),
        speaker_start=speaker_start,
        speaker_end=speaker_end,
        cue=cue,
        cue_start=cue_start,
        cue_end=cue_end,
        kind=_kind(kind),
        origin=Origin.ANALYST,
        status=ReviewStatus.CONFIRMED,
        created_by=user,
    )
    quote._history_user = user  # type: ignore[attr-defined]
    quote.save()
    return quote


def _locked(quote_id: int) -> Quote:
    quote = Quote.objects.select_for_update().select_related("article").filter(pk=quote_id).first()
    if quote is None:
        raise Quote.DoesNotExist(f"There is no quote {quote_id}.")
    return quote


@transaction.atomic
def quote_update(
    *, user: Any, quote_id: int, changes: dict[str, Any], if_match: str | None = None
) -> Quote:
    """Change a quote's span, speaker, cue or kind. `changes` holds only the fields given;
    `speaker` is an entity id or None. A corrected machine suggestion is confirmed by the
    analyst who corrected it; on an article the analyst codes blind, the suggestion stays
    as it was and the corrected one is the analyst's own new quote (decisions)."""
    quote = _locked(quote_id)
    require_corrector(user, quote)
    check_if_match(quote, if_match)
    blind = corrects_blind(quote, user)
    original = Quote(pk=quote.pk, article_id=quote.article_id, origin=quote.origin)
    article = quote.article
    moved_span(quote, article, changes)
    for field in QUOTE_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        if field == "speaker":
            quote.speaker = entity_or_refused(value, "speaker")
        elif field == "kind":
            quote.kind = _kind(value)
        else:
            setattr(quote, field, value)
    check_inner_span(len(article.body), "speaker", quote.speaker_start, quote.speaker_end)
    check_inner_span(len(article.body), "cue", quote.cue_start, quote.cue_end)
    if blind:
        return correction_recorded(original, quote, user=user)
    if quote.origin == Origin.MACHINE and quote.status == ReviewStatus.SUGGESTED:
        quote.status = ReviewStatus.CONFIRMED
    if quote.origin == Origin.MACHINE:
        quote.reviewed_by, quote.reviewed_at = user, timezone.now()
    quote._history_user = user  # type: ignore[attr-defined]
    quote.save()
    return quote


@transaction.atomic
def quote_review(*, user: Any, quote_id: int, status: str, if_match: str | None = None) -> Quote:
    """Accept (confirmed) or reject (rejected) a quote (guards.reviewed says who may)."""
    return suggestion_reviewed(_locked(quote_id), user=user, status=status, if_match=if_match)


@transaction.atomic
def quote_delete(*, user: Any, quote_id: int, if_match: str | None = None) -> None:
    """Delete an analyst's quote (its author or an admin). Machine suggestions are
    rejected, not deleted, so that the extractor does not suggest them again; only an
    admin deletes one."""
    quote = _locked(quote_id)
    require_owner(user, quote)
    check_if_match(quote, if_match)
    quote._history_user = user  # type: ignore[attr-defined]
    quote.delete()
