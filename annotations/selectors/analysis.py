"""The analysis views' reads: which stances and quotes a selection holds, in which layer,
and their counts by holder, target, side, speaker, outlet and period.

A *statement* (the Discourse Network Analyzer's word) is one stance: its holder says
something for or against its target, an entity or a free-text topic. Its time is its
article's publication. Every figure here is one aggregate query over the selection,
whatever its size; the graph measures are computed from these counts by
`annotations.analysis.network`.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextChoices,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, Trim, TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils.http import urlencode

from annotations.analysis.network import NodeInfo, Tally
from annotations.models import Polarity, Quote, QuoteDecision, Stance, StanceDecision, Verdict
from annotations.selectors import team
from annotations.selectors.browse import ArticleFilters, filtered_articles
from articles.models import Article, Entity, Origin, Outlet, ReviewStatus

TOPIC = "t:"  # a free-text target's node key: "t:" + its text, lowercased and trimmed
ENTITY = "e"  # an entity's node key: "e" + its id
MATRIX_SIZE = 25  # holders and targets a stance matrix shows by default
MATRIX_MAX = 200
NETWORK_SIZE = 60  # actors a network shows by default (the most active)
NETWORK_MAX = 500  # actors; past a few hundred a drawing is a hairball and an export is seconds
TOP_SOURCES = 20


class Layer(TextChoices):
    """Which annotations the analysis counts. Rejected ones never count; gold is a layer
    of its own, as the adjudicated copy of analysts' work would count it twice."""

    ALL = "all", "Suggestions and confirmed"
    SUGGESTIONS = "suggestions", "The machine's suggestions"
    CONFIRMED = "confirmed", "Confirmed by analysts"
    ANALYST = "analyst", "One analyst's"
    GOLD = "gold", "Gold (adjudicated)"


