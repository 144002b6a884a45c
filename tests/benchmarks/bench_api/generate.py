"""Fill the benchmark's own database with seeded synthetic coverage, fast.

100,000 articles and 1,000,000 annotations (650,000 machine mentions, 150,000 machine and
50,000 analyst quotes, 100,000 stances, 50,000 notes) over 3,000 entities, written with
PostgreSQL COPY in one transaction: an interrupted run leaves nothing behind, and a run
that finds every count in place does nothing. Every span row passes the anchor triggers.
"""

import json
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from tests.benchmarks.bench_api import rows, synth
from tests.benchmarks.bench_api.rows import ARTICLES, CHUNK, END, OUTLETS, TABLES, YEAR

ROOT = Path(__file__).resolve().parents[3]
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "newsdesk_bench_api"
DATABASE_URL = os.environ.get(
    "BENCH_API_DATABASE_URL", ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
)
MARKER = ROOT / "var" / "bench" / "api-generate.json"

SEED = 20260101
ENTITIES = 3_000

# Users: the poster creates stances in the run (and they are deleted after it); the client
# reads; the admin token stands in for /me/ until that endpoint exists; the annotators
# wrote the generated analyst quotes, stances and notes.
POSTER = "bench-analyst"
CLIENT = "bench-client"
ADMIN = "bench-admin"
ANNOTATORS = ("analyst-amara", "analyst-bastian", "analyst-corin")
USERS = {POSTER: "analyst", CLIENT: "api-client", ADMIN: "admin"} | dict.fromkeys(
    ANNOTATORS, "analyst"
)

EXPECTED = {
    "articles": ARTICLES,
    "entities": ENTITIES,
    "mentions": sum(rows.mentions_of(i) for i in range(1, ARTICLES + 1)),
    "quotes": 2 * ARTICLES,
    "stances": ARTICLES,
    "notes": ARTICLES // 2,
}
COUNT_SQL = {
    "articles": "SELECT count(*) FROM articles_article",
    "entities": "SELECT count(*) FROM articles_entity",
    "mentions": "SELECT count(*) FROM articles_mention",
    "quotes": "SELECT count(*) FROM annotations_quote",
    # The run's own stances (the poster's) are deleted after it; only these count.
    "stances": "SELECT count(*) FROM annotations_stance WHERE created_by_id IN "
    "(SELECT id FROM auth_user WHERE username LIKE 'analyst-%')",
    "notes": "SELECT count(*) FROM annotations_note",
}


def log(message: str) -> None:
    print(f"[bench_api] {message}", file=sys.stderr, flush=True)


def create_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if not found:
            log(f"creating database {DATABASE}")
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def migrate() -> None:
    env = dict(os.environ, DATABASE_URL=DATABASE_URL, DJANGO_ENV="development")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def counts(connection: psycopg.Connection) -> dict[str, int]:
    return {name: connection.execute(sql).fetchone()[0] for name, sql in COUNT_SQL.items()}  # type: ignore[index]


def ensure_users() -> dict[str, int]:
    """The benchmark users (through the project's own service) and their API tokens."""
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DJANGO_ENV"] = "development"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from newsdesk.services import user_create

    ids = {}
    for username, role in USERS.items():
        found = get_user_model().objects.filter(username=username).first()
        user = found or user_create(
            username=username, role=role, password=secrets.token_urlsafe(24)
        )
        if username in (POSTER, CLIENT, ADMIN):
            Token.objects.get_or_create(user=user)
        ids[username] = user.pk
    connections.close_all()
    return ids


