"""Quotes, stances, notes and mentions as W3C Web Annotations (JSON-LD), written by
PostgreSQL: every annotation's document is rendered once, when its row is written, and
stored; pages, exports and single annotations are read from the stored documents.

https://www.w3.org/TR/annotation-model/: each annotation has the `anno.jsonld` context, an
IRI, a motivation, its creator (the analyst, or the extractor as Software), created and
modified times, bodies saying what the span is (a quote by whom, a stance of whom on what
with which polarity, a comment, a named entity) and a target: the article on this server
with a TextQuoteSelector and a TextPositionSelector into its body. What the model has no
term for (ids, review status, speaker and cue offsets) is under `newsdesk`, kept as a JSON
literal by the context, so JSON-LD processors and plain JSON clients read it alike.

Why stored: a page of 100 annotations built in Python cost ~25 ms of CPU (404 model
instances, 100 nested dicts, json.dumps); built as JSON by PostgreSQL at read time it still
cost ~4 ms of the database's CPU a page and capped the feed at about a fifth of a trivial
request's rate. Every write to a quote, stance, note or mention (ORM, COPY, admin, bulk)
renders that row's annotation once, in a trigger (one per statement, over all the rows it
wrote), into `annotations_feed_document`, with
the columns the feed's filters and sync order look at, and the writing transaction
(`sync_xid`, for sync tokens: newsdesk.sync); a page is one index range scan of that
table (a 100-annotation page: ~1 ms of the database's time, from ~5).

A document is stored as compact JSON text, @context included, with a control character
where the server's address goes (the annotation's IRI, its target's `source`, the
context's vocabulary), so one row serves every host name: the reader replaces it with the
address. What an annotation shows of other rows is kept fresh by bumping `updated_at`
(so incremental syncs see the change too) on every annotation that shows an entity whose
name or kind changed, a user whose username changed, or a polarity whose slug changed.

`install()` runs after every `migrate` (AnnotationsConfig.ready); when the rendering here
has changed since the database's documents were written, it rewrites them all (written
again, they come again in every client's next sync). `tests/api/test_w3c_sql.py` holds
the expected documents.

The f-strings interpolate only this module's constants (table, column and kind names);
every value from a request is a query parameter.
"""

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.dateparse import parse_datetime

from annotations import selectors, vocab
from annotations.selectors import team
from newsdesk import sync
from newsdesk.api import EXPORT_CHUNK

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MACHINE = {"type": "Software", "name": "Newsdesk extractor"}
# What each kind of row is, to the model (motivation).
MOTIVATIONS = {
    "quote": "classifying",
    "stance": "assessing",
    "note": "commenting",
    "mention": "identifying",
}


def context(base: str) -> list[Any]:
    """An annotation's @context, for a server at `base`."""
    return [
        ANNO_CONTEXT,
        {
            # The nd: vocabulary, served at its IRI (annotations.vocab).
            "nd": vocab.prefix(base),
            "newsdesk": {"@id": "nd:record", "@type": "@json"},
        },
    ]


FEED_TABLE = "annotations_feed_document"
# Stands for the server's address in a stored document. PostgreSQL's JSON output escapes
# every control character (U+0001 becomes the six characters \u0001), so this one appears
# in a document only where it was put, and a plain replace puts the address there.
ADDRESS_CODE = 1
ADDRESS = chr(ADDRESS_CODE)
TIME = """to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
AT = f"chr({ADDRESS_CODE})"

# The documents are compact JSON written by concatenation: constant parts as SQL literals of
# their JSON, values through to_json (which escapes as JSON must). Each helper returns an
# SQL expression whose value is JSON text.


def _literal(value: Any) -> str:
    """A constant, as an SQL literal of its compact JSON."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return "'" + text.replace("'", "''") + "'"


def _string(expr: str) -> str:
    return f"COALESCE(to_json({expr})::text, 'null')"


def _number(expr: str) -> str:
    return f"COALESCE(({expr})::text, 'null')"


