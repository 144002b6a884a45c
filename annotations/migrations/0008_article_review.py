"""ArticleReview moves to this app: the review figures are about annotations, and the
triggers that keep them (on quotes, mentions, stances and notes) are this app's.

The table is renamed, not copied, so the figures stay as they are. The trigger functions
(articles migration 0008) are renamed and their bodies rewritten for the new table name;
the triggers themselves stay on their tables and follow the functions they call.
"""

import django.db.models.deletion
from django.db import migrations, models

RENAME_FUNCTIONS = """
ALTER FUNCTION articles_review_article_added() RENAME TO annotations_review_article_added;
ALTER FUNCTION articles_review_article_gone() RENAME TO annotations_review_article_gone;
ALTER FUNCTION articles_review_deleted() RENAME TO annotations_review_deleted;
ALTER FUNCTION articles_review_inserted() RENAME TO annotations_review_inserted;
ALTER FUNCTION articles_review_refresh(ids bigint[]) RENAME TO annotations_review_refresh;
ALTER FUNCTION articles_review_truncated() RENAME TO annotations_review_truncated;
ALTER FUNCTION articles_review_updated() RENAME TO annotations_review_updated;
"""

UNRENAME_FUNCTIONS = """
ALTER FUNCTION annotations_review_article_added() RENAME TO articles_review_article_added;
ALTER FUNCTION annotations_review_article_gone() RENAME TO articles_review_article_gone;
ALTER FUNCTION annotations_review_deleted() RENAME TO articles_review_deleted;
ALTER FUNCTION annotations_review_inserted() RENAME TO articles_review_inserted;
ALTER FUNCTION annotations_review_refresh(ids bigint[]) RENAME TO articles_review_refresh;
ALTER FUNCTION annotations_review_truncated() RENAME TO articles_review_truncated;
ALTER FUNCTION annotations_review_updated() RENAME TO articles_review_updated;
"""

FUNCTIONS = """
CREATE OR REPLACE FUNCTION annotations_review_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotations_articlereview (article_id, quotes, suggestions, status)
    SELECT a.id, 0, 0, 'untouched' FROM articles_article a WHERE a.id = ANY(ids)
    ON CONFLICT (article_id) DO NOTHING;
    PERFORM 1 FROM annotations_articlereview
     WHERE article_id = ANY(ids) ORDER BY article_id FOR UPDATE;
    UPDATE annotations_articlereview r
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

CREATE OR REPLACE FUNCTION annotations_review_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM annotations_review_refresh(ARRAY(SELECT DISTINCT article_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION annotations_review_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM annotations_review_refresh(ARRAY(
        SELECT article_id FROM new_rows UNION SELECT article_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION annotations_review_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM annotations_review_refresh(ARRAY(SELECT DISTINCT article_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION annotations_review_article_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotations_articlereview (article_id, quotes, suggestions, status)
    SELECT id, 0, 0, 'untouched' FROM new_rows
    ON CONFLICT (article_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION annotations_review_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'articles_article' THEN
        DELETE FROM annotations_articlereview;
    ELSE
        PERFORM annotations_review_refresh(ARRAY(SELECT id FROM articles_article));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION annotations_review_article_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM annotations_articlereview WHERE article_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
"""

# The bodies as articles migration 0008 wrote them, for a migration backwards.
OLD_FUNCTIONS = FUNCTIONS.replace("annotations_review_", "articles_review_").replace(
    "annotations_articlereview", "articles_articlereview"
)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0007_sync_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE articles_articlereview RENAME TO annotations_articlereview",
                    "ALTER TABLE annotations_articlereview RENAME TO articles_articlereview",
                ),
            ],
            state_operations=[
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
                                default=0,
                                help_text="Suggested quotes and mentions not yet reviewed.",
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
                        "indexes": [
                            models.Index(fields=["status"], name="articlereview_status_idx")
                        ],
                    },
                ),
            ],
        ),
        migrations.RunSQL(
            [RENAME_FUNCTIONS, FUNCTIONS],
            [UNRENAME_FUNCTIONS, OLD_FUNCTIONS],
            elidable=False,
        ),
    ]
