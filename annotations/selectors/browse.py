"""The article list: filters, ranked search, facets with counts, sorting, grouping by story.

Every count is one aggregate query, whatever the number of articles, mentions or
annotations; rows carry their counts as correlated subqueries, never per-row queries.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, overload

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    Max,
    Min,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, RowNumber, TruncMonth
from django.utils import timezone

from annotations.models import (
    ArticleReview,
    Note,
    Quote,
    QuoteDecision,
    Stance,
    StanceDecision,
)
from articles.models import Article, Entity, ImportFile, Mention, Origin, ReviewStatus, Story

PAGE_SIZE = 50
FACET_SIZE = 10  # values shown per facet: the top ones by count
MONTHS_SHOWN = 12  # the date facet: the most recent months with articles
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
    outlets: list[FacetValue]
    entities: list[FacetValue]
    speakers: list[FacetValue]
    stories: list[FacetValue]
    statuses: list[FacetValue]
    months: list[FacetValue]  # value: the first day of the month


class _Counted(Sequence[Article]):
    """A query whose size is already known: the paginator slices it without a COUNT."""

    def __init__(self, rows: QuerySet[Article], total: int) -> None:
        self.rows = rows
        self.total = total

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Article: ...

    @overload
    def __getitem__(self, index: slice) -> list[Article]: ...

    def __getitem__(self, index: int | slice) -> Article | list[Article]:
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


def _within(rows: QuerySet[Any], filters: ArticleFilters) -> QuerySet[Any]:
    """Mentions or quotes of the articles the filters leave (all of them when none)."""
    if not filters.active:
        return rows
    return rows.filter(article__in=filtered_articles(filters).values("pk"))


# --- Facets -----------------------------------------------------------------------------


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


def _entity_counts(rows: QuerySet[Any], key: str, selected: Any) -> list[FacetValue]:
    """Articles per entity from mentions or quotes, counted on the entity id alone (the
    partial (entity, article) indexes answer it without the table), then the top ones'
    names in a second query: joining names first made PostgreSQL sort every row."""
    counted = list(
        _top(rows.values(key).annotate(n=Count("article", distinct=True)), key, selected, key)
    )
    names = dict(
        Entity.objects.filter(pk__in=[row[key] for row in counted]).values_list("pk", "name")
    )
    return [
        FacetValue(row[key], names.get(row[key], ""), row["n"], row[key] == selected)
        for row in counted
    ]


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
    return _entity_counts(_within(mentions, filters.without("entity")), "entity_id", filters.entity)


def _speaker_facet(filters: ArticleFilters) -> list[FacetValue]:
    quotes = _kept_quotes(filters).filter(speaker__isnull=False)
    return _entity_counts(
        _within(quotes, filters.without("speaker")), "speaker_id", filters.speaker
    )


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
        .order_by("-month")[:MONTHS_SHOWN]
    )
    facet = []
    for row in rows:
        first = timezone.localtime(row["month"]).date()
        selected = filters.date_from == first and filters.date_to == month_end(first)
        facet.append(FacetValue(first, first.strftime("%B %Y"), row["n"], selected))
    return facet


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


def _rows(filters: ArticleFilters) -> QuerySet[Article]:
    """The filtered articles with what a row shows: outlet, story, counts, status."""
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
    if filters.searching:
        rows = rows.annotate(rank=_rank(filters.q))
    return rows


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


def _grouped_page(filters: ArticleFilters, sort: str, page_number: Any) -> Page:
    """A page of story groups: three queries (count, groups, their articles) and one for
    the stories' labels and outlet counts."""
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
    page: Page[Any] = Paginator(groups, PAGE_SIZE).get_page(page_number)
    keys = [row["group"] for row in page.object_list]
    story_ids = [key for key in keys if key > 0]
    article_ids = [-key for key in keys if key < 0]
    stories: dict[int, Story] = {}
    if story_ids:
        # Every outlet that covered the story, not only those the filters leave.
        covered = Story.objects.filter(pk__in=story_ids).annotate(
            outlet_count=Count("articles__outlet", distinct=True)
        )
        stories = {story.pk: story for story in covered}
    members = _rows(filters).filter(Q(story_id__in=story_ids) | Q(pk__in=article_ids))
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


def article_listing(
    filters: ArticleFilters, *, sort: str = "", grouped: bool = False, page: Any = 1
) -> ArticleListing:
    """The article list page: one query per facet, one for the page of rows (three more
    for a page of story groups), whatever the number of articles."""
    if sort not in Sort.values or (sort == Sort.RELEVANCE and not filters.searching):
        sort = default_sort(filters)
    statuses = _status_facet(filters)
    # The status facet counts every article the other filters leave: its selected value,
    # or all of them, is the total, with no COUNT query of its own.
    if filters.status:
        total = sum(value.count for value in statuses if value.selected)
    else:
        total = sum(value.count for value in statuses)
    if grouped:
        listing_page = _grouped_page(filters, sort, page)
    else:
        rows = _rows(filters).order_by(*_order(sort, filters.searching))
        listing_page = Paginator(_Counted(rows, total), PAGE_SIZE).get_page(page)
    return ArticleListing(
        filters=filters,
        sort=sort,
        grouped=grouped,
        total=total,
        page=listing_page,
        outlets=_article_facet(filters, "outlet", "outlet__name"),
        entities=_entity_facet(filters),
        speakers=_speaker_facet(filters),
        stories=_article_facet(filters, "story", "story__label"),
        statuses=statuses,
        months=_month_facet(filters),
    )


__all__ = [
    "PAGE_SIZE",
    "AnnotationStatus",
    "ArticleFilters",
    "ArticleListing",
    "FacetValue",
    "Sort",
    "StoryGroup",
    "article_listing",
    "filtered_articles",
    "month_end",
    "selection_ids",
]
