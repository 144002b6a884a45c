"""Each analyst's own review of the machine's suggestions.

Every accept, reject or correction of a machine quote or stance is recorded as the
analyst's decision (QuoteDecision, StanceDecision: one per analyst per suggestion, with
its history). Where the analyst codes the article blind and has not finished it
(selectors.team.blind_on), the decision is all that changes: the suggestion's own status
stays as it was for everyone else, and a correction is the analyst's own copy of the
suggestion, with the changes, which only they see until they are done. Elsewhere the
review also sets the suggestion's status, as it always has, for everyone."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model

from annotations.models import Quote, QuoteDecision, Stance, StanceDecision, Verdict
from annotations.selectors.team import blind_on
from articles.models import Origin, ReviewStatus
from articles.services.guards import REVIEWS, require_corrector, reviewed
from newsdesk.guards import NotAllowed, WriteRefused, check_if_match

Row = TypeVar("Row", Quote, Stance)


def _record(row: Quote | Stance, *, user: Any, verdict: str, correction: Model | None) -> None:
    decision_model: type[QuoteDecision] | type[StanceDecision]
    if isinstance(row, Quote):
        decision_model, key = QuoteDecision, "quote"
    else:
        decision_model, key = StanceDecision, "stance"
    decision = decision_model.objects.filter(**{key: row}, analyst=user).first()
    if decision is None:
        decision = decision_model(**{key: row}, analyst=user)
    decision.verdict = verdict
    decision.correction = correction  # type: ignore[assignment]
    decision._history_user = user  # type: ignore[union-attr]
    decision.save()


def suggestion_reviewed(row: Row, *, user: Any, status: str, if_match: str | None) -> Row:
    """A row (locked by the caller) accepted or rejected by `user`. A machine suggestion's
    review is also the analyst's own decision; on an article they code blind it is only
    that, and the row comes back with the status they see (unsaved)."""
    if status not in REVIEWS:
        raise WriteRefused("status", "A review confirms or rejects.")
    require_corrector(user, row)
    check_if_match(row, if_match)
    if row.origin != Origin.MACHINE:
        return reviewed(row, user=user, status=status, if_match=None)
    _record(row, user=user, verdict=status, correction=None)
    if blind_on(user, row.article_id):
        row.status = status
        return row
    return reviewed(row, user=user, status=status, if_match=None)


def corrects_blind(row: Quote | Stance, user: Any) -> bool:
    """Whether a change `user` makes to `row` is their own version instead (a machine
    suggestion on an article they code blind)."""
    return row.origin == Origin.MACHINE and blind_on(user, row.article_id)


def correction_recorded(
    original: Row, copy: Row, *, user: Any, save: Callable[[Row, Any], Row] | None = None
) -> Row:
    """`copy` (the suggestion with the analyst's changes, not yet saved) stored as the
    analyst's own row (by `save`, when the row's service has its own), and their
    decision on the suggestion: corrected by it."""
    copy.pk = None
    copy._state.adding = True
    copy.origin = Origin.ANALYST
    copy.status = ReviewStatus.CONFIRMED
    copy.created_by = user
    copy.reviewed_by = None
    copy.reviewed_at = None
    if isinstance(copy, Quote):
        copy.statement = None
        copy.similarity = None
    copy._history_user = user  # type: ignore[attr-defined]
    if save is None:
        copy.save()
    else:
        save(copy, user)
    _record(original, user=user, verdict=Verdict.CORRECTED, correction=copy)
    return copy


def mention_write_check(*, user: Any, article_id: int) -> None:
    """Mentions are one layer that everyone coding an article shares: an analyst coding
    it blind does not review or correct them (the other coders would see it) until they
    mark it done (settings.MENTION_WRITE_CHECK)."""
    if blind_on(user, article_id):
        raise NotAllowed(
            "You code this article blind: its entity mentions are shared with the other "
            "coders, so they wait until you mark the article done."
        )
