"""Sync tokens (newsdesk/sync.py) on this app's tables, as articles 0010 does on its own
(whose docstring says why; its trigger functions are the ones used here).

- quotes, statements, stances, notes: `sync_xid`, its index, and the trigger that stamps
  it with the writing transaction and updated_at (created_at on insert) with the
  database's clock.
- polarities, tags: the clock only (no list of theirs is synced).
- tombstones (annotations_deletion): `sync_xid` only, on insert; their deleted_at is
  already the database's clock_timestamp() (articles.dbguards). The deleted feed's `?sync_token=`
  reads the index; pruning (annotations.services.tombstones) reads deletion_since_idx.
"""

from django.db import migrations

SYNCED = ("annotations_quote", "annotations_statement", "annotations_stance", "annotations_note")
CLOCK_ONLY = ("annotations_polarity", "annotations_tag")
TOMBSTONES = "annotations_deletion"


def column(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN sync_xid xid8 NOT NULL DEFAULT '0'",
        # ?sync_token=: the rows written since a snapshot's xmin, then filtered exactly.
        f"CREATE INDEX {table}_sync_xid ON {table} (sync_xid)",
    ]


INSTALL = [
    *(
        statement
        for table in SYNCED
        for statement in [
            *column(table),
            f"CREATE TRIGGER newsdesk_sync_stamp BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION newsdesk_sync_stamp()",
        ]
    ),
    *(
        f"CREATE TRIGGER newsdesk_clock_stamp BEFORE INSERT OR UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION newsdesk_clock_stamp()"
        for table in CLOCK_ONLY
    ),
    *column(TOMBSTONES),
    # A tombstone is written once; changing one later is no new deletion.
    f"CREATE TRIGGER newsdesk_sync_xid BEFORE INSERT ON {TOMBSTONES} "
    "FOR EACH ROW EXECUTE FUNCTION newsdesk_sync_xid()",
]
UNINSTALL = [
    f"DROP TRIGGER IF EXISTS newsdesk_sync_xid ON {TOMBSTONES}",
    f"ALTER TABLE {TOMBSTONES} DROP COLUMN IF EXISTS sync_xid",
    *(f"DROP TRIGGER IF EXISTS newsdesk_clock_stamp ON {table}" for table in CLOCK_ONLY),
    *(f"DROP TRIGGER IF EXISTS newsdesk_sync_stamp ON {table}" for table in SYNCED),
    *(f"ALTER TABLE {table} DROP COLUMN IF EXISTS sync_xid" for table in SYNCED),
]


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0006_list_speed"),
        ("articles", "0010_sync_tokens"),
    ]

    operations = [
        migrations.RunSQL(INSTALL, UNINSTALL),
    ]