class Interval(TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


TRUNC = {Interval.DAY: TruncDay, Interval.WEEK: TruncWeek, Interval.MONTH: TruncMonth}


@dataclass(frozen=True)
class AnalysisFilters:
    """The article list's filters, the layer, and who looks."""

    articles: ArticleFilters = field(default_factory=ArticleFilters)
    layer: str = Layer.ALL.value
    analyst: int | None = None  # whose work, for Layer.ANALYST
    # An analyst coding articles blind: those articles (unfinished) are left out of every
    # figure, so that no count gives away a colleague's coding (selectors.team).
    viewer: int | None = None


def counted(n: int, noun: str, plural: str = "") -> str:
    """ "1 stance", "2 stances": a number and its noun, for the one-line summaries."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def node_key(entity_id: int | None, topic: str = "") -> str:
    return f"{ENTITY}{entity_id}" if entity_id is not None else f"{TOPIC}{topic}"


def parse_key(key: str) -> tuple[int | None, str]:
    """(entity id, "") or (None, topic) from a node key; ValueError when it is neither."""
    if key.startswith(TOPIC) and len(key) > len(TOPIC):
        return None, key[len(TOPIC) :]
    if key.startswith(ENTITY) and key[len(ENTITY) :].isdigit():
        return int(key[len(ENTITY) :]), ""
    raise ValueError(f"{key!r} is not a node: e<entity id> or t:<topic>.")


# --- the selection ----------------------------------------------------------------------


def _decided(model: type[QuoteDecision] | type[StanceDecision], kind: str, analyst: int) -> Exists:
    return Exists(
        model.objects.filter(
            **{kind: OuterRef("pk")}, analyst_id=analyst, verdict=Verdict.CONFIRMED
        )
    )


def _in_layer(
    rows: QuerySet[Any],
    filters: AnalysisFilters,
    decisions: type[QuoteDecision] | type[StanceDecision],
) -> QuerySet[Any]:
    rows = rows.exclude(status=ReviewStatus.REJECTED)
    layer = filters.layer
    if layer == Layer.SUGGESTIONS:
        return rows.filter(origin=Origin.MACHINE)
    if layer == Layer.CONFIRMED:
        return rows.filter(status=ReviewStatus.CONFIRMED).exclude(origin=Origin.GOLD)
    if layer == Layer.GOLD:
        return rows.filter(origin=Origin.GOLD)
    if layer == Layer.ANALYST:
        # Their own work, and the machine's suggestions they accepted; a suggestion they
        # corrected counts as their correction, which is their own row.
        kind = "quote" if decisions is QuoteDecision else "stance"
        analyst = filters.analyst or 0
        return rows.filter(
            Q(origin=Origin.ANALYST, created_by_id=analyst)
            | Q(origin=Origin.MACHINE) & _decided(decisions, kind, analyst)
        )
    return rows.exclude(origin=Origin.GOLD)


def _within(rows: QuerySet[Any], filters: AnalysisFilters) -> QuerySet[Any]:
    if filters.articles.active:
        rows = rows.filter(article__in=filtered_articles(filters.articles).values("pk"))
    if filters.viewer is not None:
        rows = rows.exclude(article_id__in=team.blind_articles_of(filters.viewer))
    return rows


def stances(filters: AnalysisFilters) -> QuerySet[Stance]:
    """The statements the selection holds."""
    return _within(_in_layer(Stance.objects.all(), filters, StanceDecision), filters)


def quotes(filters: AnalysisFilters) -> QuerySet[Quote]:
    """The quotes the selection holds."""
    return _within(_in_layer(Quote.objects.all(), filters, QuoteDecision), filters)


def articles(filters: AnalysisFilters) -> QuerySet[Article]:
    rows = filtered_articles(filters.articles)
    if filters.viewer is not None:
        rows = rows.exclude(pk__in=team.blind_articles_of(filters.viewer))
    return rows


def left_out(filters: AnalysisFilters) -> int:
    """Articles left out because the viewer codes them blind (one query; 0 for others)."""
    if filters.viewer is None:
        return 0
    return team.blind_articles_of(filters.viewer).count()


def _topic() -> Case:
    return Case(
        When(target_entity__isnull=False, then=Value("")),
        default=Lower(Trim("target_text")),
        output_field=CharField(),
    )


def with_target(rows: QuerySet[Stance], key: str) -> QuerySet[Stance]:
    entity_id, topic = parse_key(key)
    if entity_id is not None:
        return rows.filter(target_entity_id=entity_id)
    return rows.annotate(topic=_topic()).filter(target_entity__isnull=True, topic=topic)


def with_holder(rows: QuerySet[Stance], key: str) -> QuerySet[Stance]:
    entity_id, _ = parse_key(key)
    if entity_id is None:
        raise ValueError("A holder is an entity: e<entity id>.")
    return rows.filter(holder_id=entity_id)


def _sides() -> dict[str, Any]:
    return {
        "support": Count("pk", filter=Q(polarity__sign=Polarity.Sign.SUPPORT)),
        "oppose": Count("pk", filter=Q(polarity__sign=Polarity.Sign.OPPOSE)),
        "other": Count("pk", filter=Q(polarity__sign=Polarity.Sign.NEITHER)),
        "total": Count("pk"),
    }


@dataclass(kw_only=True)
class BySide:
    """Statements by side: support, oppose, other (neither)."""

    support: int = 0
    oppose: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.support + self.oppose + self.other

    @property
    def net(self) -> int:
        return self.support - self.oppose


@dataclass
class Side(BySide):
    """A holder's or target's statements in the selection, by side."""

    key: str
    entity_id: int | None
    name: str
    kind: str

    def info(self) -> NodeInfo:
        return NodeInfo(key=self.key, entity_id=self.entity_id, name=self.name, kind=self.kind)


def entity_names(ids: set[int]) -> dict[int, tuple[str, str]]:
    """Entities' (name, kind) by id: one query (none for no ids)."""
    return {
        pk: (name, kind)
        for pk, name, kind in Entity.objects.filter(pk__in=ids).values_list("pk", "name", "kind")
    }


def top_holders(filters: AnalysisFilters, limit: int) -> list[Side]:
    """The most active holders, with their counts by side (one query, and one for names)."""
    rows = list(
        stances(filters)
        .values("holder_id")
        .annotate(**_sides())
        .order_by("-total", "holder_id")[:limit]
    )
    names = entity_names({row["holder_id"] for row in rows})
    return [
        Side(
            node_key(row["holder_id"]),
            row["holder_id"],
            *names.get(row["holder_id"], ("", "")),
            support=row["support"],
            oppose=row["oppose"],
            other=row["other"],
        )
        for row in rows
    ]


# --- one scan of the selection ------------------------------------------------------------
# A selection with a full-text search costs a few hundred milliseconds to find at 100,000
# articles: the matrix and the networks read it once, as a materialised CTE, and take every
# figure from that one query.

_SIDES_SQL = (
    "count(*) FILTER (WHERE sign = 1), count(*) FILTER (WHERE sign = -1), "
    "count(*) FILTER (WHERE sign = 0), count(*)"
)


def _selection_cte(filters: AnalysisFilters) -> tuple[str, tuple[Any, ...]]:
    # tk: the target entity's id, or 0 for a topic (ids start at 1), so that a target is
    # (tk, topic) and joins on plain equality.
    rows = (
        stances(filters)
        .order_by()
        .annotate(
            s_holder=F("holder_id"),
            s_tk=Coalesce(F("target_entity_id"), Value(0)),
            s_topic=_topic(),
            s_text=F("target_text"),
            s_sign=F("polarity__sign"),
        )
        .values_list("s_holder", "s_tk", "s_topic", "s_text", "s_sign")
    )
    sql, params = rows.query.sql_with_params()
    return (
        f"sel(holder_id, tk, topic, target_text, sign) AS MATERIALIZED ({sql})",
        tuple(params),
    )


def _scan_sql(cte: str, ranked_targets: bool) -> str:
    # Only fixed SQL text is joined here (and the selection's SQL, compiled by Django);
    # every value is a parameter.
    ctes = [
        cte,
        f"hg(holder_id, s, o, x, n) AS (SELECT holder_id, {_SIDES_SQL} FROM sel "  # noqa: S608
        "GROUP BY holder_id)",
        "h AS (SELECT * FROM hg ORDER BY n DESC, holder_id LIMIT %s)",
    ]
    # Columns: kind, holder, target entity (0 for a topic), topic, label, support, oppose,
    # other, count, and for a cell its holder's and target's node keys, written by
    # PostgreSQL (tens of thousands of them for a large network).
    parts = [
        "SELECT 'h', holder_id, NULL::bigint, NULL::text, NULL::text, s, o, x, n, "
        "NULL::text, NULL::text FROM h"
    ]
    join = ""
    targets_total = "0"
    if ranked_targets:
        ctes += [
            "tg(tk, topic, label, s, o, x, n) AS (SELECT tk, topic, min(target_text), "  # noqa: S608
            f"{_SIDES_SQL} FROM sel GROUP BY tk, topic)",
            "t AS (SELECT * FROM tg ORDER BY n DESC, tk = 0, tk, topic LIMIT %s)",
        ]
        parts.append("SELECT 't', NULL, tk, topic, label, s, o, x, n, NULL, NULL FROM t")
        join = " JOIN t ON t.tk = sel.tk AND t.topic = sel.topic"
        targets_total = "(SELECT count(*) FROM tg)"
    parts.append(
        "SELECT 'c', sel.holder_id, sel.tk, sel.topic, "  # noqa: S608
        "min(sel.target_text) FILTER (WHERE sel.tk = 0), sel.sign, 0, 0, count(*), "
        f"'{ENTITY}' || sel.holder_id, CASE WHEN sel.tk = 0 THEN '{TOPIC}' || sel.topic "
        f"ELSE '{ENTITY}' || sel.tk END FROM sel JOIN h ON h.holder_id = sel.holder_id{join} "
        "GROUP BY sel.holder_id, sel.tk, sel.topic, sel.sign"
    )
    parts.append(
        "SELECT 'a', (SELECT count(*) FROM hg), "  # noqa: S608
        f"{targets_total}, NULL, NULL, 0, 0, 0, (SELECT coalesce(sum(n), 0) FROM hg), NULL, NULL"
    )
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)


