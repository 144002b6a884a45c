"""Who sees whose work while articles are coded blind.

An analyst with a live, open, blind assignment on an article sees there the machine's
suggestions (with their own decisions on them) and their own work: no other analyst's
quotes, stances or notes, and no gold, until they mark the article done. Everyone else
(admins, api-clients, analysts not coding it blind) sees every layer. Mentions and
entities are the corpus's, shared by all, and not coded blind.

Every read path that shows quotes, stances or notes filters through here: the API's lists
and details (and so their CSV, JSONL and JSON-LD forms), the W3C feed, the reader, the
entity, story and overview pages and the article list's facets."""

from typing import Any, TypeVar

from django.db.models import Case, F, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from annotations.models import (
    Assignment,
    AssignmentMode,
    QuoteDecision,
    StanceDecision,
    Verdict,
)
from articles.models import Origin, ReviewStatus
from newsdesk import roles

M = TypeVar("M", bound=Model)


def codes_blind(user: Any) -> bool:
    """Whether blind rules may apply to the user at all: analysts (leads included).
    Admins see every layer."""
    return roles.role_of(user) == roles.ANALYST


def blind_articles(user: Any) -> QuerySet[Assignment, Any]:
    """The ids of the articles the user codes blind and has not finished, as a subquery
    (assignment_analyst_live_idx)."""
    return blind_articles_of(user.pk)


def blind_articles_of(analyst_id: int | None) -> QuerySet[Assignment, Any]:
    return Assignment.objects.filter(
        analyst_id=analyst_id,
        mode=AssignmentMode.BLIND,
        done_at__isnull=True,
        returned_at__isnull=True,
    ).values("article_id")


def blind_articles_sql(viewer: str) -> str:
    """`blind_articles_of` in SQL, the analyst's id given by the placeholder `viewer`
    ("%s", "%(viewer)s"), for the queries written by hand (the W3C feed, a write's
    lookups)."""
    return (
        f"SELECT article_id FROM {Assignment._meta.db_table} WHERE analyst_id = {viewer} "  # noqa: S608 (names from model meta)
        f"AND mode = '{AssignmentMode.BLIND.value}' AND done_at IS NULL AND returned_at IS NULL"
    )


def hidden_rows_sql(alias: str, viewer: str) -> str:
    """`hidden_from` in SQL for the quote, stance or note row `alias` (or a feed row),
    the analyst's id given by the placeholder `viewer`."""
    return (
        f"({alias}.origin <> '{Origin.MACHINE.value}' "
        f"AND {alias}.created_by_id IS DISTINCT FROM {viewer} "
        f"AND {alias}.article_id IN ({blind_articles_sql(viewer)}))"
    )


def blind_on(user: Any, article_id: int) -> bool:
    """Whether the user codes this article blind and has not finished it (one query)."""
    return codes_blind(user) and blind_articles(user).filter(article_id=article_id).exists()


def hidden_sql(user: Any, alias: str) -> tuple[str, list[Any]]:
    """`hidden_from` in SQL, for the quote or stance row `alias` (FALSE: none hidden)."""
    if not codes_blind(user):
        return "FALSE", []
    return hidden_rows_sql(alias, "%s"), [user.pk, user.pk]


def hidden_from(user: Any) -> Q | None:
    """The rows of quotes, stances or notes the user may not see (None: they see all)."""
    if not codes_blind(user):
        return None
    # Notes have no origin: a note is an analyst's.
    return (
        Q(article_id__in=blind_articles(user))
        & ~Q(created_by_id=user.pk)
        & ~Q(**{"origin": Origin.MACHINE})
    )


def visible(rows: QuerySet[M], user: Any) -> QuerySet[M]:
    """`rows` (quotes or stances) without what the user may not see."""
    hidden = hidden_from(user)
    return rows if hidden is None else rows.exclude(hidden)


def visible_notes(rows: QuerySet[M], user: Any) -> QuerySet[M]:
    """Notes without other analysts' on the user's blind articles."""
    if not codes_blind(user):
        return rows
    return rows.exclude(Q(article_id__in=blind_articles(user)) & ~Q(created_by_id=user.pk))


_DECISIONS: dict[str, type[Model]] = {"quote": QuoteDecision, "stance": StanceDecision}


def as_seen_by(rows: QuerySet[M], user: Any, kind: str) -> QuerySet[M]:
    """Quotes or stances annotated with `seen_status`: the status the user sees. On an
    article they code blind, a machine suggestion's status is their own decision
    (suggested until they make one; a suggestion they replaced by their own version is
    rejected for them), whatever anyone else decided; elsewhere its status."""
    if not codes_blind(user):
        return rows
    verdict = Subquery(
        _DECISIONS[kind]
        ._default_manager.filter(**{kind: OuterRef("pk")}, analyst_id=user.pk)
        .values("verdict")[:1]
    )
    mine = Case(
        When(Q(**{"verdict": Verdict.CORRECTED}), then=Value(ReviewStatus.REJECTED.value)),
        default=F("verdict"),
    )
    return rows.annotate(verdict=verdict).annotate(
        seen_status=Case(
            When(
                Q(origin=Origin.MACHINE, article_id__in=blind_articles(user)),
                then=Coalesce(mine, Value(ReviewStatus.SUGGESTED.value)),
            ),
            default=F("status"),
        )
    )
