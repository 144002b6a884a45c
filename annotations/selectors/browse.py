"""The article list: filters, ranked search, facets with counts, sorting, grouping by story.

Every count is one aggregate query, whatever the number of articles, mentions or
annotations; rows carry their counts as correlated subqueries, never per-row queries.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, overload

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, Right, RowNumber, Substr, TruncMonth
from django.utils import timezone

from annotations.models import (
    ArticleReview,
    Note,
    Quote,
    QuoteDecision,
    Stance,
    StanceDecision,
)
from articles.models import (
    Article,
    Entity,
    ImportFile,
    Mention,
    Origin,
    Outlet,
    ReviewStatus,
    Story,
)

PAGE_SIZE = 50
FACET_SIZE = 10  # values shown per facet: the top ones by count
MONTHS_SHOWN = 12  # the date facet: the most recent months with articles
RANK_LIMIT = 10_000  # matches a search ranks by relevance unless asked to rank more
GROUP_ARTICLES = 5  # articles shown under each story when grouped; a link leads to the rest
SEARCH_CONFIG = "english"


class AnnotationStatus(TextChoices):
    """How far analysts got with an article (the page's help text says the same):

    - untouched: no analyst has reviewed a suggestion or added anything (no confirmed or
      rejected quote or mention, no analyst quote or mention, no stance, no note);
    - done: something was reviewed or added, and no suggested quote or mention is left;
    - in progress: something was reviewed or added, and suggestions are still left.
    """

    UNTOUCHED = "untouched", "Untouched"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Sort(TextChoices):
    RELEVANCE = "relevance", "Relevance"
    NEWEST = "newest", "Newest"
    OLDEST = "oldest", "Oldest"
    TITLE = "title", "Title"
    QUOTES = "quotes", "Most quotes"


@dataclass(frozen=True)
class ArticleFilters:
    """The active filters; the empty value of each means "not filtered"."""

    q: str = ""
    outlet: int | None = None
    entity: int | None = None
    speaker: int | None = None
    story: int | None = None
    batch: int | None = None  # the import batch the article came in (or was found again)
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # Not filters but who looks: an analyst and the articles they code blind, unfinished
    # (selectors.team), whose status, quote count and speakers are the analyst's own.
    viewer: int | None = None
    blind: tuple[int, ...] = ()

    def without(self, *names: str) -> "ArticleFilters":
        """These filters, less some: a facet counts what the other filters leave."""
        blank = ArticleFilters()
        return replace(self, **{name: getattr(blank, name) for name in names})

    @property
    def active(self) -> bool:
        return replace(self, viewer=None, blind=()) != ArticleFilters()

    @property
    def searching(self) -> bool:
        return bool(self.q.strip())


@dataclass(frozen=True)
class FacetValue:
    value: Any
    label: str
    count: int
    selected: bool = False


@dataclass
class StoryGroup:
    """One story (or one article outside any story) on a grouped page."""

    story: Story | None
    matching: int  # articles of the group that pass the filters
    articles: list[Article] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.matching - len(self.articles)


@dataclass
class ArticleListing:
    filters: ArticleFilters
    sort: str
    grouped: bool
    total: int  # matching articles
    page: Page  # of articles, or of StoryGroups when grouped
    # A search matched more than RANK_LIMIT articles: shown newest first, not ranked.
    unranked: bool = False
    # The names of the chosen outlet, story, entity and speaker: {filter name: label}.
    chosen: dict[str, str] = field(default_factory=dict)


@dataclass
class ArticleFacets:
    """The counts beside the list, which it loads apart (their own URL): each facet counts
    what the other filters leave."""

    filters: ArticleFilters
    outlets: list[FacetValue]
    entities: list[FacetValue]
    speakers: list[FacetValue]
    stories: list[FacetValue]
    statuses: list[FacetValue]
    months: list[FacetValue]  # value: the first day of the month


class _Counted(Sequence[Any]):
    """A query whose size is already known: the paginator slices it without a COUNT."""

    def __init__(self, rows: QuerySet[Any], total: int) -> None:
        self.rows = rows
        self.total = total

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self.rows[index])
        return self.rows[index]


# --- Search -----------------------------------------------------------------------------


def _query(q: str) -> SearchQuery:
    # websearch syntax: "quoted phrase", or, -excluded. The stored documents (ArticleSearch,
    # kept by triggers, migration 0009) and their GIN index serve it.
    return SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")


def _search(articles: QuerySet[Article], q: str) -> QuerySet[Article]:
    return articles.filter(search__document=_query(q))


def _rank(q: str) -> Expression:
    return SearchRank(F("search__document"), _query(q))


# --- Per-article figures ----------------------------------------------------------------
# Every article's review figures are kept in its ArticleReview row by triggers (articles
# migration 0008): the status rule exists once, in PL/pgSQL.


def _of_article(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.filter(article=OuterRef("pk"))


def annotation_status(filters: "ArticleFilters | None" = None) -> F | Case:
    """The article's AnnotationStatus. Every article has its kept row (a trigger adds it
    with the article), so a filter on it is a plain `status = ...` the status index serves.
    On an article the viewer codes blind it is the viewer's own: in progress once they
    made or decided anything there, else untouched (blind work is never done before the
    analyst says so, by marking the assignment done)."""
    if filters is None or not filters.blind:
        return F("review__status")
    viewer = filters.viewer
    own = Q(created_by_id=viewer, article=OuterRef("pk"))
    worked = (
        Exists(Quote.objects.filter(own))
        | Exists(Stance.objects.filter(own))
        | Exists(Note.objects.filter(own))
        | Exists(QuoteDecision.objects.filter(analyst_id=viewer, quote__article=OuterRef("pk")))
        | Exists(StanceDecision.objects.filter(analyst_id=viewer, stance__article=OuterRef("pk")))
    )
    return Case(
        When(
            pk__in=filters.blind,
            then=Case(
                When(worked, then=Value(AnnotationStatus.IN_PROGRESS.value)),
                default=Value(AnnotationStatus.UNTOUCHED.value),
            ),
        ),
        default=F("review__status"),
    )


def _kept_quotes(filters: "ArticleFilters") -> QuerySet[Quote]:
    """Quotes not rejected, less others' on the viewer's blind articles."""
    quotes = Quote.objects.exclude(status=ReviewStatus.REJECTED)
    if filters.blind:
        quotes = quotes.exclude(
            Q(article_id__in=filters.blind)
            & ~Q(origin=Origin.MACHINE)
            & ~Q(created_by_id=filters.viewer)
        )
    return quotes


def _quote_count(filters: "ArticleFilters | None" = None) -> Expression:
    if filters is None or not filters.blind:
        return Coalesce(F("review__quotes"), 0)
    counted = (
        _kept_quotes(filters)
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case(
        When(pk__in=filters.blind, then=Coalesce(Subquery(counted), 0)),
        default=Coalesce(F("review__quotes"), 0),
        output_field=IntegerField(),
    )


def _suggestion_count() -> Coalesce:
    return Coalesce(F("review__suggestions"), 0)


# --- Filtering --------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_articles(filters: ArticleFilters) -> QuerySet[Article]:
    articles = Article.objects.all()
    if filters.searching:
        articles = _search(articles, filters.q)
    if filters.outlet is not None:
        articles = articles.filter(outlet_id=filters.outlet)
    if filters.story is not None:
        articles = articles.filter(story_id=filters.story)
    if filters.batch is not None:
        # EXISTS over the files' article index: an article is in every batch that had a
        # file of it, imported or found to be a duplicate.
        files = ImportFile.objects.filter(batch_id=filters.batch)
        articles = articles.filter(Exists(_of_article(files)))
    if filters.entity is not None:
        # EXISTS over the (entity, article) mention index, not a join that repeats rows.
        mentions = Mention.objects.filter(entity_id=filters.entity).exclude(
            status=ReviewStatus.REJECTED
        )
        articles = articles.filter(Exists(_of_article(mentions)))
    if filters.speaker is not None:
        quotes = _kept_quotes(filters).filter(speaker_id=filters.speaker)
        articles = articles.filter(Exists(_of_article(quotes)))
    if filters.date_from is not None:
        articles = articles.filter(published_at__gte=_day_start(filters.date_from))
    if filters.date_to is not None and filters.date_to < date.max:
        # Until the day's end; the last day there is has no day after it to stop before.
        articles = articles.filter(published_at__lt=_day_start(filters.date_to + timedelta(1)))
    if filters.status:
        articles = articles.alias(annotation_status=annotation_status(filters)).filter(
            annotation_status=filters.status
        )
    return articles


# --- Facets -----------------------------------------------------------------------------
# Without a search, one query per facet, each from its own index and with the other
# filters. With one, every facet and the total come from one statement: the articles the
# search (and the import batch) leaves are read once, from the GIN index's bitmap, into a
# materialised CTE with a flag per active facet filter, and each facet counts the rows
# that pass every flag but its own. Six queries used to test the search against every
# stored document six times over (2.4 s for a word most of 100,000 articles have).


# From how many articles on the facets count mentions and quotes by reading every pair
# rather than by looking up each article's.
MANY_ARTICLES = 10_000

# The facets whose filter is a flag of the CTE, with the filter names each one leaves out.
_FACET_FILTERS = {
    "status": ("status",),
    "outlet": ("outlet",),
    "story": ("story",),
    "month": ("date_from", "date_to"),
    "entity": ("entity",),
    "speaker": ("speaker",),
}


@dataclass
class _FacetCounts:
    statuses: list[FacetValue]
    outlets: list[FacetValue]
    stories: list[FacetValue]
    months: list[FacetValue]
    entities: list[FacetValue]
    speakers: list[FacetValue]


def _flags(filters: ArticleFilters) -> dict[str, Expression]:
    """Each active facet filter as a boolean column of the CTE, keyed by its facet. The
    mention and quote filters are `id IN (subquery)`, which PostgreSQL hashes once,
    where EXISTS would probe the index once per row."""
    flags: dict[str, Expression] = {}

    def flag(condition: Q) -> Expression:
        return ExpressionWrapper(condition, output_field=BooleanField())

    if filters.status:
        flags["status"] = flag(Q(facet_status=filters.status))
    if filters.outlet is not None:
        flags["outlet"] = flag(Q(outlet_id=filters.outlet))
    if filters.story is not None:
        flags["story"] = flag(Q(story_id=filters.story))
    dated = Q()
    if filters.date_from is not None:
        dated &= Q(published_at__gte=_day_start(filters.date_from))
    if filters.date_to is not None and filters.date_to < date.max:
        dated &= Q(published_at__lt=_day_start(filters.date_to + timedelta(1)))
    if dated:
        flags["month"] = flag(dated)
    if filters.entity is not None:
        mentions = Mention.objects.filter(entity_id=filters.entity).exclude(
            status=ReviewStatus.REJECTED
        )
        flags["entity"] = flag(Q(pk__in=mentions.values("article_id")))
    if filters.speaker is not None:
        quotes = _kept_quotes(filters).filter(speaker_id=filters.speaker)
        flags["speaker"] = flag(Q(pk__in=quotes.values("article_id")))
    return flags


def _facet_sql(filters: ArticleFilters) -> tuple[str, list[Any]]:
    """The statement behind every facet of a search: each counts the rows of the CTE
    that pass every filter but its own."""
    core = filters.without(*(name for names in _FACET_FILTERS.values() for name in names))
    flags = _flags(filters)
    params: list[Any] = []

    def passing(facet: str, alias: str = "b") -> str:
        """The CTE's rows that every active filter but the facet's own lets through."""
        checks = [f"{alias}.ok_{name}" for name in flags if name != facet]
        return " AND ".join(checks) or "TRUE"

    def first(column: str, selected: Any) -> str:
        # The selected value first, so that it is always shown.
        if selected is None:
            return ""
        params.append(selected)
        return f"({column} = %s) DESC, "

    def size(selected: Any) -> int:
        return FACET_SIZE + (selected is not None)

    # Every name put into the SQL below is a constant of this function, every value a
    # parameter, and the subqueries are compiled by the ORM.
    branches = [
        "SELECT 'status', NULL::bigint, b.facet_status::text, NULL::timestamp, count(*) "  # noqa: S608
        f"FROM base b WHERE {passing('status')} GROUP BY b.facet_status"
    ]
    for facet, table, label in (
        ("outlet", "articles_outlet", "name"),
        ("story", "articles_story", "label"),
    ):
        selected = getattr(filters, facet)
        order = first(f"b.{facet}_id", selected)
        branches.append(
            f"SELECT '{facet}', b.{facet}_id, t.{label}::text, NULL::timestamp, count(*) "  # noqa: S608
            f"FROM base b JOIN {table} t ON t.id = b.{facet}_id WHERE {passing(facet)} "
            f"GROUP BY b.{facet}_id, t.{label} "
            f"ORDER BY {order}count(*) DESC, t.{label}, b.{facet}_id LIMIT {size(selected)}"
        )
    branches.append(
        "SELECT 'month', NULL::bigint, NULL::text, b.facet_month::timestamp AS m, count(*) "  # noqa: S608
        f"FROM base b WHERE b.facet_month IS NOT NULL AND {passing('month')} "
        f"GROUP BY m ORDER BY m DESC LIMIT {MONTHS_SHOWN}"
    )
    # Articles per entity, from the kept mentions (or quotes, by speaker) whose partial
    # (entity, article) index holds every pair the count needs. Two plans, of which the
    # statement runs one (a one-time filter on the CTE's size, which PostgreSQL does not
    # estimate): many articles are hashed once and every pair, read once each in index
    # order, probes them; a few probe the (article) index themselves.
    pairs = {
        "entity": Mention.objects.exclude(status=ReviewStatus.REJECTED).values(
            "entity_id", "article_id"
        ),
        "speaker": _kept_quotes(filters)
        .filter(speaker__isnull=False)
        .values("speaker_id", "article_id"),
    }
    for facet, rows in pairs.items():
        key = f"{facet}_id"
        selected = getattr(filters, facet)
        within = f"IN (SELECT b.pk FROM base b WHERE {passing(facet)})"  # noqa: S608
        every = rows.distinct().order_by().query.sql_with_params()
        some = rows.order_by().query.sql_with_params()
        for test, (pairs_sql, pairs_params), count in (
            (">", every, "count(*)"),
            ("<=", some, "count(DISTINCT p.article_id)"),
        ):
            params.extend(pairs_params)
            params.append(MANY_ARTICLES)
            order = first(f"p.{key}", selected)
            branches.append(
                f"SELECT '{facet}', p.{key}, NULL::text, NULL::timestamp, {count} AS n "  # noqa: S608
                f"FROM ({pairs_sql}) p WHERE p.article_id {within} "
                f"AND (SELECT n FROM base_size) {test} %s "
                f"GROUP BY p.{key} ORDER BY {order}n DESC, p.{key} LIMIT {size(selected)}"
            )
    union = "\nUNION ALL\n".join(f"({branch})" for branch in branches)
    # Its columns: the article, its outlet, story, review status and month, and a flag
    # for each active facet filter.
    base = (
        filtered_articles(core)
        .annotate(facet_status=annotation_status(filters))
        .annotate(facet_month=TruncMonth("published_at"))
        .annotate(**{f"ok_{name}": flag for name, flag in flags.items()})
        .values(
            "pk",
            "outlet_id",
            "story_id",
            "facet_status",
            "facet_month",
            *(f"ok_{name}" for name in flags),
        )
        .order_by()
    )
    base_sql, base_params = base.query.sql_with_params()
    return (
        f"WITH base AS MATERIALIZED ({base_sql}),\n"  # noqa: S608
        f"base_size AS MATERIALIZED (SELECT count(*) AS n FROM base)\n{union}",
        [*base_params, *params],
    )


def _top(rows: QuerySet[Any], key: str, selected: Any, *tiebreak: str) -> QuerySet[Any]:
    """The top values by count, the selected one first so that it is always shown."""
    order: list[Any] = ["-n", *tiebreak]
    size = FACET_SIZE
    if selected is not None:
        order.insert(0, Case(When(**{key: selected}, then=0), default=1).asc())
        size += 1
    return rows.order_by(*order)[:size]


def _facet(rows: QuerySet[Any], key: str, label: str, selected: Any) -> list[FacetValue]:
    return [
        FacetValue(row[key], row[label] or "", row["n"], row[key] == selected)
        for row in _top(rows, key, selected, label)
    ]


def _entity_counts(
    pairs: QuerySet[Any], key: str, selected: Any, filters: ArticleFilters
) -> list[FacetValue]:
    """Articles per entity among the articles `filters` leave, from mentions or quotes
    (`pairs`, of `key` and article), counted on the entity id alone (the partial
    (entity, article) indexes answer it without the table), then the top ones' names in
    a second query: joining names first made PostgreSQL sort every row."""
    if not filters.active:
        counts = pairs.values(key).annotate(n=Count("article", distinct=True))
        counted = [(row[key], row["n"]) for row in _top(counts, key, selected, key)]
    else:
        counted = _pair_counts(pairs, key, selected, filters)
    names = dict(Entity.objects.filter(pk__in=[k for k, _ in counted]).values_list("pk", "name"))
    return [FacetValue(k, names.get(k, ""), n, k == selected) for k, n in counted]


def _pair_counts(
    pairs: QuerySet[Any], key: str, selected: Any, filters: ArticleFilters
) -> list[tuple[int, int]]:
    """The top entities by articles among those `filters` leave, in one statement with
    two plans, of which it runs one (a one-time filter on how many articles there are,
    which PostgreSQL cannot estimate from a CTE): many articles are hashed once and every
    (entity, article) pair, read once each in index order, probes them, with no sort
    (for 100,000 articles in progress, a sort of 617,000 pairs on disk took 370 ms); a
    few probe the (article) index themselves."""
    ids_sql, ids_params = filtered_articles(filters).values("pk").order_by().query.sql_with_params()
    every_sql, every_params = (
        pairs.values(key, "article_id").distinct().order_by().query.sql_with_params()
    )
    some_sql, some_params = pairs.values(key, "article_id").order_by().query.sql_with_params()
    params: list[Any] = list(ids_params)
    branches = []
    for test, pairs_sql, pairs_params, count in (
        (">", every_sql, every_params, "count(*)"),
        ("<=", some_sql, some_params, "count(DISTINCT p.article_id)"),
    ):
        order = ""
        params.extend(pairs_params)
        params.append(MANY_ARTICLES)
        if selected is not None:
            order = f"(p.{key} = %s) DESC, "
            params.append(selected)
        branches.append(
            f"SELECT p.{key}, {count} AS n FROM ({pairs_sql}) p "  # noqa: S608
            "WHERE p.article_id IN (SELECT pk FROM ids) "
            f"AND (SELECT n FROM ids_size) {test} %s "
            f"GROUP BY p.{key} ORDER BY {order}n DESC, p.{key} "
            f"LIMIT {FACET_SIZE + (selected is not None)}"
        )
    union = " UNION ALL ".join(f"({branch})" for branch in branches)
    sql = (
        f"WITH ids AS MATERIALIZED ({ids_sql}), "  # noqa: S608
        f"ids_size AS MATERIALIZED (SELECT count(*) AS n FROM ids) {union}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(k, n) for k, n in cursor.fetchall()]


def _article_facet(filters: ArticleFilters, name: str, label: str) -> list[FacetValue]:
    """Articles per outlet or story: the `name` filter left out, the others applied."""
    key = f"{name}_id"
    rows = (
        filtered_articles(filters.without(name))
        .filter(**{f"{name}__isnull": False})
        .values(key, label)
        .annotate(n=Count("pk"))
    )
    return _facet(rows, key, label, getattr(filters, name))


def _entity_facet(filters: ArticleFilters) -> list[FacetValue]:
    mentions = Mention.objects.exclude(status=ReviewStatus.REJECTED)
    return _entity_counts(mentions, "entity_id", filters.entity, filters.without("entity"))


def _speaker_facet(filters: ArticleFilters) -> list[FacetValue]:
    quotes = _kept_quotes(filters).filter(speaker__isnull=False)
    return _entity_counts(quotes, "speaker_id", filters.speaker, filters.without("speaker"))


def _status_facet(filters: ArticleFilters) -> list[FacetValue]:
    others = filters.without("status")
    if not others.active and not others.blind:
        # Every article has its kept row: count those, from their status index.
        counts = dict(
            ArticleReview.objects.values("status")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("status", "n")
        )
    else:
        counts = dict(
            filtered_articles(others)
            .annotate(annotation_status=annotation_status(others))
            .values("annotation_status")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("annotation_status", "n")
        )
    return [
        FacetValue(
            status.value, status.label, counts.get(status.value, 0), status == filters.status
        )
        for status in AnnotationStatus
    ]


def _month_facet(filters: ArticleFilters) -> list[FacetValue]:
    rows = (
        filtered_articles(filters.without("date_from", "date_to"))
        .filter(published_at__isnull=False)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The latest months chosen here, not by ORDER BY ... LIMIT: with one, PostgreSQL
    # walks the date index and probes the other filters' tables once per article (180 ms
    # for 100,000 in progress) where hashing them costs a third of that.
    latest = sorted(rows, key=lambda row: row["month"], reverse=True)[:MONTHS_SHOWN]
    facet = []
    for row in latest:
        first = timezone.localtime(row["month"]).date()
        selected = filters.date_from == first and filters.date_to == month_end(first)
        facet.append(FacetValue(first, first.strftime("%B %Y"), row["n"], selected))
    return facet


def _facet_counts(filters: ArticleFilters) -> _FacetCounts:
    """Every facet. Without a search, a query per facet (the total is the status facet's
    sum; two for the entities and speakers, counts then names). With one, the statement
    and one query for the entities' and speakers' names."""
    if not filters.searching:
        return _FacetCounts(
            statuses=_status_facet(filters),
            outlets=_article_facet(filters, "outlet", "outlet__name"),
            stories=_article_facet(filters, "story", "story__label"),
            months=_month_facet(filters),
            entities=_entity_facet(filters),
            speakers=_speaker_facet(filters),
        )
    sql, params = _facet_sql(filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_facet: dict[str, list[tuple[Any, ...]]] = {}
    for facet, key, label, month, n in rows:
        by_facet.setdefault(facet, []).append((key, label, month, n))
    people = [key for facet in ("entity", "speaker") for key, *_ in by_facet.get(facet, [])]
    names = dict(Entity.objects.filter(pk__in=people).values_list("pk", "name")) if people else {}

    def values(facet: str, selected: Any, label_of: Any = None) -> list[FacetValue]:
        return [
            FacetValue(key, label_of(key) if label_of else label or "", n, key == selected)
            for key, label, _, n in by_facet.get(facet, [])
        ]

    statuses = {label: n for _, label, _, n in by_facet.get("status", [])}
    months = []
    for _, _, month, n in by_facet.get("month", []):
        first = month.date()
        selected = filters.date_from == first and filters.date_to == month_end(first)
        months.append(FacetValue(first, first.strftime("%B %Y"), n, selected))
    return _FacetCounts(
        statuses=[
            FacetValue(
                status.value, status.label, statuses.get(status.value, 0), status == filters.status
            )
            for status in AnnotationStatus
        ],
        outlets=values("outlet", filters.outlet),
        stories=values("story", filters.story),
        months=months,
        entities=values("entity", filters.entity, lambda key: names.get(key, "")),
        speakers=values("speaker", filters.speaker, lambda key: names.get(key, "")),
    )


def month_end(first: date) -> date:
    """The last day of the month that starts on `first`."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


