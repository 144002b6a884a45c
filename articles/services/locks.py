"""Serialising work that must not interleave across workers (one story or actor created
twice by two chunks at once), with the database's own locks: no home-made lock service."""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def serialised(name: str) -> Iterator[None]:
    """Hold a lock called `name` until the surrounding transaction ends.

    A transaction-level advisory lock: another worker asking for the same name waits
    until this transaction commits or rolls back. Must be used inside
    `transaction.atomic()`.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("serialised() needs a transaction: wrap it in transaction.atomic()")
    with connection.cursor() as cursor:
        # A stable 32-bit number per name (hash() differs between processes).
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
    yield