@dataclass
class Scan:
    """One scan of the selection: its most active holders, its most addressed targets
    (when asked), the statements per (holder, target, side) among them, topics' first
    spellings, and the selection's totals."""

    holders: list[Side]
    targets: list[Side]
    tallies: list[Tally]
    labels: dict[str, str]  # topic key -> its first spelling
    statements: int
    holders_total: int
    targets_total: int


def scan(filters: AnalysisFilters, *, holders: int, targets: int | None) -> Scan:
    """One query: the `holders` most active holders (ties by id); with `targets`, the
    `targets` most addressed targets of the whole selection and those holders' tallies on
    them; without, every tally of those holders. And one query for their names."""
    cte, params = _selection_cte(filters)
    args = (*params, holders, *((targets,) if targets is not None else ()))
    with connection.cursor() as cursor:
        cursor.execute(_scan_sql(cte, targets is not None), args)
        rows = cursor.fetchall()
    found_holders: list[tuple[Any, ...]] = []
    found_targets: list[tuple[Any, ...]] = []
    cells: list[Tally] = []
    labels: dict[str, str] = {}
    statements = holders_total = targets_total = 0
    for kind, a, tk, topic, label, s, o, x, n, holder_key, target_key in rows:
        if kind == "c":
            cells.append(Tally(holder_key, target_key, s, n))
            if label is not None:  # a topic
                labels[target_key] = min(labels.get(target_key, label), label)
        elif kind == "h":
            found_holders.append((a, s, o, x, n))
        elif kind == "t":
            found_targets.append((tk or None, topic, label, s, o, x, n))  # tk 0: a topic
        else:
            holders_total, targets_total, statements = a, tk, n
    found_holders.sort(key=lambda row: (-row[4], row[0]))
    found_targets.sort(key=lambda row: (-row[6], row[0] is None, row[0] or 0, row[1]))
    holder_sides = [
        Side(node_key(pk), pk, "", "", support=s, oppose=o, other=x)
        for pk, s, o, x, _ in found_holders
    ]
    target_sides = [
        Side(node_key(pk, topic), pk, label or "", "", support=s, oppose=o, other=x)
        for pk, topic, label, s, o, x, _ in found_targets
    ]
    names = entity_names(
        {side.entity_id for side in [*holder_sides, *target_sides] if side.entity_id}
    )
    for side in [*holder_sides, *target_sides]:
        if side.entity_id is not None:
            side.name, side.kind = names.get(side.entity_id, ("", ""))
        else:
            side.name, side.kind = side.name.strip(), "TOPIC"
    return Scan(
        holders=holder_sides,
        targets=target_sides,
        tallies=cells,
        labels={key: label.strip() for key, label in labels.items()},
        statements=statements,
        holders_total=holders_total,
        targets_total=targets_total,
    )


