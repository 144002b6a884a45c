"""Team work's reads: an analyst's queue ("My work") with their progress on each article,
and a lead's view of rounds and of every analyst's load.

An analyst's progress on an article: the items they made there (their own quotes and
stances) and the machine's suggestions they decided on (QuoteDecision, StanceDecision),
against the article's suggestions (machine quotes and stances). Every figure is a
correlated subquery on the row, never a query per row."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from annotations.models import (
    Assignment,
    AssignmentRound,
    Quote,
    QuoteDecision,
    Stance,
    StanceDecision,
)
from articles.models import Origin
from newsdesk import roles


def _count(rows: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of `rows` as a correlated scalar subquery (0 when none)."""
    counted = rows.order_by().values(group=Value(1)).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_progress(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Each assignment with `own_items`, `decided` and `suggestions` (see the module)."""
    article = OuterRef("article_id")
    analyst = OuterRef("analyst_id")
    return assignments.annotate(
        own_quotes=_count(
            Quote.objects.filter(article_id=article, created_by_id=analyst, origin=Origin.ANALYST)
        ),
        own_stances=_count(
            Stance.objects.filter(article_id=article, created_by_id=analyst, origin=Origin.ANALYST)
        ),
        quote_decisions=_count(
            QuoteDecision.objects.filter(analyst_id=analyst, quote__article_id=article)
        ),
        stance_decisions=_count(
            StanceDecision.objects.filter(analyst_id=analyst, stance__article_id=article)
        ),
        machine_quotes=_count(Quote.objects.filter(article_id=article, origin=Origin.MACHINE)),
        machine_stances=_count(Stance.objects.filter(article_id=article, origin=Origin.MACHINE)),
    ).annotate(
        own_items=F("own_quotes") + F("own_stances"),
        decided=F("quote_decisions") + F("stance_decisions"),
        suggestions=F("machine_quotes") + F("machine_stances"),
    )


@dataclass
class Queue:
    assignments: list[Assignment]  # open first (by due time), then done (latest first)
    total: int
    done: int

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def my_queue(analyst: Any) -> Queue:
    """The analyst's live assignments with their progress: one query."""
    rows = list(
        with_progress(
            Assignment.objects.filter(analyst=analyst, returned_at__isnull=True)
            .select_related("article__outlet", "round")
            .only(
                "article__title",
                "article__published_at",
                "article__date_stated",
                "article__outlet__name",
                "round__label",
                "mode",
                "due_at",
                "done_at",
                "created_at",
                "analyst_id",
            )
        ).order_by(
            F("done_at").desc(nulls_first=True),
            F("due_at").asc(nulls_last=True),
            "created_at",
            "pk",
        )
    )
    return Queue(rows, len(rows), sum(1 for row in rows if row.done_at is not None))


@dataclass
class AnalystLoad:
    analyst: Any
    open: int
    done: int
    overdue: int

    @property
    def total(self) -> int:
        return self.open + self.done


def team_load(now: Any) -> list[AnalystLoad]:
    """Every active analyst with their live assignments, open and done: one query."""
    live = Q(assignments__returned_at__isnull=True)
    analysts = (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, groups__name=roles.ANALYST)
        .annotate(
            open=Count("assignments", filter=live & Q(assignments__done_at__isnull=True)),
            done=Count("assignments", filter=live & Q(assignments__done_at__isnull=False)),
            overdue=Count(
                "assignments",
                filter=live & Q(assignments__done_at__isnull=True) & Q(assignments__due_at__lt=now),
            ),
        )
        .only("pk", "username")
        .order_by("username")
    )
    return [
        AnalystLoad(analyst, analyst.open, analyst.done, analyst.overdue) for analyst in analysts
    ]


def analysts() -> list[Any]:
    """The analysts work can be given to, by name: one query."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, groups__name=roles.ANALYST)
        .only("pk", "username")
        .order_by("username")
    )


ROUNDS_SHOWN = 20


def recent_rounds() -> list[AssignmentRound]:
    """The latest rounds with their assignments counted by state: one query."""
    return list(
        AssignmentRound.objects.select_related("created_by")
        .annotate(
            live=Count("assignments", filter=Q(assignments__returned_at__isnull=True)),
            done=Count("assignments", filter=Q(assignments__done_at__isnull=False)),
            returned=Count("assignments", filter=Q(assignments__returned_at__isnull=False)),
            article_count=Count("assignments__article", distinct=True),
        )
        .order_by("-created_at", "-pk")[:ROUNDS_SHOWN]
    )


def open_assignments(
    *, analyst_id: int | None = None, round_id: int | None = None
) -> QuerySet[Assignment]:
    """Live, unfinished assignments (what a lead may unassign or reassign), oldest due
    first, with their article, outlet and analyst."""
    rows = Assignment.objects.filter(returned_at__isnull=True, done_at__isnull=True)
    if analyst_id is not None:
        rows = rows.filter(analyst_id=analyst_id)
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    return (
        rows.select_related("article__outlet", "analyst")
        .only(
            "article__title",
            "article__outlet__name",
            "analyst__username",
            "mode",
            "due_at",
            "created_at",
            "round_id",
        )
        .order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")
    )
