"""A tag added to or taken off a quote, stance or note, or a tag renamed, is a change of
that annotation: the API lists its tags, so a sync pull (newsdesk.sync) must return it.
The link rows live in the many-to-many tables, which carry no sync_xid; these triggers
rewrite the annotation row itself, whose own BEFORE UPDATE triggers then stamp its
sync_xid and updated_at, however the link was written (the admin, a service, SQL).

One statement per link statement (transition tables), so tagging many rows at once is one
UPDATE, not one per row.
"""

from django.db import migrations

LINKS = {  # the link table: (the annotation table, its column in the link table)
    "annotations_quote_tags": ("annotations_quote", "quote_id"),
    "annotations_stance_tags": ("annotations_stance", "stance_id"),
    "annotations_note_tags": ("annotations_note", "note_id"),
}

FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION annotations_tag_link_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV: the annotation table, and the link table's column that points at it.
    EXECUTE format(
        'UPDATE %I SET id = id WHERE id IN (SELECT %I FROM changed_links)',
        TG_ARGV[0], TG_ARGV[1]
    );
    RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION annotations_tag_rename_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE annotations_quote SET id = id
    WHERE id IN (SELECT quote_id FROM annotations_quote_tags WHERE tag_id = NEW.id);
    UPDATE annotations_stance SET id = id
    WHERE id IN (SELECT stance_id FROM annotations_stance_tags WHERE tag_id = NEW.id);
    UPDATE annotations_note SET id = id
    WHERE id IN (SELECT note_id FROM annotations_note_tags WHERE tag_id = NEW.id);
    RETURN NULL;
END $$
""",
]

INSTALL = [
    *FUNCTIONS,
    *(
        f"CREATE TRIGGER annotations_tag_link_{event.lower()} AFTER {event} ON {link} "
        f"REFERENCING {'NEW' if event == 'INSERT' else 'OLD'} TABLE AS changed_links "
        f"FOR EACH STATEMENT EXECUTE FUNCTION annotations_tag_link_touch('{table}', '{column}')"
        for link, (table, column) in LINKS.items()
        for event in ("INSERT", "DELETE")
    ),
    "CREATE TRIGGER annotations_tag_rename AFTER UPDATE OF slug ON annotations_tag "
    "FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug) "
    "EXECUTE FUNCTION annotations_tag_rename_touch()",
]

UNINSTALL = [
    "DROP TRIGGER IF EXISTS annotations_tag_rename ON annotations_tag",
    *(
        f"DROP TRIGGER IF EXISTS annotations_tag_link_{event.lower()} ON {link}"
        for link in LINKS
        for event in ("INSERT", "DELETE")
    ),
    "DROP FUNCTION IF EXISTS annotations_tag_rename_touch()",
    "DROP FUNCTION IF EXISTS annotations_tag_link_touch()",
]


class Migration(migrations.Migration):
    dependencies = [("annotations", "0010_stance_review_status")]

    operations = [migrations.RunSQL(INSTALL, UNINSTALL)]