# --- Rows -------------------------------------------------------------------------------


def _order(sort: str, searching: bool) -> list[Any]:
    newest = [F("published_at").desc(nulls_last=True), F("pk").desc()]
    if sort == Sort.RELEVANCE and searching:
        return [F("rank").desc(), *newest]
    if sort == Sort.OLDEST:
        return [F("published_at").asc(nulls_last=True), F("pk").asc()]
    if sort == Sort.TITLE:
        return [Lower("title").asc(), F("pk").asc()]
    if sort == Sort.QUOTES:
        return [F("quote_count").desc(), *newest]
    return newest


def _rows(filters: ArticleFilters, sort: str) -> QuerySet[Article]:
    """The filtered articles with what a row shows: outlet, story, counts, status (the
    snippets come in a query of their own, for the page's rows)."""
    rows = (
        filtered_articles(filters)
        .select_related("outlet", "story")
        .only(
            "title",
            "published_at",
            "date_stated",
            "outlet__name",
            "story__label",
        )
        .annotate(
            quote_count=_quote_count(filters),
            suggestion_count=_suggestion_count(),
            annotation_status=annotation_status(filters),
        )
    )
    if filters.searching and sort == Sort.RELEVANCE:
        # Only when ordered by it: ts_rank reads each match's whole stored document.
        rows = rows.annotate(rank=_rank(filters.q))
    return rows


