"""Database triggers for the invariants a CHECK constraint cannot hold, and tombstones.

- An article's body (and its content hash) never changes once stored: every span in the
  project points into it.
- A span's TextQuoteSelector matches the body it points into: body[start:end] == exact,
  and prefix/suffix are the (up to) 32 characters either side.
- Every deleted article, entity, story, statement and span leaves a row in
  annotations_deletion (the API's `deleted` feed), however it was deleted: a service, a
  cascade, the admin, a bulk delete.

They are (re)installed after every `migrate` (see ArticlesConfig.ready) rather than by a
migration alone, because SQLite drops a table's triggers whenever Django rebuilds that
table to alter it. Every statement is idempotent. PostgreSQL and SQLite both count string
positions in characters, as Python does, so the offsets mean the same everywhere.
"""

from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper

from articles.anchoring import CONTEXT_CHARS

# The f-strings below interpolate only this module's constants (messages, table names),
# never input; pyproject.toml exempts this file from S608 for that reason.

# Tables whose rows are spans of articles_article.body (start, "end", exact, prefix, suffix).
SPAN_TABLES = (
    "articles_mention",
    "annotations_quote",
    "annotations_stance",
    "annotations_note",
)

# Tables whose deleted rows leave a tombstone in annotations_deletion (the API's deleted
# feed), with the kind a client knows them by; span tables also record their article.
TOMBSTONE_TABLES = {
    "articles_article": "article",
    "articles_entity": "entity",
    "articles_story": "story",
    "articles_mention": "mention",
    "annotations_quote": "quote",
    "annotations_statement": "statement",
    "annotations_stance": "stance",
    "annotations_note": "note",
}

BODY_IMMUTABLE = "Article body is immutable: every annotation points into it."
ANCHOR_MISMATCH = "Span does not match the article body (body[start:end] must equal exact)."

_POSTGRES_FUNCTIONS = [
    f"""
    CREATE OR REPLACE FUNCTION newsdesk_article_body_immutable() RETURNS trigger AS $$
    BEGIN
        IF NEW.body IS DISTINCT FROM OLD.body
           OR NEW.content_hash IS DISTINCT FROM OLD.content_hash THEN
            RAISE EXCEPTION '{BODY_IMMUTABLE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION newsdesk_span_matches_body() RETURNS trigger AS $$
    DECLARE
        before_len integer;
        span_len integer;
        span_window text;
    BEGIN
        -- Spans out of order are the CHECK constraints' to refuse (they run after this).
        IF NEW.start IS NULL OR NEW."end" IS NULL OR NEW.start < 0
           OR NEW."end" <= NEW.start THEN
            RETURN NEW;
        END IF;
        before_len := LEAST(NEW.start, {CONTEXT_CHARS});
        span_len := NEW."end" - NEW.start;
        -- One substr over the body (positions in UTF-8 text are found by scanning), then
        -- cheap ones over the short window: prefix + exact + suffix.
        SELECT substr(body, NEW.start - before_len + 1, before_len + span_len + {CONTEXT_CHARS})
          INTO span_window FROM articles_article WHERE id = NEW.article_id;
        IF left(span_window, before_len) IS DISTINCT FROM NEW.prefix
           OR substr(span_window, before_len + 1, span_len) IS DISTINCT FROM NEW.exact
           OR substr(span_window, before_len + span_len + 1) IS DISTINCT FROM NEW.suffix THEN
            RAISE EXCEPTION '{ANCHOR_MISMATCH}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION newsdesk_record_deletion() RETURNS trigger AS $$
    BEGIN
        -- PL/pgSQL compiles a trigger function per table, so OLD.article_id is only
        -- looked at on the span tables, which have it. clock_timestamp(), not now(): the
        -- time of the delete itself, not of its transaction's start.
        IF TG_ARGV[1] = 'span' THEN
            INSERT INTO annotations_deletion (kind, object_id, article_id, deleted_at)
            VALUES (TG_ARGV[0], OLD.id, OLD.article_id, clock_timestamp());
        ELSE
            INSERT INTO annotations_deletion (kind, object_id, article_id, deleted_at)
            VALUES (TG_ARGV[0], OLD.id, NULL, clock_timestamp());
        END IF;
        RETURN OLD;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE TRIGGER newsdesk_article_body_immutable
    BEFORE UPDATE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION newsdesk_article_body_immutable()
    """,
]


