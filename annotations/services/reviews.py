"""Reviews of the machine's suggestions as undoable actions: accept or reject one
suggestion or many at once (the reader's bulk review), and undo the last one.

`suggestions_review` records each decision exactly as the one-at-a-time review does, by
calling the same functions row by row (guards.reviewed for mentions, and for quotes and
stances decisions.suggestion_reviewed, which keeps each analyst's own decision and the
blind-coding rules), all in one transaction with the rows locked: either every listed row
is reviewed or none is. It journals the action (ReviewAction) with each touched row's
state before and after, which is what `review_undo` restores: only for the analyst who
acted, and only while every touched row is still as the action left it."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

from annotations.models import Quote, QuoteDecision, ReviewAction, Stance, StanceDecision
from annotations.selectors import team
from annotations.selectors.reader import describe_suggestions
from annotations.services.decisions import suggestion_reviewed
from articles.models import Mention, Origin, ReviewStatus
from articles.services.guards import REVIEWS, reviewed
from newsdesk.guards import (
    NotAllowed,
    PreconditionFailed,
    WriteRefused,
    require_annotator,
)

# At most this many suggestions in one action: an article has dozens, a request for
# thousands is a mistake (and would hold row locks for long).
MAX_ITEMS = 1000
# The journal keeps each analyst's latest actions; older ones can no longer be undone.
KEPT_PER_ANALYST = 50

KEY = re.compile(r"^(mention|quote|stance)-([1-9][0-9]{0,17})$")
MODELS: dict[str, type[Model]] = {"mention": Mention, "quote": Quote, "stance": Stance}
DECISIONS: dict[str, type[QuoteDecision] | type[StanceDecision]] = {
    "quote": QuoteDecision,
    "stance": StanceDecision,
}
RELATED = {"mention": ("entity",), "quote": ("speaker",), "stance": ("holder", "target_entity")}


@dataclass(frozen=True, slots=True)
class ItemRef:
    """A suggestion as the reader names it: `mention-12`."""

    kind: str
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


def item_refs(keys: Sequence[str]) -> list[ItemRef]:
    """The reader's keys parsed, refused in words when one is not a key or is given
    twice."""
    refs: list[ItemRef] = []
    seen: set[str] = set()
    for key in keys:
        match = KEY.match(key) if isinstance(key, str) else None
        if match is None:
            raise WriteRefused(
                "items",
                f"{key!r} is not a suggestion's key: mention-<id>, quote-<id> or stance-<id>.",
            )
        if key in seen:
            raise WriteRefused("items", f"{key} is listed twice.")
        seen.add(key)
        refs.append(ItemRef(match.group(1), int(match.group(2))))
    return refs


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _row_state(row: Any) -> dict[str, Any]:
    return {
        "status": row.status,
        "reviewed_by": row.reviewed_by_id,
        "reviewed_at": _time(row.reviewed_at),
        "updated_at": _time(row.updated_at),
    }


def _decision_state(decision: Any) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "id": decision.pk,
        "verdict": decision.verdict,
        "correction": decision.correction_id,
        "updated_at": _time(decision.updated_at),
    }


def _locked_rows(kind: str, ids: list[int], user: Any) -> dict[int, Any]:
    """The rows of one kind, locked, that the user may see (a quote or stance hidden by
    blind coding is as good as missing)."""
    rows = (
        MODELS[kind]._default_manager.select_for_update(of=("self",)).select_related(*RELATED[kind])
    )
    if kind != "mention":
        rows = team.visible(rows, user)
    return {row.pk: row for row in rows.filter(pk__in=ids).order_by("pk")}


def _decisions(kind: str, ids: list[int], user: Any) -> dict[int, Any]:
    if kind not in DECISIONS or not ids:
        return {}
    found = (
        DECISIONS[kind].objects.select_for_update().filter(analyst=user, **{f"{kind}_id__in": ids})
    )
    return {getattr(d, f"{kind}_id"): d for d in found}


def _who(row: Any) -> str:
    reviewer = getattr(row, "reviewed_by", None)
    return f" by {reviewer.get_username()}" if reviewer is not None else ""


@transaction.atomic
def suggestions_review(
    *,
    user: Any,
    article_id: int,
    items: Sequence[str],
    status: str,
    only_suggested: bool = True,
    if_match: str | None = None,
) -> ReviewAction:
    """Accept (confirmed) or reject (rejected) the listed suggestions of one article (the
    reader's keys: `mention-12`), as one undoable action. With `only_suggested` (the
    reader's bulk review) every one must still be a suggestion as the user sees it; a
    single review through the rows' own endpoints may also change an earlier decision.
    `if_match` is for a single row. Refused in words, changing nothing, when a key is bad,
    a row is missing, in another article, hidden, already reviewed, or not the user's to
    review."""
    require_annotator(user)
    if status not in REVIEWS:
        raise WriteRefused("verdict", "A review accepts (confirmed) or rejects (rejected).")
    refs = item_refs(items)
    if not refs:
        raise WriteRefused("items", "List at least one suggestion to review.")
    if len(refs) > MAX_ITEMS:
        raise WriteRefused(
            "items", f"{len(refs)} suggestions at once is too many: at most {MAX_ITEMS}."
        )
    if if_match is not None and len(refs) > 1:
        raise WriteRefused("items", "If-Match names one row: review one suggestion with it.")
    by_kind: dict[str, list[int]] = {}
    for ref in refs:
        by_kind.setdefault(ref.kind, []).append(ref.id)
    rows = {kind: _locked_rows(kind, ids, user) for kind, ids in by_kind.items()}
    missing = [ref.key for ref in refs if ref.id not in rows[ref.kind]]
    if missing:
        raise ObjectDoesNotExist(
            f"There is no {', '.join(missing[:5])}{' and more' if len(missing) > 5 else ''} "
            "(deleted, or not yours to see); nothing was reviewed."
        )
    elsewhere = [ref.key for ref in refs if rows[ref.kind][ref.id].article_id != article_id]
    if elsewhere:
        raise WriteRefused("items", f"{', '.join(elsewhere)}: not in article {article_id}.")
    if "mention" in rows and settings.MENTION_WRITE_CHECK:
        # The team's rules on mentions, as mention_review applies them (blind coding).
        import_string(settings.MENTION_WRITE_CHECK)(user=user, article_id=article_id)
    blind = team.blind_on(user, article_id)
    decisions = {kind: _decisions(kind, list(found), user) for kind, found in rows.items()}

    def shown_status(ref: ItemRef) -> str:
        row = rows[ref.kind][ref.id]
        if blind and ref.kind != "mention" and row.origin == Origin.MACHINE:
            mine = decisions[ref.kind].get(ref.id)
            if mine is None:
                return ReviewStatus.SUGGESTED
            return ReviewStatus.REJECTED if mine.verdict == "corrected" else mine.verdict
        return row.status

    if only_suggested:
        done = [ref for ref in refs if shown_status(ref) != ReviewStatus.SUGGESTED]
        if done:
            said = ", ".join(
                f"{ref.key} ({shown_status(ref)}{'' if blind else _who(rows[ref.kind][ref.id])})"
                for ref in done[:5]
            )
            more = f" and {len(done) - 5} more" if len(done) > 5 else ""
            # Reviewed by someone else since the reader showed them: stale, as If-Match.
            raise PreconditionFailed(
                f"{len(done)} of these {len(refs)} are no longer suggestions: {said}{more}. "
                "Nothing was reviewed; reload to see them as they are now."
            )
    before = {
        ref: {
            "row": _row_state(rows[ref.kind][ref.id]),
            "decision": _decision_state(decisions.get(ref.kind, {}).get(ref.id)),
        }
        for ref in refs
    }
    for ref in refs:
        row = rows[ref.kind][ref.id]
        if ref.kind == "mention":
            reviewed(row, user=user, status=status, if_match=if_match)
        else:
            suggestion_reviewed(row, user=user, status=status, if_match=if_match)
    # What the writes left, read back: the database's clock stamps updated_at.
    after_rows = {
        kind: {
            pk: state
            for pk, *state in MODELS[kind]
            ._default_manager.filter(pk__in=list(found))
            .values_list("pk", "status", "reviewed_by_id", "reviewed_at", "updated_at")
        }
        for kind, found in rows.items()
    }
    after_decisions = {kind: _decisions(kind, list(found), user) for kind, found in rows.items()}
    journal = []
    for ref in refs:
        status_now, reviewer, reviewed_at, updated_at = after_rows[ref.kind][ref.id]
        journal.append(
            {
                "kind": ref.kind,
                "id": ref.id,
                "before": before[ref],
                "after": {
                    "row": {
                        "status": status_now,
                        "reviewed_by": reviewer,
                        "reviewed_at": _time(reviewed_at),
                        "updated_at": _time(updated_at),
                    },
                    "decision": _decision_state(after_decisions.get(ref.kind, {}).get(ref.id)),
                },
            }
        )
    action = ReviewAction.objects.create(
        analyst=user,
        article_id=article_id,
        verdict=status,
        summary=describe_suggestions([(ref.kind, rows[ref.kind][ref.id]) for ref in refs]),
        rows=journal,
    )
    _prune(user)
    return action


def _prune(user: Any) -> None:
    """Forget the analyst's actions beyond the latest KEPT_PER_ANALYST."""
    oldest_kept = (
        ReviewAction.objects.filter(analyst=user)
        .order_by("-id")
        .values_list("id", flat=True)[KEPT_PER_ANALYST - 1 : KEPT_PER_ANALYST]
    )
    ReviewAction.objects.filter(analyst=user, id__lt=oldest_kept).delete()


def reviewed_rows(action: ReviewAction, kind: str) -> list[Any]:
    """The rows of one kind an action reviewed, for the answer to a single review."""
    ids = [entry["id"] for entry in action.rows if entry["kind"] == kind]
    return list(MODELS[kind]._default_manager.filter(pk__in=ids))


def _changed_since(entry: dict[str, Any], row: Any, decision: Any) -> str | None:
    """Why a journalled row may not be undone (it changed since the action), or None."""
    key = f"{entry['kind']}-{entry['id']}"
    after = entry["after"]
    if row is None:
        return f"{key} was deleted"
    # A row the action left as it was (a decision on an article coded blind) may have
    # been reviewed by others since: undoing the decision does not touch it.
    if entry["before"]["row"] != after["row"] and _row_state(row) != after["row"]:
        return f"{key} was changed since (now {row.status}{_who(row)})"
    if _decision_state(decision) != after["decision"]:
        return f"your decision on {key} was changed since"
    return None


@transaction.atomic
def review_undo(*, user: Any, action_id: int) -> ReviewAction:
    """Undo a review: every row it touched back to its state before, exactly (status,
    reviewer, review time; the analyst's decision restored, or removed when the action
    made it), recorded in each row's history as the analyst's change. Only the analyst
    who acted may undo, once, and only while every touched row is as the action left it;
    otherwise it is refused in words and nothing changes."""
    require_annotator(user)
    action = ReviewAction.objects.select_for_update().filter(pk=action_id).first()
    if action is None:
        raise ReviewAction.DoesNotExist(
            f"There is no review {action_id} to undo (only an analyst's latest "
            f"{KEPT_PER_ANALYST} are kept)."
        )
    if action.analyst_id != user.pk:
        raise NotAllowed("Only the analyst who made a review may undo it.")
    if action.undone_at is not None:
        raise PreconditionFailed(f"This review was already undone ({action.summary}).")
    by_kind: dict[str, list[int]] = {}
    for entry in action.rows:
        by_kind.setdefault(entry["kind"], []).append(entry["id"])
    rows: dict[str, dict[int, Any]] = {
        kind: {
            row.pk: row
            for row in MODELS[kind]
            ._default_manager.select_for_update(of=("self",))
            .select_related("reviewed_by")
            .filter(pk__in=ids)
        }
        for kind, ids in by_kind.items()
    }
    decisions = {kind: _decisions(kind, ids, user) for kind, ids in by_kind.items()}
    reasons = [
        reason
        for entry in action.rows
        if (
            reason := _changed_since(
                entry,
                rows[entry["kind"]].get(entry["id"]),
                decisions.get(entry["kind"], {}).get(entry["id"]),
            )
        )
    ]
    if reasons:
        said = "; ".join(reasons[:5]) + (
            f"; and {len(reasons) - 5} more" if len(reasons) > 5 else ""
        )
        raise PreconditionFailed(
            f"Nothing was undone: {said}. Undo restores only rows that are still as "
            f"“{action.verdict_words} {action.summary}” left them."
        )
    for entry in action.rows:
        kind, before, after = entry["kind"], entry["before"], entry["after"]
        row = rows[kind][entry["id"]]
        if before["row"] != after["row"]:
            row.status = before["row"]["status"]
            row.reviewed_by_id = before["row"]["reviewed_by"]
            reviewed_at = before["row"]["reviewed_at"]
            row.reviewed_at = parse_datetime(reviewed_at) if reviewed_at else None
            row._history_user = user
            row.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
        decision = decisions.get(kind, {}).get(entry["id"])
        if before["decision"] is None and decision is not None:
            decision._history_user = user
            decision.delete()
        elif before["decision"] is not None and decision is not None:
            decision.verdict = before["decision"]["verdict"]
            decision.correction_id = before["decision"]["correction"]
            decision._history_user = user
            decision.save()
    action.undone_at = timezone.now()
    action.save(update_fields=["undone_at"])
    return action