def _object(*members: tuple[str, str]) -> str:
    """{"name": value, ...} from (name, JSON expression) pairs, in their order."""
    parts = []
    for n, (name, value) in enumerate(members):
        opening = "{" if n == 0 else ","
        parts.append("'" + opening + json.dumps(name).replace("'", "''") + ":'")
        parts.append(value)
    return " || ".join([*parts, "'}'"])


def _time(column: str) -> str:
    return "'\"' || " + TIME.format(col=column) + " || '\"'"


def _text(value: str, purpose: str) -> str:
    return _object(
        ("type", _literal("TextualBody")),
        ("value", _string(value)),
        ("purpose", _literal(purpose)),
        ("format", _literal("text/plain")),
    )


def _bodies(required: list[str], optional: list[tuple[str, str]]) -> str:
    """A JSON array of the required bodies, then of each optional one whose condition holds."""
    comma = " || ',' || "
    parts = [f"'[' || {comma.join(required)}"]
    parts += [f"CASE WHEN {test} THEN ',' || {body} ELSE '' END" for test, body in optional]
    return " || ".join([*parts, "']'"])


def _entity(alias: str) -> str:
    return (
        f"CASE WHEN {alias}.id IS NULL THEN 'null' "
        f"ELSE {_object(('id', _number(f'{alias}.id')), ('name', _string(f'{alias}.name')))} END"
    )


def _address(path: str) -> str:
    """A JSON string: the server's address (as ADDRESS), then `path` (an SQL expression)."""
    return f"""'"' || {AT} || {path} || '"'"""


SELECTORS = (
    "'[' || "
    + _object(
        ("type", _literal("TextQuoteSelector")),
        ("exact", _string("t.exact")),
        ("prefix", _string("t.prefix")),
        ("suffix", _string("t.suffix")),
    )
    + " || ',' || "
    + _object(
        ("type", _literal("TextPositionSelector")),
        ("start", _number("t.start")),
        ("end", _number('t."end"')),
    )
    + " || ']'"
)
ARTICLE = _address("'api/v1/articles/' || t.article_id || '/'")
# A span's target: the article's URL and the selectors; a note on a whole article targets
# the URL itself.
SPAN_TARGET = _object(("source", ARTICLE), ("selector", SELECTORS))
# context(), with ADDRESS for the address.
_SENTINEL = "https://address.invalid/"
CONTEXT = f" || {AT} || ".join(
    "'" + part.replace("'", "''") + "'"
    for part in json.dumps(context(_SENTINEL), separators=(",", ":")).split(_SENTINEL)
)
CREATOR = (
    f"CASE WHEN t.created_by_id IS NULL THEN {_literal(MACHINE)} ELSE "
    + _object(
        ("type", _literal("Person")),
        ("nickname", _string("(SELECT username FROM auth_user WHERE id = t.created_by_id)")),
    )
    + " END"
)


def _document(kind: str, bodies: str, target: str, record: list[tuple[str, str]]) -> str:
    """The annotation's JSON (keys in this order), with ADDRESS where the server's
    address goes."""
    return _object(
        ("@context", CONTEXT),
        ("id", _address(f"'api/v1/annotations/{kind}-' || t.id || '/'")),
        ("type", _literal("Annotation")),
        ("motivation", _literal(MOTIVATIONS[kind])),
        ("creator", CREATOR),
        ("created", _time("t.created_at")),
        ("modified", _time("t.updated_at")),
        ("body", bodies),
        ("target", target),
        (
            "newsdesk",
            _object(
                ("type", _literal(kind)),
                ("id", _number("t.id")),
                ("article", _number("t.article_id")),
                *record,
            ),
        ),
    )


QUOTE_KIND = "t.kind || ' quote'"
# Per kind, its review status and origin as SQL: notes are analysts' own work (confirmed)
# and have no origin column (analyst). The documents show them and the feed's filters
# look at them.
STATUS = {
    "mention": "t.status",
    "note": "'confirmed'::text",
    "quote": "t.status",
    "stance": "t.status",
}
ORIGIN = {
    "mention": "t.origin",
    "note": "'analyst'::text",
    "quote": "t.origin",
    "stance": "t.origin",
}


