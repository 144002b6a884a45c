"""This app's database triggers: its spans' anchoring guard, and tombstones.

- Quotes, stances and notes are spans of an article's body, checked against it by the
  articles app's guard (`articles.dbguards.span_guard`), as mentions are.
- Every deleted article, entity, story, statement and span leaves a row in
  annotations_deletion (the API's `deleted` feed), however it was deleted: a service, a
  cascade, the admin, a bulk delete. The tables below this app (articles') get the trigger
  from here: the feed is this app's, and the articles app never knows of it.

Installed after every `migrate` (AnnotationsConfig.ready), after the articles app's, whose
function the span guards call. Every statement is idempotent.
"""

from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper

from articles.dbguards import span_guard

# The f-strings below interpolate only this module's constants (table and kind names),
# never input; pyproject.toml exempts this file from S608 for that reason.

SPAN_TABLES = ("annotations_quote", "annotations_stance", "annotations_note")

# Tables whose deleted rows leave a tombstone, with the kind a client knows them by; span
# tables (these and articles_mention) also record their article.
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
HAVE_ARTICLE = {"articles_mention", *SPAN_TABLES}

RECORD_DELETION = """
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
"""


def _statements() -> list[str]:
    return [
        *(span_guard(table) for table in SPAN_TABLES),
        RECORD_DELETION,
        *(
            f"""
        CREATE OR REPLACE TRIGGER newsdesk_record_deletion
        AFTER DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION newsdesk_record_deletion(
            '{kind}', '{"span" if table in HAVE_ARTICLE else "row"}')
        """
            for table, kind in TOMBSTONE_TABLES.items()
        ),
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create or replace the triggers on this connection's database."""
    with connection.cursor() as cursor:
        for statement in _statements():
            cursor.execute(statement)


def install_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    if sender.name == "annotations":
        from django.db import connections

        install(connections[using])