# --- the stance matrix ------------------------------------------------------------------


@dataclass
class Cell(BySide):
    """A holder's statements on a target, by side."""

    holder: str
    target: str


@dataclass
class StanceMatrix:
    holders: list[Side]
    targets: list[Side]
    cells: dict[tuple[str, str], Cell]
    statements: int  # in the selection, all holders and targets
    holders_total: int  # distinct holders in the selection
    targets_total: int

    def cell(self, holder: str, target: str) -> Cell | None:
        return self.cells.get((holder, target))

    @property
    def summary(self) -> str:
        if not self.statements:
            return "No stances in this selection."
        shown = sum(cell.total for cell in self.cells.values())
        lead = max(self.cells.values(), key=lambda c: (c.total, c.holder, c.target), default=None)
        text = (
            f"{counted(self.statements, 'stance')} by {counted(self.holders_total, 'holder')} "
            f"on {counted(self.targets_total, 'target')}; the {len(self.holders)} most active "
            f"holders x the {len(self.targets)} most addressed targets hold {shown} of them."
        )
        if lead is not None:
            names = {side.key: side.name for side in [*self.holders, *self.targets]}
            text += (
                f" Most: {names[lead.holder]} on {names[lead.target]} "
                f"({lead.support} support, {lead.oppose} oppose)."
            )
        return text