# --- Snippets ---------------------------------------------------------------------------
# With a search, PostgreSQL's ts_headline picks the passages around the matched words, for
# the page's rows only (one query); it marks the words with two control characters that
# the text cannot hold (they are taken out of it first), and the row is split on them into
# pieces that the template escapes, each inside or outside <mark>. No HTML is ever built
# from the article's text.

OPENING = 200  # characters of the text a row shows without a search, cut at a word
_START, _STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f'StartSel="{_START}", StopSel="{_STOP}", MaxWords=30, MinWords=12, ShortWord=3, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)

Snippet = list[tuple[str, bool]]  # (text, is a matched word)


def _opening(text: str) -> Snippet:
    words = " ".join(text.split())
    if len(words) > OPENING:
        cut = words.rfind(" ", 0, OPENING + 1)
        words = words[: cut if cut > 0 else OPENING].rstrip(" ,;:") + "…"
    return [(words, False)] if words else []


def _pieces(headline: str) -> Snippet:
    """ts_headline's text split on its sentinels: [(text, is_match), ...]."""
    pieces: Snippet = []
    rest = " ".join(headline.split())
    while rest:
        start = rest.find(_START)
        if start < 0:
            pieces.append((rest, False))
            break
        stop = rest.find(_STOP, start)
        stop = len(rest) if stop < 0 else stop
        if start:
            pieces.append((rest[:start], False))
        if rest[start + 1 : stop]:
            pieces.append((rest[start + 1 : stop], True))
        rest = rest[stop + 1 :]
    return pieces


