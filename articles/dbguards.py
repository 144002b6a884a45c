"""Database triggers for the invariants a CHECK constraint cannot hold.

- An article's body (and its content hash) never changes once stored: every span in the
  project points into it.
- A span's TextQuoteSelector matches the body it points into: body[start:end] == exact,
  and prefix/suffix are the (up to) 32 characters either side. `span_guard()` gives the
  statement that guards one span table: this app's mentions here, the spans of the apps
  built on this one in their own `ready()`.

They are (re)installed after every `migrate` (see ArticlesConfig.ready), so that a
changed definition here reaches every database without a migration of its own. Every
statement is idempotent. PostgreSQL counts string positions in characters, as Python does,
so the offsets mean the same in both.
"""

from typing import Any

from django.apps import AppConfig
from django.db.backends.base.base import BaseDatabaseWrapper

from articles.anchoring import CONTEXT_CHARS

# The f-strings below interpolate only this module's constants (messages, table names),
# never input; pyproject.toml exempts this file from S608 for that reason.

BODY_IMMUTABLE = "Article body is immutable: every annotation points into it."
ANCHOR_MISMATCH = "Span does not match the article body (body[start:end] must equal exact)."

_FUNCTIONS = [
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
    CREATE OR REPLACE TRIGGER newsdesk_article_body_immutable
    BEFORE UPDATE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION newsdesk_article_body_immutable()
    """,
]


def span_guard(table: str) -> str:
    """The trigger that refuses a row of `table` (a span of articles_article.body: start,
    "end", exact, prefix, suffix, article_id) whose text does not match the body."""
    return f"""
        CREATE OR REPLACE TRIGGER newsdesk_span_matches_body
        BEFORE INSERT OR UPDATE ON {table}
        FOR EACH ROW EXECUTE FUNCTION newsdesk_span_matches_body()
        """


def install(connection: BaseDatabaseWrapper) -> None:
    """Create or replace the triggers on this connection's database."""
    with connection.cursor() as cursor:
        for statement in [*_FUNCTIONS, span_guard("articles_mention")]:
            cursor.execute(statement)


def install_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Sent once per app after the whole plan ran; the articles app's turn is enough.
    if sender.name == "articles":
        from django.db import connections

        install(connections[using])