def _postgres_statements() -> list[str]:
    return (
        _POSTGRES_FUNCTIONS
        + [
            f"""
        CREATE OR REPLACE TRIGGER newsdesk_span_matches_body
        BEFORE INSERT OR UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION newsdesk_span_matches_body()
        """
            for table in SPAN_TABLES
        ]
        + [
            f"""
        CREATE OR REPLACE TRIGGER newsdesk_record_deletion
        AFTER DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION newsdesk_record_deletion(
            '{kind}', '{"span" if table in SPAN_TABLES else "row"}')
        """
            for table, kind in TOMBSTONE_TABLES.items()
        ]
    )


def _sqlite_statements() -> list[str]:
    # DROP + CREATE rather than IF NOT EXISTS, so that a changed definition replaces the old.
    statements = [
        "DROP TRIGGER IF EXISTS newsdesk_article_body_immutable",
        f"""
        CREATE TRIGGER newsdesk_article_body_immutable
        BEFORE UPDATE OF body, content_hash ON articles_article
        WHEN NEW.body IS NOT OLD.body OR NEW.content_hash IS NOT OLD.content_hash
        BEGIN SELECT RAISE(ABORT, '{BODY_IMMUTABLE}'); END
        """,
    ]
    # As in the PostgreSQL function: one substr over the body, the rest over the window.
    c = CONTEXT_CHARS
    mismatch = f"""
        NEW.start IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM (
                SELECT substr(body, NEW.start - min(NEW.start, {c}) + 1,
                              min(NEW.start, {c}) + NEW."end" - NEW.start + {c}) AS w
                FROM articles_article WHERE id = NEW.article_id
            )
            WHERE substr(w, 1, min(NEW.start, {c})) IS NEW.prefix
              AND substr(w, min(NEW.start, {c}) + 1, NEW."end" - NEW.start) IS NEW.exact
              AND substr(w, min(NEW.start, {c}) + NEW."end" - NEW.start + 1) IS NEW.suffix
        )
    """
    for table in SPAN_TABLES:
        for event in ("INSERT", "UPDATE"):
            name = f"newsdesk_{table}_anchor_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(
                f"""
                CREATE TRIGGER {name}
                BEFORE {event} ON {table}
                WHEN {mismatch}
                BEGIN SELECT RAISE(ABORT, '{ANCHOR_MISMATCH}'); END
                """
            )
    for table, kind in TOMBSTONE_TABLES.items():
        name = f"newsdesk_{table}_record_deletion"
        article = "OLD.article_id" if table in SPAN_TABLES else "NULL"
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        # Django stores SQLite datetimes as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'.
        statements.append(
            f"""
            CREATE TRIGGER {name} AFTER DELETE ON {table}
            BEGIN
                INSERT INTO annotations_deletion (kind, object_id, article_id, deleted_at)
                VALUES ('{kind}', OLD.id, {article},
                        strftime('%Y-%m-%d %H:%M:%f000', 'now'));
            END
            """
        )
    return statements


def install(connection: BaseDatabaseWrapper) -> None:
    """Create or replace the triggers on this connection's database."""
    if connection.vendor == "postgresql":
        statements = _postgres_statements()
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements()
    else:
        raise NotImplementedError(f"No article guards for the {connection.vendor} backend.")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Sent once per app after the whole plan ran; the articles app's turn is enough.
    if sender.name == "articles":
        from django.db import connections

        install(connections[using])