EDGE = 120  # characters of each end of the text read to tell whether a passage is cut


def _letters(text: str) -> str:
    # ts_headline leaves tags out and spaces words its own way: compare letters only.
    return re.sub(r"\W+", "", text).lower()


def _ellipses(pieces: Snippet, start: str, end: str) -> Snippet:
    """An ellipsis where the passages start after the text's start or end before its
    end, so that a cut sentence reads as one."""
    if not pieces:
        return pieces
    shown = _letters("".join(text for text, _ in pieces))
    if not _letters(start).startswith(shown[:20]):
        pieces = [("… ", False), *pieces]
    if not _letters(end).endswith(shown[-20:]):
        pieces = [*pieces, (" …", False)]
    return pieces


def _snippets(ids: list[int], q: str) -> dict[int, Snippet]:
    """The page's rows' snippets: ts_headline's passages for the search `q` (with the
    first and last characters of the text, to tell where they are cut), or without one
    the first characters of the text (PostgreSQL decompresses no more of it than a slice
    asks for). A query of its own, for the page's ids: in the page's query PostgreSQL
    would compute them for every row it sorts, not only the 50 it keeps."""
    rows = Article.objects.filter(pk__in=ids)
    if not q:
        openings = rows.annotate(t=Substr("body", 1, OPENING + 1)).values_list("pk", "t")
        return {pk: _opening(text or "") for pk, text in openings}
    body = Func(F("body"), Value(_START + _STOP), Value(""), function="translate")
    headline = Func(
        Value(SEARCH_CONFIG),
        body,
        _query(q),
        Value(HEADLINE_OPTIONS),
        function="ts_headline",
        output_field=TextField(),
    )
    found = rows.annotate(
        h=headline, start=Substr("body", 1, EDGE), end=Right("body", EDGE)
    ).values_list("pk", "h", "start", "end")
    return {pk: _ellipses(_pieces(h or ""), start, end) for pk, h, start, end in found}