def _review(kind: str) -> list[tuple[str, str]]:
    return [("status", _string(STATUS[kind])), ("origin", _string(ORIGIN[kind]))]


# Per kind: the table, the joins its document needs, and the document.
DOCUMENTS = {
    "mention": (
        "articles_mention",
        "JOIN articles_entity e ON e.id = t.entity_id",
        _document(
            "mention",
            _bodies([_text("e.name", "identifying"), _text("e.kind", "classifying")], []),
            SPAN_TARGET,
            [*_review("mention"), ("entity", _entity("e"))],
        ),
    ),
    "note": (
        "annotations_note",
        "",
        _document(
            "note",
            _bodies([_text("t.text", "commenting")], []),
            f"CASE WHEN t.start IS NULL THEN {ARTICLE} ELSE {SPAN_TARGET} END",
            [
                *_review("note"),
                ("quote", _number("t.quote_id")),
                ("stance", _number("t.stance_id")),
            ],
        ),
    ),
    "quote": (
        "annotations_quote",
        "LEFT JOIN articles_entity sp ON sp.id = t.speaker_id",
        _document(
            "quote",
            _bodies(
                [_text(QUOTE_KIND, "classifying")],
                [
                    ("sp.id IS NOT NULL", _text("sp.name", "identifying")),
                    ("t.cue <> ''", _text("t.cue", "describing")),
                ],
            ),
            SPAN_TARGET,
            [
                ("kind", _string("t.kind")),
                *_review("quote"),
                ("speaker", _entity("sp")),
                ("speaker_start", _number("t.speaker_start")),
                ("speaker_end", _number("t.speaker_end")),
                ("cue", _string("t.cue")),
                ("cue_start", _number("t.cue_start")),
                ("cue_end", _number("t.cue_end")),
                ("statement", _number("t.statement_id")),
            ],
        ),
    ),
    "stance": (
        "annotations_stance",
        "JOIN articles_entity h ON h.id = t.holder_id "
        "JOIN annotations_polarity p ON p.id = t.polarity_id "
        "LEFT JOIN articles_entity te ON te.id = t.target_entity_id",
        _document(
            "stance",
            _bodies(
                [
                    _text("p.slug", "classifying"),
                    _text("h.name", "identifying"),
                    _text("COALESCE(te.name, t.target_text)", "tagging"),
                ],
                [("t.note <> ''", _text("t.note", "commenting"))],
            ),
            SPAN_TARGET,
            [
                *_review("stance"),
                ("polarity", _string("p.slug")),
                ("holder", _entity("h")),
                ("target", _entity("te")),
                ("target_text", _string("t.target_text")),
                ("quote", _number("t.quote_id")),
                ("note", _string("t.note")),
            ],
        ),
    ),
}

# What else an annotation shows: (table, the columns shown, per annotation table the
# columns that point at it).
SHOWN = {
    "articles_entity": (
        ("name", "kind"),
        {
            "articles_mention": ("entity_id",),
            "annotations_quote": ("speaker_id",),
            "annotations_stance": ("holder_id", "target_entity_id"),
        },
    ),
    "auth_user": (
        ("username",),
        {DOCUMENTS[kind][0]: ("created_by_id",) for kind in selectors.KINDS},
    ),
    "annotations_polarity": (("slug",), {"annotations_stance": ("polarity_id",)}),
}


# The feed's columns besides the key: what its filters and its order look at, the writing
# transaction (sync tokens) and the document.
FEED_COLUMNS = (
    "updated_at",
    "article_id",
    "created_by_id",
    "status",
    "origin",
    sync.COLUMN,
    "doc",
)


def _render(kind: str, where: str) -> str:
    """Write the feed rows of the kind's rows that `where` selects."""
    table, joins, document = DOCUMENTS[kind]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in FEED_COLUMNS)
    return (
        f"INSERT INTO {FEED_TABLE} (rank, id, {', '.join(FEED_COLUMNS)}) "
        f"SELECT {selectors.RANK[kind]}, t.id, t.updated_at, t.article_id, t.created_by_id, "
        f"{STATUS[kind]}, {ORIGIN[kind]}, pg_current_xact_id(), {document} "
        f"FROM {table} t {joins} "
        f"WHERE {where} "
        f"ON CONFLICT (rank, id) DO UPDATE SET {updates}"
    )


