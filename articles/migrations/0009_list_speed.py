"""The article list at scale (100,000 articles): stored search documents, the newest-first
index, and the facets' partial indexes.

- ArticleSearch holds each article's tsvector (title weighted A, body B), written by
  triggers, with a GIN index: a search is an index scan and its ranking reads stored
  vectors; with 0007's expression index, ranking parsed every matching body again (20 s
  for a word most articles have). 0007's index goes, as nothing reads it now.
- article_newest_idx serves the list's default order (published_at DESC NULLS LAST, id
  DESC), which article_published_idx (DESC, i.e. NULLS FIRST) cannot.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(a.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(a.body, '')), 'B')"
)

FUNCTIONS = """
CREATE OR REPLACE FUNCTION articles_search_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_articlesearch (article_id, document)
    SELECT a.id, {DOCUMENT} FROM new_rows a
    ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION articles_search_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM articles_articlesearch;
    ELSE
        DELETE FROM articles_articlesearch WHERE article_id IN (SELECT id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
""".replace("{DOCUMENT}", DOCUMENT)

INSTALL = [
    FUNCTIONS,
    "CREATE TRIGGER articles_article_search_ins AFTER INSERT ON articles_article "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_write()",
    # Only the title can change (the body never does, articles.dbguards).
    "CREATE TRIGGER articles_article_search_upd AFTER UPDATE ON articles_article "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_write()",
    "CREATE TRIGGER articles_article_search_del AFTER DELETE ON articles_article "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_gone()",
    "CREATE TRIGGER articles_article_search_trunc AFTER TRUNCATE ON articles_article "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_gone()",
    f"INSERT INTO articles_articlesearch (article_id, document) "  # noqa: S608 (constants)
    f"SELECT a.id, {DOCUMENT} FROM articles_article a ON CONFLICT DO NOTHING",
    "CREATE INDEX articlesearch_document_idx ON articles_articlesearch USING gin (document)",
    'DROP INDEX IF EXISTS "article_search_idx"',
    "CREATE INDEX article_newest_idx ON articles_article (published_at DESC NULLS LAST, id DESC)",
]

UNINSTALL = [
    "DROP INDEX IF EXISTS article_newest_idx",
    "DROP INDEX IF EXISTS articlesearch_document_idx",
    *(
        f"DROP TRIGGER IF EXISTS articles_article_search_{suffix} ON articles_article"
        for suffix in ("ins", "upd", "del", "trunc")
    ),
    "DROP FUNCTION IF EXISTS articles_search_write()",
    "DROP FUNCTION IF EXISTS articles_search_gone()",
]


def install(apps, schema_editor):
    for statement in INSTALL:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in UNINSTALL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_article_review"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleSearch",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("status", "rejected"), _negated=True),
                fields=["entity", "article"],
                name="mention_entity_kept_idx",
            ),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
