"""Inserting many new rows at once with COPY, for the paths that write thousands a chunk.

`bulk_create` prepares every value of every row through its field (a dozen calls a value):
on the extraction's chunk of 100 articles, ~5,000 mentions, ~2,000 quotes and ~4,000
story terms, that preparation cost more than the database's work. `copy_insert` sends the
same rows through one COPY, with the values as the instances hold them (after the fields'
`pre_save`, as `bulk_create` does), which psycopg adapts by type. Like `bulk_create`, it
sends no signals and writes no history; every database trigger fires as on an INSERT
(row-level ones per row, statement-level ones once, with their transition tables).
`copy_rows` sends plain tuples, for rows made by the thousand where even building the
instances costs more than the insert (a chunk's story terms).

Only for models whose fields are plain values (numbers, text, times, foreign keys,
JSON): anything needing a field's own database preparation belongs to `bulk_create`.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import JSONField, Model
from psycopg.types.json import Jsonb


def copy_insert(objs: Sequence[Model]) -> int:
    """Insert these unsaved instances (all of one model) with one COPY; returns how many.
    Their primary keys are the database's and are not read back."""
    if not objs:
        return 0
    model = type(objs[0])
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and getattr(field, "db_returning", False))
    ]
    json = {field.attname for field in fields if isinstance(field, JSONField)}

    def rows() -> Iterable[list[Any]]:
        for obj in objs:
            row = []
            for field in fields:
                value = field.pre_save(obj, add=True)
                if field.attname in json and value is not None:
                    value = Jsonb(value)
                row.append(value)
            yield row

    return copy_rows(model, tuple(field.column for field in fields), rows())


def copy_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert plain rows (values of `columns`, in order; the others take their database
    default or NULL) into `model`'s table with one COPY; returns how many. For the rows
    a pass makes by the thousand, where building model instances would cost more than
    the insert."""
    if isinstance(rows, Sequence) and not rows:
        return 0
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