@cache
def _statements() -> tuple[str, ...]:
    statements = [
        f"""
        CREATE TABLE IF NOT EXISTS {FEED_TABLE} (
            rank smallint NOT NULL,
            id bigint NOT NULL,
            updated_at timestamptz NOT NULL,
            article_id bigint NOT NULL,
            created_by_id integer,
            status varchar(16) NOT NULL,
            origin varchar(16) NOT NULL,
            sync_xid xid8 NOT NULL,
            doc text NOT NULL,
            PRIMARY KEY (rank, id)
        )
        """,
        # Sync order, whole feed and one article's.
        f"CREATE INDEX IF NOT EXISTS {FEED_TABLE}_sync ON {FEED_TABLE} (updated_at, rank, id)",
        f"""CREATE INDEX IF NOT EXISTS {FEED_TABLE}_article
            ON {FEED_TABLE} (article_id, updated_at, rank, id)""",
        # ?sync_token=: the documents written since a snapshot's xmin (newsdesk.sync).
        f"CREATE INDEX IF NOT EXISTS {FEED_TABLE}_sync_xid ON {FEED_TABLE} (sync_xid)",
        f"""
        CREATE OR REPLACE FUNCTION newsdesk_feed_forget() RETURNS trigger AS $$
        BEGIN
            IF TG_LEVEL = 'STATEMENT' THEN  -- TRUNCATE
                DELETE FROM {FEED_TABLE} WHERE rank = TG_ARGV[0]::smallint;
                RETURN NULL;
            END IF;
            DELETE FROM {FEED_TABLE} WHERE rank = TG_ARGV[0]::smallint AND id = OLD.id;
            RETURN OLD;
        END
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE OR REPLACE FUNCTION newsdesk_feed_forget_rows() RETURNS trigger AS $$
        BEGIN
            DELETE FROM {FEED_TABLE}
             WHERE rank = TG_ARGV[0]::smallint AND id IN (SELECT id FROM old_rows);
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql
        """,
    ]
    # Statement-level triggers over the statement's rows (transition tables, one per
    # event): a chunk's extraction writes thousands of mentions and quotes, and a query
    # per row cost five times the one over all of them. They replace the row-level
    # triggers of the same names.
    for kind, (table, _, _) in DOCUMENTS.items():
        rank = selectors.RANK[kind]
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION newsdesk_feed_{kind}() RETURNS trigger AS $$
            BEGIN
                {_render(kind, "t.id IN (SELECT id FROM new_rows)")};
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """,
            f"""
            CREATE OR REPLACE TRIGGER newsdesk_feed_document
            AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION newsdesk_feed_{kind}()
            """,
            f"""
            CREATE OR REPLACE TRIGGER newsdesk_feed_document_upd
            AFTER UPDATE ON {table} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION newsdesk_feed_{kind}()
            """,
            f"""
            CREATE OR REPLACE TRIGGER newsdesk_feed_forget
            AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION newsdesk_feed_forget_rows('{rank}')
            """,
            f"""
            CREATE OR REPLACE TRIGGER newsdesk_feed_forget_all
            AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION newsdesk_feed_forget('{rank}')
            """,
        ]
    for shown_table, (columns, pointers) in SHOWN.items():
        name = f"newsdesk_feed_shown_{shown_table}"
        bumps = "\n".join(
            f"UPDATE {table} SET updated_at = clock_timestamp() "
            f"WHERE {' OR '.join(f'{column} = NEW.id' for column in fks)};"
            for table, fks in pointers.items()
        )
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN
                {bumps}
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """,
            f"""
            CREATE OR REPLACE TRIGGER newsdesk_feed_shown
            AFTER UPDATE OF {", ".join(columns)} ON {shown_table}
            FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {name}()
            """,
        ]
    return tuple(statements)


