"""Stances: who supports or opposes whom or what, with the span that says so.

Analysts create, change and delete their own; the machine's suggestions (origin machine,
status suggested) are reviewed like suggested quotes: any analyst accepts, rejects or
corrects one (a correction confirms it), recorded as its reviewer and in its history.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.models import Polarity, Quote, Stance
from annotations.selectors import team
from annotations.services.decisions import (
    correction_recorded,
    corrects_blind,
    suggestion_reviewed,
)
from articles.models import Article, Origin, ReviewStatus
from articles.services.guards import (
    Lookup,
    anchor_new_span,
    entity_name,
    entity_or_refused,
    found_entity,
    moved_span,
    require_corrector,
)
from newsdesk.guards import (
    WriteRefused,
    check_if_match,
    created_with_history,
    require_annotator,
    require_owner,
)

ONE_PER_QUOTE = "You already recorded a stance on this quote."


def _polarity(slug: str) -> Polarity:
    polarity = Polarity.objects.filter(slug=slug, is_active=True).first()
    if polarity is None:
        offered = ", ".join(Polarity.objects.filter(is_active=True).values_list("slug", flat=True))
        raise WriteRefused("polarity", f"{slug!r} is not in the vocabulary ({offered}).")
    return polarity


def _quote(quote_id: int | None, article: Article, user: Any) -> Quote | None:
    if quote_id is None:
        return None
    quote = team.visible(Quote.objects.filter(pk=quote_id), user).only("pk", "article_id").first()
    if quote is None:
        raise WriteRefused("quote", f"There is no quote {quote_id}.")
    if quote.article_id != article.pk:
        raise WriteRefused("quote", f"Quote {quote_id} is in another article.")
    return quote


def _check_target(stance: Stance) -> None:
    if stance.target_entity_id is None and not stance.target_text.strip():
        raise WriteRefused("target", "A stance needs a target entity or a target topic.")


def _save(stance: Stance, user: Any) -> Stance:
    stance._history_user = user  # type: ignore[attr-defined]
    try:
        if stance.pk is None:
            created_with_history(stance, user)  # one statement, atomic by itself
        else:
            with transaction.atomic():
                stance.save()
    except IntegrityError as error:
        # The only unique rule a valid stance can break (two requests at once).
        if stance.quote_id is not None:
            raise WriteRefused("quote", ONE_PER_QUOTE) from error
        raise
    return stance


def stance_create(
    *,
    user: Any,
    article_id: int,
    exact: str,
    holder_id: int,
    polarity: str,
    start: int | None = None,
    end: int | None = None,
    prefix: str = "",
    suffix: str = "",
    near: int | None = None,
    target_id: int | None = None,
    target_text: str = "",
    note: str = "",
    quote_id: int | None = None,
) -> Stance:
    """An analyst's stance, on a span given in either form (guards). One query checks
    the span and looks up the holder, the target, the polarity and the quote; then the
    insert and its history."""
    require_annotator(user)
    lookups: dict[str, Lookup] = {
        "holder_name": entity_name(holder_id),
        "target_name": entity_name(target_id),
        "polarity_id": (
            f"(SELECT id FROM {Polarity._meta.db_table} WHERE slug = %s AND is_active)",
            [polarity],
        ),
    }
    if quote_id is not None:
        hidden, hidden_params = team.hidden_sql(user, "q")
        lookups["quote_article"] = (
            f"(SELECT article_id FROM {Quote._meta.db_table} q WHERE id = %s AND NOT {hidden})",
            [quote_id, *hidden_params],
        )
        lookups["quote_taken"] = (
            f"EXISTS (SELECT 1 FROM {Stance._meta.db_table} "
            "WHERE created_by_id = %s AND quote_id = %s)",
            [user.pk, quote_id],
        )
    anchor = anchor_new_span(
        article_id=article_id,
        start=start,
        end=end,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        near=near,
        lookups=lookups,
    )
    found = anchor.values
    holder = found_entity(holder_id, found["holder_name"], "holder")
    target = found_entity(target_id, found["target_name"], "target")
    if found["polarity_id"] is None:
        _polarity(polarity)  # says what the vocabulary offers
    if quote_id is not None:
        if found["quote_article"] is None:
            raise WriteRefused("quote", f"There is no quote {quote_id}.")
        if found["quote_article"] != article_id:
            raise WriteRefused("quote", f"Quote {quote_id} is in another article.")
        if found["quote_taken"]:
            raise WriteRefused("quote", ONE_PER_QUOTE)
    selector = anchor.selector
    stance = Stance(
        article_id=article_id,
        start=anchor.start,
        end=anchor.end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        quote_id=quote_id,
        holder=holder,
        target_entity=target,
        target_text=target_text.strip(),
        polarity=Polarity(pk=found["polarity_id"], slug=polarity),
        note=note,
        created_by=user,
    )
    _check_target(stance)
    return _save(stance, user)


@transaction.atomic
def stance_update(
    *, user: Any, stance_id: int, changes: dict[str, Any], if_match: str | None = None
) -> Stance:
    """Change any of a stance's span, holder, target (`target` an entity id or None,
    `target_text`), polarity (a slug), note or quote. A corrected machine suggestion is
    confirmed by the analyst who corrected it; on an article the analyst codes blind, the
    suggestion stays as it was and the corrected one is the analyst's own new stance."""
    stance = _locked(stance_id)
    require_corrector(user, stance)
    check_if_match(stance, if_match)
    blind = corrects_blind(stance, user)
    original = Stance(pk=stance.pk, article_id=stance.article_id, origin=stance.origin)
    moved_span(stance, stance.article, changes)
    if "holder" in changes:
        if changes["holder"] is None:
            raise WriteRefused("holder", "A stance needs a holder.")
        stance.holder = entity_or_refused(changes["holder"], "holder")  # type: ignore[assignment]
    if "target" in changes:
        stance.target_entity = entity_or_refused(changes["target"], "target")
    if "target_text" in changes:
        stance.target_text = (changes["target_text"] or "").strip()
    if "polarity" in changes:
        stance.polarity = _polarity(changes["polarity"])
    if "note" in changes:
        stance.note = changes["note"] or ""
    if "quote" in changes:
        stance.quote = _quote(changes["quote"], stance.article, user)
        if (
            stance.quote is not None
            and Stance.objects.filter(
                created_by_id=user.pk if blind else stance.created_by_id, quote=stance.quote
            )
            .exclude(pk=stance.pk)
            .exists()
        ):
            raise WriteRefused("quote", ONE_PER_QUOTE)
    _check_target(stance)
    if blind:
        return correction_recorded(original, stance, user=user, save=_save)
    if stance.origin == Origin.MACHINE:
        if stance.status == ReviewStatus.SUGGESTED:
            stance.status = ReviewStatus.CONFIRMED
        stance.reviewed_by, stance.reviewed_at = user, timezone.now()
    return _save(stance, user)


@transaction.atomic
def stance_review(*, user: Any, stance_id: int, status: str, if_match: str | None = None) -> Stance:
    """Accept (confirmed) or reject (rejected) a stance (guards.reviewed says who may)."""
    return suggestion_reviewed(_locked(stance_id), user=user, status=status, if_match=if_match)


def _locked(stance_id: int) -> Stance:
    stance = (
        Stance.objects.select_for_update().select_related("article").filter(pk=stance_id).first()
    )
    if stance is None:
        raise Stance.DoesNotExist(f"There is no stance {stance_id}.")
    return stance


@transaction.atomic
def stance_delete(*, user: Any, stance_id: int, if_match: str | None = None) -> None:
    stance = Stance.objects.select_for_update().filter(pk=stance_id).first()
    if stance is None:
        raise Stance.DoesNotExist(f"There is no stance {stance_id}.")
    require_owner(user, stance)
    check_if_match(stance, if_match)
    stance._history_user = user  # type: ignore[attr-defined]
    stance.delete()