def _add_snippets(articles: list[Article], filters: ArticleFilters) -> None:
    """Each row's `snippet`: its passages with the search words marked, or its opening."""
    q = filters.q if filters.searching else ""
    found = _snippets([article.pk for article in articles], q) if articles else {}
    for article in articles:
        article.snippet = found.get(article.pk, [])  # type: ignore[attr-defined]


def default_sort(filters: ArticleFilters) -> str:
    return Sort.RELEVANCE.value if filters.searching else Sort.NEWEST.value


def _group_key() -> Coalesce:
    # A story's articles share its id; an article outside any story is a group of its own,
    # keyed by its negated id so that the two kinds of key never meet.
    return Coalesce(F("story_id"), F("pk") * -1)


def _group_order(sort: str, searching: bool) -> list[OrderBy]:
    if sort == Sort.RELEVANCE and searching:
        return [F("top_rank").desc(), F("latest").desc(nulls_last=True), F("group").desc()]
    if sort == Sort.OLDEST:
        return [F("earliest").asc(nulls_last=True), F("group").asc()]
    if sort == Sort.TITLE:
        return [Lower("first_title").asc(), F("group").asc()]
    if sort == Sort.QUOTES:
        return [F("quotes").desc(), F("latest").desc(nulls_last=True), F("group").desc()]
    return [F("latest").desc(nulls_last=True), F("group").desc()]


