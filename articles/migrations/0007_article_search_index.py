"""Full-text search of the article list: a GIN index on the article's weighted text.

The expression is title weighted A, body weighted B, 'english' configuration. Migration
0009 replaced this index with stored documents (ArticleSearch) and drops it.
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
    schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_sync_indexes"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