@cache
def version() -> str:
    """What the stored documents were written by: changes whenever the rendering does."""
    return hashlib.sha256("\n".join(_statements()).encode()).hexdigest()[:16]


def refresh(db: BaseDatabaseWrapper = connection) -> int:
    """Rewrite every stored document (after the rendering changed, or by hand); returns
    how many there are."""
    written = 0
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(f"TRUNCATE {FEED_TABLE}")
        for kind in selectors.KINDS:
            cursor.execute(_render(kind, "TRUE"))
            written += cursor.rowcount
        cursor.execute(f"COMMENT ON TABLE {FEED_TABLE} IS '{version()}'")
    return written


def install(db: BaseDatabaseWrapper) -> None:
    """Create or replace the table and its triggers; when the documents were written by
    another rendering (or the table is new), drop and write them all again, in the same
    transaction."""
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(f"SELECT obj_description(to_regclass('{FEED_TABLE}'), 'pg_class')")
        (stored,) = cursor.fetchone()
        stale = stored != version()
        if stale:
            # Derived data: a table of an older shape goes, and is written again below.
            cursor.execute(f"DROP TABLE IF EXISTS {FEED_TABLE}")
        for statement in _statements():
            cursor.execute(statement)
        if stale:
            refresh(db)


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # Sent once per app after the whole plan ran; the annotations app's turn is enough.
    if sender.name == "annotations":
        from django.db import connections

        install(connections[using])


def _where(filters: selectors.FeedFilters, after: selectors.Position | None) -> str:
    """The feed table's conditions for the filters (and a position to start after), whose
    parameters `_params` gives."""
    where = []
    if len(filters.kinds) < len(selectors.KINDS):
        where.append("f.rank = ANY(%(ranks)s)")
    if filters.article is not None:
        where.append("f.article_id = %(article)s")
    if filters.updated_since is not None:
        where.append("f.updated_at >= %(updated_since)s")
    if filters.since is not None:
        where.append(sync.changed_since_sql(f"f.{sync.COLUMN}", "%(since)s"))
    if filters.created_by is not None:
        where.append("f.created_by_id = (SELECT id FROM auth_user WHERE username = %(created_by)s)")
    if filters.status is not None:
        where.append(f"{_status(filters)} = %(status)s")
    if filters.origin is not None:
        where.append("f.origin = %(origin)s")
    if after is not None:
        where.append("(f.updated_at, f.rank, f.id) > (%(after_at)s, %(after_rank)s, %(after_id)s)")
    if filters.viewer is not None:
        where.append(BLIND)
    return " AND ".join(where) or "TRUE"


def _status(filters: selectors.FeedFilters) -> str:
    """A feed row's status as the reader sees it: for an analyst coding the article
    blind, a machine quote's or stance's status is their own decision (suggested until
    they make one; a suggestion replaced by their own version, rejected), as
    selectors.team.as_seen_by has it for the lists."""
    if filters.viewer is None:
        return "f.status"
    return SEEN_STATUS


def _doc(filters: selectors.FeedFilters) -> str:
    """The stored document, with the reader's own status in it when it differs (the
    record's `"status":"…","origin":"machine"`: article text inside a string has its
    quotation marks escaped, so the pattern occurs in the record alone)."""
    if filters.viewer is None:
        return "f.doc"
    return (
        f"CASE WHEN f.origin = 'machine' AND {SEEN_STATUS} <> f.status THEN "
        'replace(f.doc, \'"status":"\' || f.status || \'","origin":"machine"\', '
        f'\'"status":"\' || {SEEN_STATUS} || \'","origin":"machine"\') '
        "ELSE f.doc END"
    )