MATRIX_SORTS = ("total", "net", "support", "oppose", "name")


def _sorted(sides: list[Side], sort: str) -> list[Side]:
    if sort == "name":
        return sorted(sides, key=lambda s: (s.name.lower(), s.key))
    if sort == "net":
        return sorted(sides, key=lambda s: (-s.net, -s.total, s.key))
    if sort in ("support", "oppose"):
        return sorted(sides, key=lambda s: (-getattr(s, sort), -s.total, s.key))
    return sides  # by total already


def stance_matrix(
    filters: AnalysisFilters,
    *,
    holders: int = MATRIX_SIZE,
    targets: int = MATRIX_SIZE,
    sort: str = "total",
) -> StanceMatrix:
    """The most active holders x the most addressed targets, each cell their statements
    by side: one scan of the selection (and one query for names)."""
    found = scan(filters, holders=holders, targets=targets)
    cells: dict[tuple[str, str], Cell] = {}
    for tally in found.tallies:
        cell = cells.setdefault((tally.holder, tally.target), Cell(tally.holder, tally.target))
        if tally.sign > 0:
            cell.support += tally.statements
        elif tally.sign < 0:
            cell.oppose += tally.statements
        else:
            cell.other += tally.statements
    return StanceMatrix(
        holders=_sorted(found.holders, sort),
        targets=_sorted(found.targets, sort),
        cells=cells,
        statements=found.statements,
        holders_total=found.holders_total,
        targets_total=found.targets_total,
    )


# --- evidence ---------------------------------------------------------------------------


SIGNS = {
    "support": Polarity.Sign.SUPPORT,
    "oppose": Polarity.Sign.OPPOSE,
    "other": Polarity.Sign.NEITHER,
}


def evidence(
    filters: AnalysisFilters,
    *,
    holder: str = "",
    target: str = "",
    side: str = "",
    actors: tuple[str, ...] = (),
    relation: str = "",
) -> QuerySet[Stance]:
    """The statements behind a figure: a holder's, on a target, of one side; or, for a tie
    of the one-mode network (`actors`, two of them, and `relation` congruence or conflict),
    both actors' statements on the targets where they agree or disagree."""
    rows = stances(filters)
    if holder:
        rows = with_holder(rows, holder)
    if target:
        rows = with_target(rows, target)
    if side:
        rows = rows.filter(polarity__sign=SIGNS[side])
    if actors:
        ids = [parse_key(key)[0] for key in actors]
        rows = rows.filter(holder_id__in=[pk for pk in ids if pk is not None])
        if relation:
            shared = _shared_targets(rows, ids, relation)
            rows = rows.annotate(topic=_topic()).filter(
                Q(target_entity_id__in=[key[0] for key in shared if key[0] is not None])
                | Q(
                    target_entity__isnull=True,
                    topic__in=[key[1] for key in shared if key[0] is None],
                )
            )
            if relation == "congruence":
                # Only the statements on the shared side count for agreement.
                rows = rows.exclude(polarity__sign=Polarity.Sign.NEITHER)
    return rows


