"""The annotation feed's pages rendered by PostgreSQL: `w3c.py`'s annotations, built as
JSON in the database, one query a page.

Why: a page of 100 annotations built in Python costs ~25 ms of CPU (404 model instances,
100 nested dicts, json.dumps); PostgreSQL picks the page's keys from four index scans,
builds the 100 documents and hands back text. `tests/api/test_w3c_sql.py` checks that this
renders exactly what `w3c.py` renders, row by row and filter by filter; `w3c.py` stays the
reference (SQLite, single annotations and the streamed exports use it).

The f-strings interpolate only this module's constants (table, column and kind names);
every value from a request is a query parameter.
"""

from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from annotations import selectors

TIME = """to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def _time(column: str) -> str:
    return TIME.format(col=column)


def _text(value: str, purpose: str) -> str:
    return (
        "json_build_object('type', 'TextualBody', 'value', "
        f"{value}, 'purpose', '{purpose}', 'format', 'text/plain')"
    )


def _bodies(required: list[str], optional: list[tuple[str, str]]) -> str:
    """A JSON array of the required bodies and of each optional one whose condition holds
    (json has no concatenation, so: a CASE over the combinations, at most four)."""
    if not optional:
        return f"json_build_array({', '.join(required)})"
    (condition, body), rest = optional[0], optional[1:]
    with_it = _bodies([*required, body], rest)
    without = _bodies(required, rest)
    return f"CASE WHEN {condition} THEN {with_it} ELSE {without} END"


def _entity(alias: str) -> str:
    return (
        f"CASE WHEN {alias}.id IS NULL THEN NULL "
        f"ELSE json_build_object('id', {alias}.id, 'name', {alias}.name) END"
    )


BASE = "%(base)s::text"
TARGET = (
    f"json_build_object('source', {BASE} || 'api/v1/articles/' || t.article_id || '/', "
    "'selector', json_build_array("
    "json_build_object('type', 'TextQuoteSelector', 'exact', t.exact, "
    "'prefix', t.prefix, 'suffix', t.suffix), "
    "json_build_object('type', 'TextPositionSelector', 'start', t.start, 'end', t.\"end\")))"
)


def _annotation(kind: str, motivation: str, bodies: str, target: str, record: str) -> str:
    return f"""json_build_object(
        'id', {BASE} || 'api/v1/annotations/{kind}-' || t.id || '/',
        'type', 'Annotation',
        'motivation', '{motivation}',
        'creator', CASE WHEN t.created_by_id IS NULL
            THEN json_build_object('type', 'Software', 'name', 'Newsdesk extractor')
            ELSE json_build_object('type', 'Person', 'nickname',
                (SELECT username FROM auth_user WHERE id = t.created_by_id)) END,
        'created', {_time("t.created_at")},
        'modified', {_time("t.updated_at")},
        'body', {bodies},
        'target', {target},
        'newsdesk', json_build_object(
            'type', '{kind}', 'id', t.id, 'article', t.article_id, {record})
    )::text"""


QUOTE_KIND = "t.kind || ' quote'"
# Per kind: the table, its joins, and the document.
DOCUMENTS = {
    "mention": (
        "articles_mention",
        "JOIN articles_entity e ON e.id = t.entity_id",
        _annotation(
            "mention",
            "identifying",
            _bodies([_text("e.name", "identifying"), _text("e.kind", "classifying")], []),
            TARGET,
            f"'status', t.status, 'origin', t.origin, 'entity', {_entity('e')}",
        ),
    ),
    "note": (
        "annotations_note",
        "",
        _annotation(
            "note",
            "commenting",
            _bodies([_text("t.text", "commenting")], []),
            "CASE WHEN t.start IS NULL "
            f"THEN to_json({BASE} || 'api/v1/articles/' || t.article_id || '/') "
            f"ELSE {TARGET} END",
            "'status', 'confirmed', 'origin', 'analyst', 'quote', t.quote_id, "
            "'stance', t.stance_id",
        ),
    ),
    "quote": (
        "annotations_quote",
        "LEFT JOIN articles_entity sp ON sp.id = t.speaker_id",
        _annotation(
            "quote",
            "classifying",
            _bodies(
                [_text(QUOTE_KIND, "classifying")],
                [
                    ("sp.id IS NOT NULL", _text("sp.name", "identifying")),
                    ("t.cue <> ''", _text("t.cue", "describing")),
                ],
            ),
            TARGET,
            "'kind', t.kind, 'status', t.status, 'origin', t.origin, "
            f"'speaker', {_entity('sp')}, 'speaker_start', t.speaker_start, "
            "'speaker_end', t.speaker_end, 'cue', t.cue, 'cue_start', t.cue_start, "
            "'cue_end', t.cue_end, 'statement', t.statement_id",
        ),
    ),
    "stance": (
        "annotations_stance",
        "JOIN articles_entity h ON h.id = t.holder_id "
        "JOIN annotations_polarity p ON p.id = t.polarity_id "
        "LEFT JOIN articles_entity te ON te.id = t.target_entity_id",
        _annotation(
            "stance",
            "assessing",
            _bodies(
                [
                    _text("p.slug", "classifying"),
                    _text("h.name", "identifying"),
                    _text("COALESCE(te.name, t.target_text)", "tagging"),
                ],
                [("t.note <> ''", _text("t.note", "commenting"))],
            ),
            TARGET,
            "'status', 'confirmed', 'origin', t.origin, 'polarity', p.slug, "
            f"'holder', {_entity('h')}, 'target', {_entity('te')}, "
            "'target_text', t.target_text, 'quote', t.quote_id, 'note', t.note",
        ),
    ),
}
HAS_STATUS = {"mention", "quote"}
HAS_ORIGIN = {"mention", "quote", "stance"}


def _keys(
    kind: str, filters: selectors.FeedFilters, after: selectors.Position | None
) -> str | None:
    """The next keys of one kind, or None when the filters exclude the kind."""
    table = DOCUMENTS[kind][0]
    rank = selectors.RANK[kind]
    where = ["TRUE"]
    if filters.article is not None:
        where.append("k.article_id = %(article)s")
    if filters.updated_since is not None:
        where.append("k.updated_at >= %(updated_since)s")
    if filters.created_by is not None:
        where.append("k.created_by_id = (SELECT id FROM auth_user WHERE username = %(created_by)s)")
    if filters.status is not None:
        if kind in HAS_STATUS:
            where.append("k.status = %(status)s")
        elif filters.status != "confirmed":
            return None
    if filters.origin is not None:
        if kind in HAS_ORIGIN:
            where.append("k.origin = %(origin)s")
        elif filters.origin != "analyst":
            return None
    if after is not None:
        if rank > after.rank:
            where.append("k.updated_at >= %(after_at)s")
        elif rank < after.rank:
            where.append("k.updated_at > %(after_at)s")
        else:
            where.append("(k.updated_at, k.id) > (%(after_at)s, %(after_id)s)")
    return (
        f"(SELECT k.updated_at, {rank} AS rank, k.id FROM {table} k "
        f"WHERE {' AND '.join(where)} ORDER BY k.updated_at, k.id LIMIT %(limit)s)"
    )


def _document(kind: str) -> str:
    table, joins, document = DOCUMENTS[kind]
    return f"(SELECT {document} FROM {table} t {joins} WHERE t.id = page.id)"


def annotation_page(
    filters: selectors.FeedFilters, after: selectors.Position | None, size: int, base: str
) -> tuple[list[str], selectors.Position | None]:
    """Up to `size` annotations after `after`, as JSON texts without their @context, and
    the position to continue from: `selectors.annotation_page`, rendered."""
    parts = [sql for kind in filters.kinds if (sql := _keys(kind, filters, after)) is not None]
    if not parts:
        return [], None
    documents = " ".join(
        f"WHEN {selectors.RANK[kind]} THEN {_document(kind)}" for kind in filters.kinds
    )
    query = (
        f"WITH page AS (SELECT * FROM ({' UNION ALL '.join(parts)}) AS keys "
        "ORDER BY 1, 2, 3 LIMIT %(limit)s) "
        # The key as text: only the last row's is parsed (for the next cursor).
        f"SELECT page.updated_at::text, page.rank, page.id, CASE page.rank {documents} END "
        "FROM page ORDER BY page.updated_at, page.rank, page.id"
    )
    params: dict[str, Any] = {
        "base": base,
        "limit": size + 1,
        "article": filters.article,
        "updated_since": filters.updated_since,
        "created_by": filters.created_by,
        "status": filters.status,
        "origin": filters.origin,
        "after_at": after.updated_at if after else None,
        "after_id": after.id if after else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    more = len(rows) > size
    rows = rows[:size]
    position = None
    if rows and more:
        when, rank, pk = rows[-1][:3]
        position = selectors.Position(parse_datetime(when), rank, pk)
    return [row[3] for row in rows], position