_BLIND_ARTICLES = team.blind_articles_sql("%(viewer)s")
_VERDICT = (
    "(SELECT CASE d.verdict WHEN 'corrected' THEN 'rejected' ELSE d.verdict END "
    "FROM annotations_{kind}decision d WHERE d.{kind}_id = f.id "
    "AND d.analyst_id = %(viewer)s)"
)
SEEN_STATUS = (
    "(CASE WHEN f.origin = 'machine' AND f.rank = ANY(%(decided_ranks)s) "
    f"AND f.article_id IN ({_BLIND_ARTICLES}) THEN COALESCE("
    f"CASE WHEN f.rank = %(quote_rank)s THEN {_VERDICT.format(kind='quote')} "
    f"ELSE {_VERDICT.format(kind='stance')} END, 'suggested') ELSE f.status END)"
)

# What an analyst who codes articles blind may not see (selectors.team.hidden_from, in
# SQL): on those articles, others' quotes, stances and notes, and gold. Mentions are the
# corpus's, seen by all.
BLIND = f"NOT (f.rank = ANY(%(coded_ranks)s) AND {team.hidden_rows_sql('f', '%(viewer)s')})"


def _params(filters: selectors.FeedFilters, after: selectors.Position | None) -> dict[str, Any]:
    return {
        "ranks": [selectors.RANK[kind] for kind in filters.kinds],
        "article": filters.article,
        "updated_since": filters.updated_since,
        "since": filters.since,
        "created_by": filters.created_by,
        "status": filters.status,
        "origin": filters.origin,
        "after_at": after.updated_at if after else None,
        "after_rank": after.rank if after else None,
        "after_id": after.id if after else None,
        "viewer": filters.viewer,
        "coded_ranks": [selectors.RANK[kind] for kind in ("note", "quote", "stance")],
        "decided_ranks": [selectors.RANK[kind] for kind in ("quote", "stance")],
        "quote_rank": selectors.RANK["quote"],
    }


def _escaped(base: str) -> str:
    """The server's address as it goes into JSON strings (it has nothing to escape)."""
    return json.dumps(base)[1:-1]


def annotation_page(
    filters: selectors.FeedFilters, after: selectors.Position | None, size: int, base: str
) -> tuple[str, selectors.Position | None]:
    """Up to `size` annotations after `after` in sync order (updated_at, kind, id), as the
    JSON text of their list's items (comma-separated: `[` + it + `]` is the list), and
    the position to continue from (None on the last page): one index range scan of the
    feed table, whatever the filters. (Joining the documents with string_agg in the
    database cost it twice the CPU of sending the rows.) The position carries no token;
    the caller adds the pull's."""
    query = (
        # The key as text: only the last row's is parsed (for the next cursor).
        f"SELECT f.updated_at::text, f.rank, f.id, {_doc(filters)} FROM {FEED_TABLE} f "
        f"WHERE {_where(filters, after)} "
        "ORDER BY f.updated_at, f.rank, f.id LIMIT %(limit)s"
    )
    params = {**_params(filters, after), "limit": size + 1}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    position = None
    if len(rows) > size:
        when, rank, pk, _ = rows[size - 1]
        position = selectors.Position(parse_datetime(when), rank, pk)
    items = ",".join(doc for *_, doc in rows[:size])
    return items.replace(ADDRESS, _escaped(base)), position


def _chunks(filters: selectors.FeedFilters, *, titles: bool = False) -> Iterator[list[Any]]:
    """Every stored document the filters select, in sync order, a chunk at a time, read
    through a server-side cursor: memory holds one chunk, never the feed. With `titles`,
    each is a (document, its article's title) pair, joined by the same query (the
    article's primary key: one index probe a row)."""
    title = ", a.title" if titles else ""
    join = " JOIN articles_article a ON a.id = f.article_id" if titles else ""
    query = (
        f"SELECT {_doc(filters)}{title} FROM {FEED_TABLE} f{join} "
        f"WHERE {_where(filters, None)} ORDER BY f.updated_at, f.rank, f.id"
    )
    # In a transaction, the server-side cursor streams; outside one (autocommit), it would
    # be WITH HOLD, and PostgreSQL would first write the whole result out to hold it.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(query, _params(filters, None))
        while rows := cursor.fetchmany(EXPORT_CHUNK):
            yield list(rows) if titles else [doc for (doc,) in rows]