def _shared_targets(
    rows: QuerySet[Stance], actors: list[int | None], relation: str
) -> set[tuple[int | None, str]]:
    sides: dict[int, dict[tuple[int | None, str], set[int]]] = {}
    for holder_id, entity_id, topic, sign in (
        rows.annotate(topic=_topic())
        .exclude(polarity__sign=Polarity.Sign.NEITHER)
        .values_list("holder_id", "target_entity_id", "topic", "polarity__sign")
        .distinct()
    ):
        sides.setdefault(holder_id, {}).setdefault((entity_id, topic), set()).add(sign)
    if len(actors) != 2 or actors[0] is None or actors[1] is None:
        return set()
    first, second = sides.get(actors[0], {}), sides.get(actors[1], {})
    shared = set()
    for key in first.keys() & second.keys():
        if relation == "congruence" and first[key] & second[key]:
            shared.add(key)
        if relation == "conflict" and any(-sign in second[key] for sign in first[key]):
            shared.add(key)
    return shared


def for_display(rows: QuerySet[Stance]) -> QuerySet[Stance]:
    return rows.select_related(
        "article__outlet", "holder", "target_entity", "polarity", "created_by", "quote"
    ).order_by(F("article__published_at").desc(nulls_last=True), "article_id", "start", "pk")


# --- the event list ---------------------------------------------------------------------


EVENT_COLUMNS = (
    "statement",
    "time",
    "holder",
    "holder_id",
    "target",
    "target_id",
    "polarity",
    "sign",
    "text",
    "analyst",
    "origin",
    "status",
    "article",
    "article_title",
    "outlet",
    "quote",
)
COPY_CHUNK = 1 << 16  # bytes handed to the response at a time


class _Text(Func):
    """A text column, as CSV carries it safely: a cell that a spreadsheet would read as a
    formula (= + - @, tab, carriage return first) gets a leading apostrophe."""

    # The expression once (its parameters are bound once): a regular expression that
    # puts the apostrophe before a formula's first character.
    template = "regexp_replace(%(expressions)s, '^([-=+@\\t\\r])', chr(39) || '\\1')"
    output_field = TextField()


