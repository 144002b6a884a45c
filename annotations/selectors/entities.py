"""Reads for the entity pages: the searchable list, one actor's page and the merge preview.

Every function costs a fixed number of queries, whatever the number of mentions, quotes,
stances or aliases an entity has; the counts each page shows are subqueries of the
entity's own row, never a query per row.
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from annotations.models import Quote, Stance
from annotations.selectors import team
from articles.models import Entity, EntityAlias, EntityJoin, EntityKind, Mention
from articles.names import normalise_alias

T = TypeVar("T")

# Rows per page of an entity's quotes and of each of its stance tables.
QUOTES_PER_PAGE = 25
STANCES_PER_PAGE = 25
# Entities offered when searching for one to merge.
MERGE_CANDIDATES = 20
# Article columns the entity page never shows (the body is the bulk of the row).
_ARTICLE_BULK = ("article__body", "article__raw_text", "article__minhash")

SORTS = {
    "name": ("name", "id"),
    "mentions": ("-mention_count", "name", "id"),
}


def _count_of(queryset: QuerySet, column: str, *, distinct: str = "id") -> Coalesce:
    """COUNT over `queryset`'s rows per entity (`column` = the entity's id), as a
    correlated subquery: several counts on one row without joins multiplying them."""
    counted = (
        queryset.filter(**{column: OuterRef("pk")})
        .order_by()
        .values(column)
        .annotate(n=Count(distinct, distinct=distinct != "id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_mention_count(entities: QuerySet[Entity]) -> QuerySet[Entity]:
    return entities.annotate(mention_count=_count_of(Mention.objects.all(), "entity"))


def with_counts(entities: QuerySet[Entity], viewer: Any = None) -> QuerySet[Entity]:
    """Everything the entity page and the merge preview count, in the entity's own row:
    what `viewer` may see (team.visible) when given, else everything (what a merge moves)."""
    quotes, stances = Quote.objects.all(), Stance.objects.all()
    if viewer is not None:
        quotes, stances = team.visible(quotes, viewer), team.visible(stances, viewer)
    return with_mention_count(entities).annotate(
        mention_articles=_count_of(Mention.objects.all(), "entity", distinct="article"),
        quote_count=_count_of(quotes, "speaker"),
        held_count=_count_of(stances, "holder"),
        received_count=_count_of(stances, "target_entity"),
        alias_count=_count_of(EntityAlias.objects.all(), "entity"),
    )


def entity_search(*, q: str = "", kind: str = "", sort: str = "name") -> QuerySet[Entity]:
    """Entities whose canonical name or one of whose spellings contains `q`, of `kind`
    (any kind when empty), each with its mention count. One query (per page), plus one
    for the aliases shown with them."""
    entities = Entity.objects.all()
    q = q.strip()
    if q:
        spelling = Q(alias__icontains=q)
        if normalised := normalise_alias(q):  # "" (only marks) would match every alias
            spelling |= Q(normalised__contains=normalised)
        spelled = EntityAlias.objects.filter(spelling).values("entity_id")
        entities = entities.filter(Q(name__icontains=q) | Q(pk__in=spelled))
    if kind in EntityKind.values:
        entities = entities.filter(kind=kind)
    return (
        with_mention_count(entities)
        .prefetch_related("aliases")
        .order_by(*SORTS.get(sort, SORTS["name"]))
    )


def entity_for_page(pk: int, viewer: Any) -> Entity | None:
    """The entity with its counts (mention_count, mention_articles, quote_count,
    held_count, received_count, alias_count), its aliases and the machine's joins into
    it (why two spellings became one): three queries."""
    joins = EntityJoin.objects.order_by("-created_at", "-id")
    return (
        with_counts(Entity.objects.filter(pk=pk), viewer)
        .prefetch_related("aliases", Prefetch("joins", queryset=joins))
        .first()
    )


@dataclass(frozen=True, slots=True)
class Window(Generic[T]):
    """One page of rows whose total is already known (from the entity's counts), so
    paging costs no COUNT query."""

    items: list[T]
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)


def _window(rows: QuerySet, *, total: int, page: str | None, per_page: int) -> Window:
    pages = max(1, -(-total // per_page))
    try:
        number = min(max(1, int(page or 1)), pages)
    except ValueError:
        number = 1
    offset = (number - 1) * per_page
    return Window(list(rows[offset : offset + per_page]), number, pages, total, per_page)


def entity_quotes(entity: Entity, viewer: Any, *, page: str | None = None) -> Window[Quote]:
    """What this actor said, as `viewer` may see it, newest article first, with each
    quote's article and outlet (one query; the total is the entity's `quote_count`)."""
    quotes = (
        team.as_seen_by(team.visible(Quote.objects.filter(speaker=entity), viewer), viewer, "quote")
        .select_related("article__outlet", "statement")
        .defer(*_ARTICLE_BULK, "statement__reference_text")
        .order_by("-article__published_at", "-article_id", "start")
    )
    return _window(quotes, total=entity.quote_count, page=page, per_page=QUOTES_PER_PAGE)  # type: ignore[attr-defined]


def _stances(viewer: Any, **where: Entity) -> QuerySet[Stance]:
    rows = team.visible(Stance.objects.filter(**where), viewer)
    return (
        team.as_seen_by(rows, viewer, "stance")
        .select_related("holder", "target_entity", "polarity", "article__outlet")
        .defer(*_ARTICLE_BULK)
        .order_by("-article__published_at", "-article_id", "start")
    )


def entity_stances_held(entity: Entity, viewer: Any, *, page: str | None = None) -> Window[Stance]:
    """Stances this actor holds, with target, polarity and article (one query)."""
    return _window(
        _stances(viewer, holder=entity),
        total=entity.held_count,  # type: ignore[attr-defined]
        page=page,
        per_page=STANCES_PER_PAGE,
    )


def entity_stances_received(
    entity: Entity, viewer: Any, *, page: str | None = None
) -> Window[Stance]:
    """Stances others hold towards this actor, with holder, polarity and article
    (one query)."""
    return _window(
        _stances(viewer, target_entity=entity),
        total=entity.received_count,  # type: ignore[attr-defined]
        page=page,
        per_page=STANCES_PER_PAGE,
    )


def merge_candidates(entity: Entity, *, q: str) -> list[Entity]:
    """Other entities, of any kind, that the search `q` finds, each with its mention
    count: one query, at most MERGE_CANDIDATES rows."""
    if not q.strip():
        return []
    found = entity_search(q=q, sort="mentions").exclude(pk=entity.pk).prefetch_related(None)
    return list(found[:MERGE_CANDIDATES])


def merge_preview(*, into_id: int, other_id: str | None) -> Entity | None:
    """The entity that would be merged into entity `into_id`, with what would move (its
    counts), or None when `other_id` names no other entity. One query."""
    try:
        pk = int(other_id or "")
    except ValueError:
        return None
    if pk == into_id:
        return None
    return with_counts(Entity.objects.filter(pk=pk)).first()
