"""Full-text search of the article list: a GIN index on the article's weighted text.

PostgreSQL only. The expression is exactly `articles.selectors.browse.search_vector()`
(title weighted A, body weighted B, 'english' configuration): the planner uses an
expression index only for the very same expression. On SQLite, which has neither GIN nor
to_tsvector, the migration does nothing and the list searches with LIKE instead.

The index is kept out of Article.Meta.indexes on purpose: SQLite rebuilds a table with all
of its model's indexes whenever a later migration alters it, and would fail on this one.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS "article_search_idx" ON "articles_article" USING gin ((
    setweight(to_tsvector('english'::regconfig, COALESCE("title", '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE("body", '')), 'B')
))
"""
DROP = 'DROP INDEX IF EXISTS "article_search_idx"'


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_sync_indexes"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