class _Iso(Func):
    """A time as ISO 8601 in UTC, to the second (2026-03-02T09:00:00+00:00)."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
    output_field = TextField()


def _event_columns(csv: bool) -> dict[str, Any]:
    def text(expression: Any) -> Any:
        return _Text(Coalesce(expression, Value(""))) if csv else expression

    target = Case(
        When(target_entity__isnull=False, then=F("target_entity__name")),
        default=Trim("target_text"),
        output_field=TextField(),
    )
    return {
        "statement": F("pk"),
        "time": _Iso("article__published_at"),
        "holder": text(F("holder__name")),
        "holder_id": F("holder_id"),
        "target": text(target),
        "target_id": F("target_entity_id"),
        "polarity": F("polarity__slug"),
        "sign": F("polarity__sign"),
        "text": text(F("exact")),
        "analyst": text(Coalesce(F("created_by__username"), Value(""))),
        "origin": F("origin"),
        "status": F("status"),
        "article": F("article_id"),
        "article_title": text(F("article__title")),
        "outlet": text(Coalesce(F("article__outlet__name"), Value(""))),
        "quote": F("quote_id"),
    }


def _events(rows: QuerySet[Stance], csv: bool) -> QuerySet[Stance]:
    columns = _event_columns(csv)
    return rows.order_by(F("article__published_at").asc(nulls_last=True), "pk").annotate(
        **{f"ev_{name}": value for name, value in columns.items()}
    )


def event_stream(rows: QuerySet[Stance], fmt: str) -> Iterator[bytes]:
    """DNA's event list, one statement per line in time order (its id, time, holder,
    target, polarity and side, text, the analyst who made it, "" for the machine's, layer,
    status, article and outlet), written by PostgreSQL itself with COPY and streamed as
    it comes: `csv` with a header (formula-like cells neutralised), or `jsonl`. Never all
    in memory; the first bytes leave before the last row is read."""
    events = _events(rows, csv=fmt == "csv")
    if fmt == "csv":
        query = events.values(*[f"ev_{n}" for n in EVENT_COLUMNS]).query
        # The header is the event columns' names, not the annotations' aliases.
        yield (",".join(EVENT_COLUMNS) + "\n").encode()
        options = "FORMAT csv"
    else:
        pairs: list[Any] = []
        for name in EVENT_COLUMNS:
            pairs.extend([Value(name), F(f"ev_{name}")])
        objects = events.annotate(
            ev_json=Func(*pairs, function="json_build_object", output_field=TextField())
        )
        query = objects.values("ev_json").query
        # CSV format with a quote and a delimiter that JSON never carries raw (it escapes
        # every control character): each line is the object's JSON text, as it is.
        options = "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'"
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:
        return  # empty by construction (a tie of actors with no shared target): no SQL
    copy = f"COPY ({sql}) TO STDOUT WITH ({options})"
    with connection.cursor() as cursor:
        buffer = bytearray()
        with cursor.cursor.copy(copy, params) as stream:
            for chunk in stream:
                buffer += chunk
                if len(buffer) >= COPY_CHUNK:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)


# --- timelines --------------------------------------------------------------------------


@dataclass
class Series:
    key: str
    label: str
    points: list[tuple[date, int]]


def _periods(rows: QuerySet[Any], interval: str, column: str) -> list[tuple[date, int]]:
    trunc = TRUNC[Interval(interval)]
    counted = (
        rows.filter(**{f"{column}__isnull": False})
        .annotate(period=trunc(column))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by("period")
    )
    return [(_day(row["period"]), row["n"]) for row in counted]


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def actor_timeline(filters: AnalysisFilters, entity_id: int, interval: str) -> list[Series]:
    """An actor's quotes (as speaker) and stances (held, by side) per period: two
    queries."""
    said = _periods(quotes(filters).filter(speaker_id=entity_id), interval, "article__published_at")
    trunc = TRUNC[Interval(interval)]
    held = (
        stances(filters)
        .filter(holder_id=entity_id, article__published_at__isnull=False)
        .annotate(period=trunc("article__published_at"))
        .values("period")
        .annotate(**_sides())
        .order_by("period")
    )
    by_side: dict[str, list[tuple[date, int]]] = {"support": [], "oppose": [], "other": []}
    for row in held:
        for name, points in by_side.items():
            if row[name]:
                points.append((_day(row["period"]), row[name]))
    return [
        Series("quotes", "Quotes", said),
        Series("support", "Stances: support", by_side["support"]),
        Series("oppose", "Stances: oppose", by_side["oppose"]),
        Series("other", "Stances: other", by_side["other"]),
    ]


def coverage_timeline(filters: AnalysisFilters, interval: str) -> list[Series]:
    """Articles per outlet per period (a story's coverage, with `story` among the
    filters): one query."""
    trunc = TRUNC[Interval(interval)]
    counted = (
        articles(filters)
        .filter(published_at__isnull=False)
        .annotate(period=trunc("published_at"))
        .values("period", "outlet_id", "outlet__name")
        .annotate(n=Count("pk"))
        .order_by("outlet__name", "outlet_id", "period")
    )
    series: dict[Any, Series] = {}
    for row in counted:
        key = row["outlet_id"]
        found = series.setdefault(
            key,
            Series(
                f"outlet-{key}" if key else "outlet-none",
                row["outlet__name"] or "Outlet unknown",
                [],
            ),
        )
        found.points.append((_day(row["period"]), row["n"]))
    return list(series.values())


# --- sources ----------------------------------------------------------------------------


@dataclass
class Source:
    entity_id: int
    name: str
    kind: str
    quotes: int
    outlets: dict[int | None, int]  # outlet id -> quotes


@dataclass
class Sources:
    speakers: list[Source]
    outlets: list[tuple[int | None, str]]  # every outlet that quoted one of them
    quotes: int  # in the selection, with a speaker
    speakers_total: int
    outlets_total: int  # outlets with an attributed quote in the selection


def top_sources(filters: AnalysisFilters, *, limit: int = TOP_SOURCES) -> Sources:
    """Who is quoted most in the selection, and by which outlets: one query counting quotes
    per speaker and outlet (a few thousand rows at most: speakers x outlets), the totals
    and the top ones from those, and one for the top speakers' names."""
    counted = (
        quotes(filters)
        .filter(speaker__isnull=False)
        .values("speaker_id", "article__outlet_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_speaker: dict[int, dict[int | None, int]] = {}
    for row in counted:
        by_speaker.setdefault(row["speaker_id"], {})[row["article__outlet_id"]] = row["n"]
    totals = {pk: sum(outlets.values()) for pk, outlets in by_speaker.items()}
    ids = sorted(totals, key=lambda pk: (-totals[pk], pk))[:limit]
    outlet_ids = {outlet for pk in ids for outlet in by_speaker[pk]}
    names = entity_names(set(ids))
    outlet_names = dict(
        Outlet.objects.filter(pk__in=[pk for pk in outlet_ids if pk is not None]).values_list(
            "pk", "name"
        )
    )
    outlets = {
        pk: outlet_names.get(pk, "Outlet unknown") if pk else "Outlet unknown" for pk in outlet_ids
    }
    return Sources(
        speakers=[Source(pk, *names.get(pk, ("", "")), totals[pk], by_speaker[pk]) for pk in ids],
        outlets=sorted(outlets.items(), key=lambda item: (item[1].lower(), item[0] or 0)),
        quotes=sum(totals.values()),
        speakers_total=len(totals),
        outlets_total=len({outlet for counts in by_speaker.values() for outlet in counts}),
    )


# --- links ------------------------------------------------------------------------------


def query_of(params: dict[str, str], **more: Any) -> str:
    """A query string: the selection's parameters and these."""
    merged = {**params, **{key: value for key, value in more.items() if value not in (None, "")}}
    return urlencode(merged, doseq=True)


def evidence_url(params: dict[str, str], **more: Any) -> str:
    return f"{reverse('analysis-evidence')}?{query_of(params, **more)}"


class EvidenceLinks:
    """evidence_url for many figures of one selection: the path and the selection's
    query are written once (a matrix has hundreds of cells)."""

    def __init__(self, params: dict[str, str]) -> None:
        query = urlencode(params)
        self.base = f"{reverse('analysis-evidence')}?{query}{'&' if query else ''}"

    def __call__(self, **more: Any) -> str:
        return self.base + urlencode({k: v for k, v in more.items() if v not in (None, "")})


def quotes_url(params: dict[str, str], **more: Any) -> str:
    """The quotes page: the selection's quotes in its layer, narrowed (`quoted`: one
    speaker's)."""
    return f"{reverse('analysis-quotes')}?{query_of(params, **more)}"


def quotes_for_display(rows: QuerySet[Quote]) -> QuerySet[Quote]:
    return rows.select_related("article__outlet", "speaker", "created_by").order_by(
        F("article__published_at").desc(nulls_last=True), "article_id", "start", "pk"
    )


def entity_url(entity_id: int | None) -> str | None:
    return reverse("entity-detail", args=[entity_id]) if entity_id is not None else None


__all__ = [
    "EVENT_COLUMNS",
    "AnalysisFilters",
    "Interval",
    "Layer",
    "StanceMatrix",
    "actor_timeline",
    "coverage_timeline",
    "evidence",
    "stance_matrix",
    "stances",
    "top_sources",
]