def _grouped_page(filters: ArticleFilters, sort: str, page_number: Any, count: int) -> Page:
    """A page of story groups (`count` of them, counted with the total): the groups, their
    articles, and one query for the stories' labels and outlet counts."""
    groups = (
        filtered_articles(filters)
        .annotate(group=_group_key())
        .values("group")
        .annotate(
            matching=Count("pk", distinct=True),
            latest=Max("published_at"),
            earliest=Min("published_at"),
            first_title=Min("title"),
        )
    )
    if sort == Sort.QUOTES:
        kept = ~Q(quote__status=ReviewStatus.REJECTED)
        if filters.blind:
            kept &= ~(
                Q(quote__article_id__in=filters.blind)
                & ~Q(quote__origin=Origin.MACHINE)
                & ~Q(quote__created_by_id=filters.viewer)
            )
        groups = groups.annotate(quotes=Count("quote", filter=kept))
    if sort == Sort.RELEVANCE and filters.searching:
        groups = groups.annotate(top_rank=Max(_rank(filters.q)))
    groups = groups.order_by(*_group_order(sort, filters.searching))
    page: Page[Any] = Paginator(_Counted(groups, count), PAGE_SIZE).get_page(page_number)
    keys = [row["group"] for row in page.object_list]
    story_ids = [key for key in keys if key > 0]
    article_ids = [-key for key in keys if key < 0]
    stories: dict[int, Story] = {}
    if story_ids:
        # Every outlet that covered the story, not only those the filters leave, and its
        # articles whose outlet is unknown (which no outlet count can include).
        covered = Story.objects.filter(pk__in=story_ids).annotate(
            outlet_count=Count("articles__outlet", distinct=True),
            unknown_outlet_count=Count("articles", filter=Q(articles__outlet__isnull=True)),
        )
        stories = {story.pk: story for story in covered}
    members = _rows(filters, sort).filter(Q(story_id__in=story_ids) | Q(pk__in=article_ids))
    members = members.annotate(
        position=Window(
            RowNumber(),
            partition_by=[_group_key()],
            order_by=_order(sort, filters.searching),
        )
    ).filter(position__lte=GROUP_ARTICLES)
    by_group: dict[int, list[Article]] = {}
    for article in members.order_by(*_order(sort, filters.searching)) if keys else []:
        key = article.story_id if article.story_id is not None else -article.pk
        by_group.setdefault(key, []).append(article)
    page.object_list = [
        StoryGroup(stories.get(row["group"]), row["matching"], by_group.get(row["group"], []))
        for row in page.object_list
    ]
    return page