@contextmanager
def _timer(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log(f"{label} in {time.perf_counter() - started:.1f}s")


def _copy(cursor: psycopg.Cursor, table: str, data: list[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({TABLES[table]}) FROM STDIN") as copy:
        for row in data:
            copy.write_row(row)


def _fill(connection: psycopg.Connection, users: dict[str, int]) -> None:
    rng = random.Random(SEED)
    named = synth.entities(ENTITIES)
    names = [name for name, _ in named]
    cum_weights = synth.zipf_cum_weights(len(names), 0.9)
    polarities: dict[str, int] = dict(
        connection.execute("SELECT slug, id FROM annotations_polarity").fetchall()
    )
    missing = set(synth.POLARITIES) - set(polarities)
    if missing:
        raise RuntimeError(f"polarities {sorted(missing)} are missing: is the DB migrated?")
    cursor = connection.cursor()
    cursor.executemany(
        "INSERT INTO articles_outlet (id, created_at, updated_at, name, domain, country) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        [(i + 1, END - YEAR, END - YEAR, *outlet) for i, outlet in enumerate(OUTLETS)],
    )
    with cursor.copy(
        "COPY articles_entity (id, created_at, updated_at, name, kind, description, "
        "wikidata_id) FROM STDIN"
    ) as copy:
        for i, (name, kind) in enumerate(named):
            copy.write_row((i + 1, END - YEAR, END - YEAR, name, kind, "", ""))
    started = time.perf_counter()
    done = 0
    annotators = [users[name] for name in ANNOTATORS]
    for first in range(1, ARTICLES + 1, CHUNK):
        chunk_rows = rows.chunk_rows(rng, first, names, cum_weights, annotators, polarities)
        for table, chunk in chunk_rows.by_table().items():
            _copy(cursor, table, chunk)
            if table != "articles_article":
                done += len(chunk)
        articles = min(first + CHUNK - 1, ARTICLES)
        if articles % 10_000 == 0 or articles == ARTICLES:
            elapsed = time.perf_counter() - started
            log(f"{articles:,} articles, {done:,} annotations ({elapsed:.0f}s)")
    for table in ("articles_outlet", "articles_entity", "articles_article", "annotations_quote"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
        )


# The triggers that stamp rows with the database's clock and their writing transaction
# (articles 0010, annotations 0007). The generated coverage spans a year, as a real
# corpus's does: its times are written as they are, and its rows get sync_xid 0, as rows
# committed before any sync token existed. Off within the filling transaction only.
CLOCK_TRIGGERS = ("newsdesk_sync_stamp", "newsdesk_clock_stamp")


def _clock_triggers(connection: psycopg.Connection, action: str) -> None:
    assert action in ("DISABLE", "ENABLE"), action
    found = connection.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = ANY(%s) AND c.relname = ANY(%s)",
        [list(CLOCK_TRIGGERS), ["articles_outlet", "articles_entity", *TABLES]],
    ).fetchall()
    for table, trigger in found:
        connection.execute(f"ALTER TABLE {table} {action} TRIGGER {trigger}")


def _truncate(connection: psycopg.Connection) -> None:
    # Only ever on the benchmark's own database; CASCADE reaches every table that points
    # at articles or entities (aliases, imports, bands, statements, tags, ...).
    assert connection.info.dbname == DATABASE, connection.info.dbname
    connection.execute(
        "TRUNCATE articles_outlet, articles_entity, articles_article, articles_mention, "
        "annotations_quote, annotations_stance, annotations_note RESTART IDENTITY CASCADE"
    )
    if connection.execute("SELECT to_regclass('annotations_deletion')").fetchone() != (None,):
        connection.execute("TRUNCATE annotations_deletion RESTART IDENTITY")


def ensure() -> dict[str, int]:
    """Create, migrate and fill the database unless every count is already there."""
    create_database()
    with _timer("migrate"):
        migrate()
    users = ensure_users()
    with psycopg.connect(DATABASE_URL) as connection:
        found = counts(connection)
        if found == EXPECTED:
            log(f"data present in {DATABASE}: {found}")
            return found
        log(f"found {found}, want {EXPECTED}: generating (seed {SEED})")
        started = time.perf_counter()
        with connection.transaction():
            _truncate(connection)
            _clock_triggers(connection, "DISABLE")
            _fill(connection, users)
            # ALTER TABLE waits for no deferred check: run the pending ones now.
            connection.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _clock_triggers(connection, "ENABLE")
        copy_seconds = time.perf_counter() - started
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection, _timer("vacuum analyze"):
        # With the tables the triggers filled: the search documents and review figures
        # (without their statistics the planner guesses a search matches 500 articles).
        derived = (
            "annotations_feed_document",
            "articles_articlesearch",
            "annotations_articlereview",
        )
        for table in ("articles_entity", *TABLES, *derived):
            connection.execute(f"VACUUM ANALYZE {table}")
        found = counts(connection)
    seconds = time.perf_counter() - started
    log(f"generated {found} in {seconds:.0f}s")
    MARKER.parent.mkdir(parents=True, exist_ok=True)
    MARKER.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "seed": SEED,
                "counts": found,
                "seconds": {"copy": round(copy_seconds, 1), "total": round(seconds, 1)},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return found
