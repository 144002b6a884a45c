"""History records carry the database's times too. simple-history copies a saved row's
fields from the Python object, whose updated_at (and created_at on an insert) is the ORM's
time, not the one the stamping trigger (0010) stored. A trigger on each history table
takes them from the live row instead, as it stands in the writing transaction; a history
record of a deletion, or of a row the same statement inserted (whose copy came from the
row as stored: guards.created_with_history), keeps what it was given."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION newsdesk_history_clock() RETURNS trigger AS $$
DECLARE
    live_created timestamptz;
    live_updated timestamptz;
BEGIN
    IF NEW.history_type <> '-' THEN
        EXECUTE format('SELECT created_at, updated_at FROM %I WHERE id = $1', TG_ARGV[0])
            INTO live_created, live_updated USING NEW.id;
        IF live_updated IS NOT NULL THEN
            NEW.created_at := live_created;
            NEW.updated_at := live_updated;
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

# (history table, live table)
TABLES = (
    ("articles_historicalarticle", "articles_article"),
    ("articles_historicalentity", "articles_entity"),
    ("articles_historicalentityalias", "articles_entityalias"),
    ("articles_historicalmention", "articles_mention"),
)


def triggers(tables):
    return [
        f"CREATE TRIGGER newsdesk_history_clock BEFORE INSERT ON {history} "
        f"FOR EACH ROW EXECUTE FUNCTION newsdesk_history_clock('{live}')"
        for history, live in tables
    ]


def drops(tables):
    return [f"DROP TRIGGER IF EXISTS newsdesk_history_clock ON {history}" for history, _ in tables]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_importfile_clock"),
    ]

    operations = [
        migrations.RunSQL(
            [FUNCTION, *triggers(TABLES)],
            [*drops(TABLES), "DROP FUNCTION IF EXISTS newsdesk_history_clock()"],
        ),
    ]