def selection_ids(
    filters: ArticleFilters, *, sort: str = "", limit: int | None = None
) -> list[int]:
    """The ids of every article the filters select, in the list's order (ungrouped): what a
    bulk action on "this selection" works on. One query."""
    if sort not in Sort.values or (sort == Sort.RELEVANCE and not filters.searching):
        sort = default_sort(filters)
    rows = filtered_articles(filters)
    if sort == Sort.QUOTES:
        rows = rows.annotate(quote_count=_quote_count())
    if filters.searching and sort == Sort.RELEVANCE:
        rows = rows.annotate(rank=_rank(filters.q))
    ids = rows.order_by(*_order(sort, filters.searching)).values_list("pk", flat=True)
    return list(ids if limit is None else ids[:limit])


def _settings(searching: bool) -> None:
    """The settings of the listing's (or the facets') transaction, for it alone."""
    with connection.cursor() as cursor:
        # The sorts and hashes of up to 650,000 (entity, article) pairs in memory, not
        # in temporary files. With a search, its matches from the GIN index's bitmap,
        # which needs no recheck for plain words, never from testing every stored
        # document: the planner takes `document @@ query` for a cheap operator, but each
        # document is TOASTed, and testing 100,000 of them costs 300-500 ms where the
        # bitmap costs about 25 ms (EXPLAIN ANALYZE, bench database).
        cursor.execute(
            "SELECT set_config('work_mem', '32MB', true), set_config('enable_seqscan', %s, true)",
            ["off" if searching else "on"],
        )


