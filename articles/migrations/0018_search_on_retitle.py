"""An article's stored search document is written again only when its title changes.

0009's update trigger rewrote the document (to_tsvector over the title and the whole body)
of every updated article, whatever changed: the extraction's marker and the story each
paid for parsing the body again (~0.4 ms an article, each time). The document depends
only on the title and the body, and the body never changes (articles.dbguards), so the
update trigger now compares the statement's old and new rows and writes only the
retitled ones: the same documents, for a fraction of the work.
"""

from django.db import migrations

# As in 0009 (a migration keeps its own copy).
DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(a.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(a.body, '')), 'B')"
)

RETITLED = """
    CREATE OR REPLACE FUNCTION articles_search_retitled() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO articles_articlesearch (article_id, document)
        SELECT a.id, {DOCUMENT}
          FROM new_rows a JOIN old_rows o ON o.id = a.id
         WHERE a.title IS DISTINCT FROM o.title
        ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NULL;
    END $$
""".replace("{DOCUMENT}", DOCUMENT)

INSTALL = [
    RETITLED,
    "DROP TRIGGER IF EXISTS articles_article_search_upd ON articles_article",
    "CREATE TRIGGER articles_article_search_upd AFTER UPDATE ON articles_article "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_retitled()",
]

UNINSTALL = [
    "DROP TRIGGER IF EXISTS articles_article_search_upd ON articles_article",
    "CREATE TRIGGER articles_article_search_upd AFTER UPDATE ON articles_article "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_search_write()",
    "DROP FUNCTION IF EXISTS articles_search_retitled()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_article_extraction_error"),
    ]

    operations = [
        migrations.RunSQL(INSTALL, UNINSTALL),
    ]
