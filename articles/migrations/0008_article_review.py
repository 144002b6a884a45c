"""ArticleReview: each article's review figures, kept by PostgreSQL triggers.

The article list filters and counts articles by review status and shows each one's
quotes and suggestions left. Worked out at read time, that scans every article's
annotations (seconds on 100,000 articles); kept in one row per article by statement-level
triggers on quotes, mentions, stances and notes, it is an index lookup.

The refresh locks the articles' rows before it counts, in a statement of its own: under
READ COMMITTED that statement sees whatever a concurrent writer committed while we
waited for its lock, so two writers on one article never leave a count that misses the
other's rows.
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTIONS = """
CREATE OR REPLACE FUNCTION articles_review_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_articlereview (article_id, quotes, suggestions, status)
    SELECT a.id, 0, 0, 'untouched' FROM articles_article a WHERE a.id = ANY(ids)
    ON CONFLICT (article_id) DO NOTHING;
    PERFORM 1 FROM articles_articlereview
     WHERE article_id = ANY(ids) ORDER BY article_id FOR UPDATE;
    UPDATE articles_articlereview r
       SET quotes = c.kept,
           suggestions = c.suggested,
           status = CASE WHEN NOT c.worked THEN 'untouched'
                         WHEN c.suggested > 0 THEN 'in_progress'
                         ELSE 'done' END
      FROM (
        SELECT a.id, q.kept, q.suggested + m.suggested AS suggested,
               q.worked OR m.worked
               OR EXISTS (SELECT 1 FROM annotations_stance s WHERE s.article_id = a.id)
               OR EXISTS (SELECT 1 FROM annotations_note n WHERE n.article_id = a.id)
               AS worked
          FROM articles_article a,
          LATERAL (
            SELECT count(*) FILTER (WHERE status <> 'rejected') AS kept,
                   count(*) FILTER (WHERE status = 'suggested') AS suggested,
                   coalesce(bool_or(origin = 'analyst' OR status <> 'suggested'), false)
                   AS worked
              FROM annotations_quote WHERE article_id = a.id
          ) q,
          LATERAL (
            SELECT count(*) FILTER (WHERE status = 'suggested') AS suggested,
                   coalesce(bool_or(origin = 'analyst' OR status <> 'suggested'), false)
                   AS worked
              FROM articles_mention WHERE article_id = a.id
          ) m
         WHERE a.id = ANY(ids)
      ) c
     WHERE r.article_id = c.id
       AND (r.quotes, r.suggestions, r.status) IS DISTINCT FROM
           (c.kept, c.suggested, CASE WHEN NOT c.worked THEN 'untouched'
                                      WHEN c.suggested > 0 THEN 'in_progress'
                                      ELSE 'done' END);
END $$;

CREATE OR REPLACE FUNCTION articles_review_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_review_refresh(ARRAY(SELECT DISTINCT article_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION articles_review_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_review_refresh(ARRAY(
        SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION articles_review_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_review_refresh(ARRAY(SELECT DISTINCT article_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION articles_review_article_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_articlereview (article_id, quotes, suggestions, status)
    SELECT id, 0, 0, 'untouched' FROM new_rows
    ON CONFLICT (article_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION articles_review_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'articles_article' THEN
        DELETE FROM articles_articlereview;
    ELSE
        PERFORM articles_review_refresh(ARRAY(SELECT id FROM articles_article));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION articles_review_article_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM articles_articlereview WHERE article_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
"""

TABLES = ("annotations_quote", "articles_mention", "annotations_stance", "annotations_note")


def _triggers() -> list[str]:
    statements = []
    for table in TABLES:
        statements += [
            f"CREATE TRIGGER {table}_review_ins AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION articles_review_inserted()",
            f"CREATE TRIGGER {table}_review_upd AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION articles_review_updated()",
            f"CREATE TRIGGER {table}_review_del AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION articles_review_deleted()",
            f"CREATE TRIGGER {table}_review_trunc AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION articles_review_truncated()",
        ]
    statements += [
        "CREATE TRIGGER articles_article_review_ins AFTER INSERT ON articles_article "
        "REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION articles_review_article_added()",
        "CREATE TRIGGER articles_article_review_del AFTER DELETE ON articles_article "
        "REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION articles_review_article_gone()",
        "CREATE TRIGGER articles_article_review_trunc AFTER TRUNCATE ON articles_article "
        "FOR EACH STATEMENT EXECUTE FUNCTION articles_review_truncated()",
    ]
    return statements


def install(apps, schema_editor):
    schema_editor.execute(FUNCTIONS)
    for statement in _triggers():
        schema_editor.execute(statement)
    # Every article stored so far.
    schema_editor.execute(
        "SELECT articles_review_refresh(ARRAY(SELECT id FROM articles_article))"
    )


def uninstall(apps, schema_editor):
    for table in TABLES:
        for suffix in ("ins", "upd", "del", "trunc"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_review_{suffix} ON {table}")
    for suffix in ("ins", "del", "trunc"):
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS articles_article_review_{suffix} ON articles_article"
        )
    for name in ("refresh(bigint[])", "inserted()", "updated()", "deleted()"):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS articles_review_{name}")
    for name in ("article_added()", "article_gone()", "truncated()"):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS articles_review_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_search_index"),
        ("annotations", "0005_sync_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleReview",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="review",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                (
                    "quotes",
                    models.PositiveIntegerField(default=0, help_text="Quotes not rejected."),
                ),
                (
                    "suggestions",
                    models.PositiveIntegerField(
                        default=0, help_text="Suggested quotes and mentions not yet reviewed."
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("untouched", "Untouched"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                        ],
                        default="untouched",
                        max_length=12,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["status"], name="articlereview_status_idx")],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