def article_listing(
    filters: ArticleFilters, *, sort: str = "", grouped: bool = False, page: Any = 1
) -> ArticleListing:
    """The article list page, whatever the number of articles, without its facets (which
    `article_facets` counts, for a URL of their own): the settings of its transaction,
    the total (and the number of story groups), the names of the chosen outlet, story
    and entities, the page of rows (three queries for a page of story groups), and the
    page's snippets."""
    # In a transaction of its own when the request has none (no savepoint in one that
    # exists: its queries would be counted for nothing), with settings for it alone.
    with transaction.atomic(savepoint=False):
        _settings(filters.searching)
        return _listing(filters, sort, grouped, page)


def article_facets(filters: ArticleFilters) -> ArticleFacets:
    """The list's facets: without a search a query per facet (two for the entities and
    two for the speakers, counts then names), with one a statement for them all and one
    for the entities' and speakers' names; and the transaction's settings."""
    with transaction.atomic(savepoint=False):
        _settings(filters.searching)
        counts = _facet_counts(filters)
    return ArticleFacets(
        filters=filters,
        outlets=counts.outlets,
        entities=counts.entities,
        speakers=counts.speakers,
        stories=counts.stories,
        statuses=counts.statuses,
        months=counts.months,
    )


def _chosen(filters: ArticleFilters) -> dict[str, str]:
    """The names of the chosen outlet, story, entity and speaker, in one query (none when
    none is chosen): what the page's active filters show before the facets are counted.
    A value that names nothing is left out (the filter then shows its id)."""
    parts: list[QuerySet[Any]] = []
    if filters.outlet is not None:
        parts.append(
            Outlet.objects.filter(pk=filters.outlet)
            .annotate(facet=Value("outlet"))
            .values_list("facet", "name")
        )
    if filters.story is not None:
        parts.append(
            Story.objects.filter(pk=filters.story)
            .annotate(facet=Value("story"))
            .values_list("facet", "label")
        )
    for name in ("entity", "speaker"):
        if getattr(filters, name) is not None:
            parts.append(
                Entity.objects.filter(pk=getattr(filters, name))
                .annotate(facet=Value(name))
                .values_list("facet", "name")
            )
    if not parts:
        return {}
    first, *rest = parts
    rows = first.union(*rest, all=True) if rest else first
    return {facet: label or "" for facet, label in rows}


def _listing(filters: ArticleFilters, sort: str, grouped: bool, page: Any) -> ArticleListing:
    asked = sort in Sort.values and not (sort == Sort.RELEVANCE and not filters.searching)
    if not asked:
        sort = default_sort(filters)
    # The total and, grouped, the number of groups (the stories, and the articles in
    # none) in one count.
    groups = Count("story_id", distinct=True) + Count("pk", filter=Q(story_id__isnull=True))
    counted = filtered_articles(filters).aggregate(
        total=Count("pk"), **({"groups": groups} if grouped else {})
    )
    total = counted["total"]
    # Ranking reads every match's stored document: for a search that matches more than
    # RANK_LIMIT articles the newest come first unless relevance is asked for, and the
    # page says so.
    unranked = sort == Sort.RELEVANCE and not asked and total > RANK_LIMIT
    if unranked:
        sort = Sort.NEWEST.value
    if grouped:
        listing_page = _grouped_page(filters, sort, page, counted["groups"])
        shown = [article for group in listing_page.object_list for article in group.articles]
    else:
        rows = _rows(filters, sort).order_by(*_order(sort, filters.searching))
        listing_page = Paginator(_Counted(rows, total), PAGE_SIZE).get_page(page)
        listing_page.object_list = shown = list(listing_page.object_list)
    _add_snippets(shown, filters)
    return ArticleListing(
        filters=filters,
        sort=sort,
        grouped=grouped,
        total=total,
        page=listing_page,
        unranked=unranked,
        chosen=_chosen(filters),
    )


__all__ = [
    "PAGE_SIZE",
    "AnnotationStatus",
    "ArticleFacets",
    "ArticleFilters",
    "ArticleListing",
    "FacetValue",
    "Sort",
    "StoryGroup",
    "article_facets",
    "article_listing",
    "filtered_articles",
    "month_end",
    "selection_ids",
]
