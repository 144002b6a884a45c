"""Adjudication: analysts' finished versions of an article settled into gold.

Gold is quotes and stances with origin `gold`, each written by an adjudicator (a lead or
an admin) as a copy of the version they chose, or of it edited, and each settled unit is
an AdjudicationDecision (how, the versions it settled, the coder picked, the reason, who
and when; both keep their history). A unit every coder agrees on (same span, same fields)
is merged by itself; the others wait for a pick, an edit or "no gold unit". When every
unit of the article is settled, its agreement row says adjudicated (and the queue drops
it); a reopened unit puts it back.

Every function locks the article's agreement row for its transaction, so two
adjudicators settling the same article at once take turns, and checks before it writes:
a refused request changes nothing."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from annotations.models import AdjudicationDecision, ArticleAgreement, Quote, Stance
from annotations.selectors.adjudication import UnitView, adjudication_for
from annotations.selectors.team import blind_on
from annotations.services.agreement import agreement_refresh
from annotations.services.quotes import _kind
from annotations.services.stances import _polarity
from articles.models import Article, Origin, ReviewStatus
from articles.services.guards import entity_or_refused
from newsdesk import roles
from newsdesk.guards import NotAllowed, WriteRefused

How = AdjudicationDecision.How
QUOTE_CHANGES = ("speaker", "cue", "kind")
STANCE_CHANGES = ("holder", "target", "target_text", "polarity")
RELOAD = "This unit is no longer there: a coder changed their version. Reload the article."


def require_adjudicator(user: Any, article_id: int | None = None) -> None:
    """Leads and admins; and not on an article they code blind themselves and have not
    finished (they would see the other coders' work)."""
    if not roles.is_lead(user):
        raise NotAllowed("Only leads and admins adjudicate.")
    if article_id is not None and blind_on(user, article_id):
        raise NotAllowed(
            "You code this article blind yourself: mark it done before you adjudicate it."
        )


def _lock(article_id: int) -> None:
    """The article's agreement row, locked (created first when missing); a missing
    article is Article.DoesNotExist before anything is written."""
    if not Article.objects.filter(pk=article_id).exists():
        raise Article.DoesNotExist(f"There is no article {article_id}.")
    ArticleAgreement.objects.get_or_create(
        article_id=article_id, defaults={"computed_at": timezone.now()}
    )
    ArticleAgreement.objects.select_for_update().filter(article_id=article_id).first()


def _gold_copy(unit: UnitView, coder_id: int, user: Any) -> Quote | Stance:
    """The coder's version of the unit as a new gold row (not yet saved)."""
    item = next(v.item for v in unit.versions if v.coder.id == coder_id and v.item)
    shared: dict[str, Any] = {"origin": Origin.GOLD, "status": ReviewStatus.CONFIRMED}
    if unit.kind == "quote":
        quote = Quote.objects.get(pk=item.id)
        return Quote(
            article_id=quote.article_id,
            start=quote.start,
            end=quote.end,
            exact=quote.exact,
            prefix=quote.prefix,
            suffix=quote.suffix,
            speaker_id=quote.speaker_id,
            speaker_start=quote.speaker_start,
            speaker_end=quote.speaker_end,
            cue=quote.cue,
            cue_start=quote.cue_start,
            cue_end=quote.cue_end,
            kind=quote.kind,
            created_by=user,
            **shared,
        )
    stance = Stance.objects.get(pk=item.id)
    return Stance(
        article_id=stance.article_id,
        start=stance.start,
        end=stance.end,
        exact=stance.exact,
        prefix=stance.prefix,
        suffix=stance.suffix,
        holder_id=stance.holder_id,
        target_entity_id=stance.target_entity_id,
        target_text=stance.target_text,
        polarity_id=stance.polarity_id,
        note=stance.note,
        created_by=user,
        **shared,
    )


def _edited(row: Quote | Stance, changes: dict[str, Any]) -> None:
    """The adjudicator's edit of the chosen version, checked field by field."""
    allowed = QUOTE_CHANGES if isinstance(row, Quote) else STANCE_CHANGES
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise WriteRefused(unknown[0], f"An edit changes {', '.join(allowed)}; not {unknown}.")
    if isinstance(row, Quote):
        if "speaker" in changes:
            row.speaker = entity_or_refused(changes["speaker"], "speaker")
        if "cue" in changes:
            row.cue = (changes["cue"] or "").strip()
        if "kind" in changes:
            row.kind = _kind(changes["kind"])
        return
    if "holder" in changes:
        holder = entity_or_refused(changes["holder"], "holder")
        if holder is None:
            raise WriteRefused("holder", "A stance needs a holder.")
        row.holder = holder
    if "target" in changes:
        row.target_entity = entity_or_refused(changes["target"], "target")
    if "target_text" in changes:
        row.target_text = (changes["target_text"] or "").strip()
    if "polarity" in changes:
        row.polarity = _polarity(changes["polarity"])
    if row.target_entity_id is None and not row.target_text:
        raise WriteRefused("target", "A stance needs a target entity or a target topic.")


def _drop_gold(decision: AdjudicationDecision, user: Any) -> None:
    for gold in (decision.gold_quote, decision.gold_stance):
        if gold is not None:
            gold._history_user = user  # type: ignore[union-attr]
            gold.delete()


def _record(
    unit: UnitView,
    *,
    article_id: int,
    user: Any,
    how: str,
    gold: Quote | Stance | None,
    picked: int | None,
    reason: str,
) -> AdjudicationDecision:
    decision = unit.decision or AdjudicationDecision(article_id=article_id, kind=unit.kind)
    decision.how = how
    decision.versions = {str(v.coder.id): v.item.id for v in unit.versions if v.item}
    decision.picked_analyst_id = picked
    decision.gold_quote = gold if isinstance(gold, Quote) else None
    decision.gold_stance = gold if isinstance(gold, Stance) else None
    decision.reason = reason.strip()
    decision.decided_by = user
    decision._history_user = user  # type: ignore[attr-defined]
    decision.save()
    return decision


def _finish(article_id: int, user: Any, *, done: bool) -> None:
    """Mark the article adjudicated when every unit is settled (or not, when one is open):
    `done` is the caller's count, from the units it read under the lock."""
    ArticleAgreement.objects.filter(article_id=article_id).update(
        adjudicated_at=timezone.now() if done else None,
        adjudicated_by=user if done else None,
    )


def _saved(row: Quote | Stance, user: Any) -> Quote | Stance:
    row._history_user = user  # type: ignore[union-attr]
    row.save()
    return row


@transaction.atomic
def adjudication_merge_agreed(*, user: Any, article_id: int) -> int:
    """Gold for every unit all coders agree on that has no decision yet: idempotent.
    Returns how many units it merged. The article's agreement row is refreshed first
    (coders may have changed finished work since they marked it done)."""
    require_adjudicator(user, article_id)
    agreement_refresh(article_ids=[article_id])
    _lock(article_id)
    view = adjudication_for(article_id)
    if len(view.coders) < 2:
        # One finished version agrees with itself: nothing to adjudicate yet.
        return 0
    merged = 0
    for unit in view.units:
        if not unit.agreed or unit.decision is not None:
            continue
        gold = _saved(_gold_copy(unit, unit.versions[0].coder.id, user), user)
        _record(
            unit,
            article_id=article_id,
            user=user,
            how=How.AGREED,
            gold=gold,
            picked=None,
            reason="",
        )
        merged += 1
    if merged:
        _finish(article_id, user, done=view.open == merged)
    return merged


@transaction.atomic
def adjudication_settle(
    *,
    user: Any,
    article_id: int,
    kind: str,
    unit_key: str,
    pick: int | None = None,
    drop: bool = False,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AdjudicationDecision:
    """Settle one unit: gold is the `pick`ed coder's version, or it edited (`changes`,
    on the picked version or else the first coder's), or nothing (`drop`). A unit settled
    before is settled again (its old gold row goes). `reason` is kept with it."""
    require_adjudicator(user, article_id)
    _lock(article_id)
    view = adjudication_for(article_id)
    if len(view.coders) < 2:
        raise WriteRefused("unit", "Adjudication needs two finished versions or more.")
    unit = view.unit(unit_key)
    if unit is None or unit.kind != kind:
        raise WriteRefused("unit", RELOAD)
    if drop and (pick is not None or changes):
        raise WriteRefused("drop", "Drop the unit, or pick or edit a version: not both.")
    if not drop and pick is None and not changes:
        raise WriteRefused("pick", "Pick a version, edit one, or drop the unit.")
    present = [v.coder.id for v in unit.versions if v.item]
    if pick is not None and pick not in present:
        raise WriteRefused("pick", f"Coder {pick} has no version of this unit.")
    gold: Quote | Stance | None = None
    how = How.DROPPED
    if not drop:
        gold = _gold_copy(unit, pick if pick is not None else present[0], user)
        how = How.PICKED
        if changes:
            _edited(gold, changes)
            how = How.EDITED
    if unit.decision is not None:
        _drop_gold(unit.decision, user)
    if gold is not None:
        _saved(gold, user)
    was_open = unit.decision is None
    decision = _record(
        unit, article_id=article_id, user=user, how=how, gold=gold, picked=pick, reason=reason
    )
    _finish(article_id, user, done=view.open == (1 if was_open else 0))
    return decision


@transaction.atomic
def adjudication_reopen(*, user: Any, article_id: int, unit_key: str) -> None:
    """Undo a unit's settlement: its decision and gold row go (both into history). A
    decision whose versions changed since (an orphan) is named `decision-<id>`."""
    require_adjudicator(user, article_id)
    _lock(article_id)
    view = adjudication_for(article_id)
    unit = view.unit(unit_key)
    decision = unit.decision if unit is not None else None
    if decision is None and unit_key.startswith("decision-"):
        decision = next((d for d in view.orphans if f"decision-{d.pk}" == unit_key), None)
    if decision is None:
        raise WriteRefused("unit", "This unit is not settled.")
    _drop_gold(decision, user)
    decision._history_user = user  # type: ignore[attr-defined]
    decision.delete()
    # A unit reopened is open; an orphan's decision was never one of the units.
    _finish(article_id, user, done=unit is None and bool(view.units) and view.open == 0)
