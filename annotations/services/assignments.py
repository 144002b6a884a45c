"""Assignments: who codes which article, given out in rounds by a lead (or an admin).

How a round shares its articles out (the same inputs give the same assignments again):

- The articles are taken in the order given (the article list's order for a selection),
  each once; the analysts in id order, whatever order they were given in.
- Overlap: `round(overlap_share * n)` of the n articles (halves rounded up) are coded by
  `max(k, overlap_analysts)` analysts, for calibration; the others by `k`. Which ones is
  `random.Random(seed).sample` of their positions, whatever the strategy.
- Round-robin: a pointer walks the analysts in a circle; each article takes the next
  analysts from it, one per coder it needs. Loads differ by one article at most.
- Random: `random.Random(seed)` (the same generator, after the overlap's draw) shuffles
  the analysts for each article, and the article takes those with the fewest articles so
  far in the round, the shuffle breaking ties: random, and still balanced.
- The plan does not look at what analysts already have: an (article, analyst) pair
  already live is skipped, not given to someone else, and the result counts it.

Unassigning keeps the row: the assignment is marked returned (`returned_at`), for the
record, and the article may be assigned to that analyst again. Finished work is never
returned: a lead reopens it first, which the analyst sees in their queue.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from annotations.models import Assignment, AssignmentMode, AssignmentRound
from annotations.services.agreement import agreement_refresh
from articles.models import Article
from newsdesk import roles
from newsdesk.guards import NotAllowed, WriteRefused

# A round's articles at most: a bigger selection is refused with a message to narrow it.
MAX_ROUND_ARTICLES = 20_000
MAX_RETURN_DAYS = 3650
MAX_SEED = 2**63 - 1


@dataclass
class RoundResult:
    round: AssignmentRound
    articles: int  # in the selection
    overlap_articles: int  # of those, coded by more than one analyst for calibration
    assigned: int  # assignments made
    skipped: int  # (article, analyst) pairs the analyst already had live
    per_analyst: dict[int, int] = field(default_factory=dict)  # analyst id: assignments made


def require_lead(user: Any) -> None:
    if not roles.is_lead(user):
        raise NotAllowed("Only leads and admins may assign work.")


def analysts_by_id(ids: Sequence[int], *, field: str = "analysts") -> dict[int, Any]:
    """The active analysts with these ids (one query); an id that is not one is refused."""
    wanted = sorted(set(ids))
    found = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(
            pk__in=wanted, is_active=True, is_superuser=False, groups__name=roles.ANALYST
        )
        .only("pk", "username")
    }
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise WriteRefused(
            field, f"Not an active analyst: user {', '.join(str(pk) for pk in missing)}."
        )
    return found


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise WriteRefused(field, f"One of {allowed}, not {value!r}.")
    return value


def _checked_round(
    *,
    article_ids: Sequence[int],
    analyst_ids: Sequence[int],
    mode: str,
    k: int,
    overlap_share: float,
    overlap_analysts: int,
    strategy: str,
    seed: int,
    return_after_days: int | None,
    label: str,
) -> tuple[list[int], list[int]]:
    """The articles (each once, in order) and the analysts (in id order); a bad field is
    refused before anything is read but the rows that must exist."""
    _choice(mode, AssignmentMode, "mode")
    _choice(strategy, AssignmentRound.Strategy, "strategy")
    if len(label) > 200:
        raise WriteRefused("label", "At most 200 characters.")
    if not -MAX_SEED - 1 <= seed <= MAX_SEED:
        raise WriteRefused("seed", "A whole number that fits in 64 bits.")
    if return_after_days is not None and not 1 <= return_after_days <= MAX_RETURN_DAYS:
        raise WriteRefused("return_after_days", f"From 1 to {MAX_RETURN_DAYS} days, or none.")
    articles = list(dict.fromkeys(article_ids))
    if not articles:
        raise WriteRefused("articles", "The selection holds no article.")
    if len(articles) > MAX_ROUND_ARTICLES:
        raise WriteRefused(
            "articles",
            f"{len(articles)} articles: a round takes {MAX_ROUND_ARTICLES} at most; "
            "narrow the selection.",
        )
    analysts = sorted(set(analyst_ids))
    if not analysts:
        raise WriteRefused("analysts", "Pick at least one analyst.")
    if not 1 <= k <= len(analysts):
        raise WriteRefused(
            "k", f"From 1 to the number of analysts picked ({len(analysts)}), not {k}."
        )
    if not 0 <= overlap_share <= 1:
        raise WriteRefused("overlap_share", "A share from 0 to 1.")
    if overlap_analysts < 2:
        raise WriteRefused("overlap_analysts", "At least 2: overlap is for comparing coders.")
    if overlap_share > 0 and overlap_analysts > len(analysts):
        raise WriteRefused(
            "overlap_analysts",
            f"{overlap_analysts} coders per overlap article, but only {len(analysts)} "
            "analysts are picked.",
        )
    analysts_by_id(analysts)
    known = set(Article.objects.filter(pk__in=articles).values_list("pk", flat=True))
    unknown = [pk for pk in articles if pk not in known]
    if unknown:
        shown = ", ".join(str(pk) for pk in unknown[:10])
        raise WriteRefused("articles", f"There is no article {shown}.")
    return articles, analysts


def round_plan(
    *,
    article_ids: Sequence[int],
    analyst_ids: Sequence[int],
    k: int,
    overlap_share: float,
    overlap_analysts: int,
    strategy: str,
    seed: int,
) -> tuple[list[tuple[int, int]], int]:
    """The (article, analyst) pairs of a round, in order, and how many articles overlap
    (see the module's docstring). Pure: no database."""
    n = len(article_ids)
    rng = random.Random(seed)  # noqa: S311 (reproducible by design, not a secret)
    overlap_count = int(overlap_share * n + 0.5)
    overlapping = set(rng.sample(range(n), overlap_count))
    wide = max(k, overlap_analysts)
    pairs: list[tuple[int, int]] = []
    load = dict.fromkeys(analyst_ids, 0)
    pointer = 0
    for position, article in enumerate(article_ids):
        coders = wide if position in overlapping else k
        if strategy == AssignmentRound.Strategy.ROUND_ROBIN:
            chosen = [analyst_ids[(pointer + i) % len(analyst_ids)] for i in range(coders)]
            pointer = (pointer + coders) % len(analyst_ids)
        else:
            shuffled = rng.sample(list(analyst_ids), len(analyst_ids))
            chosen = sorted(shuffled, key=lambda analyst: load[analyst])[:coders]
        for analyst in chosen:
            load[analyst] += 1
            pairs.append((article, analyst))
    return pairs, overlap_count


def assignment_round_create(
    *,
    user: Any,
    article_ids: Sequence[int],
    analyst_ids: Sequence[int],
    mode: str = AssignmentMode.BLIND,
    k: int = 1,
    overlap_share: float = 0.0,
    overlap_analysts: int = 2,
    strategy: str = AssignmentRound.Strategy.ROUND_ROBIN,
    seed: int = 0,
    return_after_days: int | None = None,
    selection: str = "",
    label: str = "",
) -> RoundResult:
    """Share the articles (in order) among the analysts: k analysts per article, a share
    coded by `overlap_analysts` for calibration, round-robin or at random (reproducibly:
    see the module's docstring). Leads and admins only. Pairs already live are skipped."""
    require_lead(user)
    articles, analysts = _checked_round(
        article_ids=article_ids,
        analyst_ids=analyst_ids,
        mode=mode,
        k=k,
        overlap_share=overlap_share,
        overlap_analysts=overlap_analysts,
        strategy=strategy,
        seed=seed,
        return_after_days=return_after_days,
        label=label,
    )
    pairs, overlap_count = round_plan(
        article_ids=articles,
        analyst_ids=analysts,
        k=k,
        overlap_share=overlap_share,
        overlap_analysts=overlap_analysts,
        strategy=strategy,
        seed=seed,
    )
    now = timezone.now()
    due_at = now + timedelta(days=return_after_days) if return_after_days else None
    try:
        with transaction.atomic():
            live = set(
                Assignment.objects.filter(
                    article_id__in=articles, analyst_id__in=analysts, returned_at__isnull=True
                ).values_list("article_id", "analyst_id")
            )
            round_ = AssignmentRound(
                label=label,
                mode=mode,
                strategy=strategy,
                seed=seed,
                analysts_per_article=k,
                overlap_share=overlap_share,
                overlap_analysts=overlap_analysts,
                return_after_days=return_after_days,
                selection=selection,
                created_by=user,
            )
            round_._history_user = user  # type: ignore[attr-defined]
            round_.save()
            made = [
                Assignment(
                    article_id=article,
                    analyst_id=analyst,
                    round=round_,
                    mode=mode,
                    assigned_by=user,
                    due_at=due_at,
                )
                for article, analyst in pairs
                if (article, analyst) not in live
            ]
            bulk_create_with_history(made, Assignment, batch_size=1000, default_user=user)
    except IntegrityError as error:
        # Another lead gave one of these pairs out between our read and our insert.
        raise WriteRefused(
            "articles",
            "Some of these articles were assigned to the same analysts meanwhile; "
            "nothing was assigned. Try again.",
        ) from error
    per_analyst = dict.fromkeys(analysts, 0)
    for assignment in made:
        per_analyst[assignment.analyst_id] += 1
    return RoundResult(
        round=round_,
        articles=len(articles),
        overlap_articles=overlap_count,
        assigned=len(made),
        skipped=len(pairs) - len(made),
        per_analyst=per_analyst,
    )


def _locked(assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("analyst")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Assignment.DoesNotExist(f"There is no assignment {assignment_id}.")
    return assignment


def _saved(assignment: Assignment, user: Any, *fields: str) -> Assignment:
    assignment._history_user = user  # type: ignore[attr-defined]
    assignment.save(update_fields=[*fields, "updated_at"])
    return assignment


def _require_live_open(assignment: Assignment, doing: str) -> None:
    if assignment.returned_at is not None:
        raise WriteRefused(
            "assignment", f"This assignment was returned; there is nothing to {doing}."
        )
    if assignment.done_at is not None:
        raise WriteRefused(
            "assignment",
            f"{assignment.analyst.get_username()} marked this article done on "
            f"{timezone.localtime(assignment.done_at):%Y-%m-%d %H:%M}: reopen it first "
            f"to {doing} it.",
        )


@transaction.atomic
def assignment_unassign(*, user: Any, assignment_id: int) -> Assignment:
    """Take an open assignment back: it is marked returned (kept for the record), and the
    article may be assigned again. Done work is refused: reopen it first."""
    require_lead(user)
    assignment = _locked(assignment_id)
    _require_live_open(assignment, "unassign")
    assignment.returned_at = timezone.now()
    return _saved(assignment, user, "returned_at")


@transaction.atomic
def assignment_reassign(*, user: Any, assignment_id: int, analyst_id: int) -> Assignment:
    """Give an open assignment to another analyst: the old one is returned, a new one made
    with the same round, mode and due time. Returns the new one."""
    require_lead(user)
    assignment = _locked(assignment_id)
    _require_live_open(assignment, "reassign")
    if analyst_id == assignment.analyst_id:
        raise WriteRefused("analyst", "This analyst already has this assignment.")
    analyst = analysts_by_id([analyst_id], field="analyst")[analyst_id]
    if Assignment.objects.filter(
        article_id=assignment.article_id, analyst_id=analyst_id, returned_at__isnull=True
    ).exists():
        raise WriteRefused("analyst", f"{analyst.get_username()} already has this article.")
    assignment.returned_at = timezone.now()
    _saved(assignment, user, "returned_at")
    new = Assignment(
        article_id=assignment.article_id,
        analyst=analyst,
        round_id=assignment.round_id,
        mode=assignment.mode,
        assigned_by=user,
        due_at=assignment.due_at,
    )
    new._history_user = user  # type: ignore[attr-defined]
    new.save()
    return new


def _require_analyst_or_lead(user: Any, assignment: Assignment) -> None:
    if roles.role_of(user) == roles.ANALYST and user.pk == assignment.analyst_id:
        return
    if not roles.is_lead(user):
        raise NotAllowed("Only the analyst it is for, a lead or an admin may change this.")


@transaction.atomic
def assignment_done(*, user: Any, assignment_id: int) -> Assignment:
    """The analyst (or a lead for them) marks the article done. Done twice is done once."""
    assignment = _locked(assignment_id)
    _require_analyst_or_lead(user, assignment)
    if assignment.returned_at is not None:
        raise WriteRefused("assignment", "This assignment was returned; it cannot be done.")
    if assignment.done_at is not None:
        return assignment
    assignment.done_at = timezone.now()
    _saved(assignment, user, "done_at")
    # Its finished versions changed: the article's agreement (and adjudication queue) row.
    agreement_refresh(article_ids=[assignment.article_id])
    return assignment


@transaction.atomic
def assignment_reopen(*, user: Any, assignment_id: int) -> Assignment:
    """Open finished work again (the analyst, or a lead). Reopening open work changes
    nothing."""
    assignment = _locked(assignment_id)
    _require_analyst_or_lead(user, assignment)
    if assignment.returned_at is not None:
        raise WriteRefused("assignment", "This assignment was returned; it cannot be reopened.")
    if assignment.done_at is None:
        return assignment
    assignment.done_at = None
    _saved(assignment, user, "done_at")
    agreement_refresh(article_ids=[assignment.article_id])
    return assignment


def assignments_return_overdue(*, now: datetime | None = None) -> int:
    """Mark returned every open assignment past its due time; returns how many. Safe to
    run twice or at once: rows are claimed with SKIP LOCKED and the filter re-checked."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = list(
            Assignment.objects.select_for_update(skip_locked=True).filter(
                returned_at__isnull=True, done_at__isnull=True, due_at__lt=now
            )
        )
        for assignment in overdue:
            assignment.returned_at = now
            assignment.updated_at = now
        if overdue:
            bulk_update_with_history(
                overdue,
                Assignment,
                ["returned_at", "updated_at"],
                batch_size=1000,
                default_change_reason="past due",
            )
    return len(overdue)
