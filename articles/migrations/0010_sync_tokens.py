"""Sync tokens (newsdesk/sync.py), and one clock for every row's times.

- `sync_xid xid8` on the synced tables of this app (articles, entities, stories,
  mentions; annotations 0007 adds the rest): the transaction that last wrote the row,
  set by a BEFORE INSERT OR UPDATE trigger to pg_current_xact_id() (the top-level
  transaction's, in a savepoint too), whatever wrote it. Not a model field: only the
  trigger writes it, only newsdesk.sync reads it. Rows already stored get 0, which every
  snapshot sees committed: they were, before any token existed. An index on it serves
  `?sync_token=` (`sync_xid >= pg_snapshot_xmin(token) AND NOT pg_visible_in_snapshot`).
- updated_at, and created_at on insert, from the database's clock_timestamp() on every
  TimeStamped table (the ORM's auto_now values are overwritten): one clock for web
  processes, workers and SQL alike. clock_timestamp(), not now(): the moment of the write,
  not of its transaction's start, so two writes of one row in one transaction are two
  versions (two ETags).
- newsdesk_sync_horizon: one row, the newest transaction among the pruned tombstones;
  a token whose snapshot might not have seen it committed is answered 410.
"""

from django.db import migrations

SYNCED = ("articles_article", "articles_entity", "articles_story", "articles_mention")
CLOCK_ONLY = ("articles_outlet", "articles_entityalias")

FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION newsdesk_sync_stamp() RETURNS trigger AS $$
    BEGIN
        NEW.sync_xid := pg_current_xact_id();
        NEW.updated_at := clock_timestamp();
        IF TG_OP = 'INSERT' THEN
            NEW.created_at := NEW.updated_at;
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION newsdesk_clock_stamp() RETURNS trigger AS $$
    BEGIN
        NEW.updated_at := clock_timestamp();
        IF TG_OP = 'INSERT' THEN
            NEW.created_at := NEW.updated_at;
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    # Rows with no times of their own (tombstones): the writer's transaction only.
    """
    CREATE OR REPLACE FUNCTION newsdesk_sync_xid() RETURNS trigger AS $$
    BEGIN
        NEW.sync_xid := pg_current_xact_id();
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TABLE newsdesk_sync_horizon (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        pruned_max xid8 NOT NULL DEFAULT '0'
    )
    """,
    "INSERT INTO newsdesk_sync_horizon DEFAULT VALUES",
]


def synced(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN sync_xid xid8 NOT NULL DEFAULT '0'",
        # ?sync_token=: the rows written since a snapshot's xmin, then filtered exactly.
        f"CREATE INDEX {table}_sync_xid ON {table} (sync_xid)",
        f"CREATE TRIGGER newsdesk_sync_stamp BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION newsdesk_sync_stamp()",
    ]


def clock_only(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER newsdesk_clock_stamp BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION newsdesk_clock_stamp()",
    ]


INSTALL = [
    *FUNCTIONS,
    *(statement for table in SYNCED for statement in synced(table)),
    *(statement for table in CLOCK_ONLY for statement in clock_only(table)),
]
UNINSTALL = [
    *(f"DROP TRIGGER IF EXISTS newsdesk_clock_stamp ON {table}" for table in CLOCK_ONLY),
    *(f"DROP TRIGGER IF EXISTS newsdesk_sync_stamp ON {table}" for table in SYNCED),
    *(f"ALTER TABLE {table} DROP COLUMN IF EXISTS sync_xid" for table in SYNCED),
    "DROP TABLE IF EXISTS newsdesk_sync_horizon",
    "DROP FUNCTION IF EXISTS newsdesk_sync_xid()",
    "DROP FUNCTION IF EXISTS newsdesk_clock_stamp()",
    "DROP FUNCTION IF EXISTS newsdesk_sync_stamp()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_list_speed"),
    ]

    operations = [
        migrations.RunSQL(INSTALL, UNINSTALL),
    ]