def annotation_lines(filters: selectors.FeedFilters, base: str) -> Iterator[str]:
    """Every annotation the filters select, in sync order, one JSON document a line, as
    stored: nothing is rendered per row. Each string yielded is a chunk's lines."""
    address = _escaped(base)
    for docs in _chunks(filters):
        yield "".join(f"{doc}\n" for doc in docs).replace(ADDRESS, address)


def annotation_rows(filters: selectors.FeedFilters, base: str) -> Iterator[dict[str, Any]]:
    """Every annotation the filters select, in sync order, flattened to a CSV row (`flat`)
    from its stored document and its article's title."""
    address = _escaped(base)
    for rows in _chunks(filters, titles=True):
        for doc, title in rows:
            yield flat(json.loads(doc.replace(ADDRESS, address)), title)


def annotation_document(
    kind: str, pk: int, base: str, viewer: int | None = None
) -> tuple[str, datetime] | None:
    """One annotation's stored document (JSON text) and its row's updated_at (for the
    ETag), or None when there is none (or `viewer` codes its article blind and may not
    see it)."""
    filters = selectors.FeedFilters(viewer=viewer)
    blind = f" AND {BLIND}" if viewer is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_doc(filters)}, updated_at FROM {FEED_TABLE} f "
            f"WHERE rank = %(rank)s AND id = %(id)s{blind}",
            {**_params(filters, None), "rank": selectors.RANK[kind], "id": pk},
        )
        row = cursor.fetchone()
    if row is None:
        return None
    doc, updated_at = row
    return doc.replace(ADDRESS, _escaped(base)), updated_at


# The CSV export's columns, one per field, so that no cell holds two values (a note's
# text is its own cell, whatever it contains). First the ones every analyst reads, in
# this order; then what keeps a row tied to the rest (`id`: with `kind`, the row's key, as
# in the annotation's IRI, the JSON record and the `deleted` feed) and what only one kind
# has (a quote's kind, a mention's entity and the entity's kind). A column that is not
# the row's kind's stays empty.
CSV_COLUMNS = (
    "kind",
    "article",
    "article title",
    "start",
    "end",
    "exact",
    "speaker",
    "cue",
    "holder",
    "target",
    "polarity",
    "note",
    "status",
    "origin",
    "creator",
    "created",
    "modified",
    "id",
    "quote kind",
    "entity",
    "entity kind",
)


def _name(ref: dict[str, Any] | None) -> str | None:
    return ref["name"] if ref else None


def flat(annotation: dict[str, Any], title: str) -> dict[str, Any]:
    """One CSV row (CSV_COLUMNS) of an annotation and its article's title. Empty text
    (no cue, no note) is an empty cell, as a missing value is."""
    record = annotation["newsdesk"]
    kind = record["type"]
    target = annotation["target"]
    position = target["selector"][1] if isinstance(target, dict) else {}
    exact = target["selector"][0]["exact"] if isinstance(target, dict) else None
    row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS)
    row.update(
        {
            "kind": kind,
            "article": record["article"],
            "article title": title,
            "start": position.get("start"),
            "end": position.get("end"),
            "exact": exact,
            "status": record.get("status"),
            "origin": record.get("origin"),
            "creator": annotation["creator"].get("nickname"),
            "created": annotation["created"],
            "modified": annotation["modified"],
            "id": record["id"],
        }
    )
    if kind == "quote":
        row["speaker"] = _name(record["speaker"])
        row["cue"] = record["cue"] or None
        row["quote kind"] = record["kind"]
    elif kind == "stance":
        row["holder"] = _name(record["holder"])
        row["target"] = _name(record["target"]) or record["target_text"] or None
        row["polarity"] = record["polarity"]
        row["note"] = record["note"] or None
    elif kind == "note":
        # The note's text is its one body (commenting).
        row["note"] = annotation["body"][0]["value"]
    elif kind == "mention":
        # Its bodies: the entity's name (identifying), then its kind (classifying).
        row["entity"] = _name(record["entity"])
        row["entity kind"] = annotation["body"][1]["value"]
    return row
