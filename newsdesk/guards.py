"""What every write checks and how it refuses, for every app (the kit): who may make it
(roles), that the row is still the version the writer saw (ETags and If-Match), and the
errors the services raise, which the API turns into 400 (with the field), 403 and 412 and
the browser views into messages. And one way to insert a row with its history record.

A refused write changes nothing: every check runs before the first write of its
transaction."""

from contextlib import nullcontext
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from newsdesk import roles


class WriteRefused(ValueError):
    """Bad input, with the field it is about (`non_field_errors` when none)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotAllowed(PermissionError):
    """The user may see the row but not make this change."""


class PreconditionFailed(Exception):
    """The row changed since the writer read it (If-Match does not match its ETag)."""


class Versioned(Protocol):
    pk: Any
    updated_at: datetime


def etag_of(row: Versioned) -> str:
    """A strong ETag: the model, the id and the last change, to the microsecond."""
    micros = int(row.updated_at.timestamp() * 1_000_000)
    return f'"{type(row).__name__.lower()}-{row.pk}-{micros}"'


def check_if_match(row: Versioned, if_match: str | None) -> None:
    """Refuse the write when If-Match names other versions than the row's current one.
    No If-Match (None) means the writer does not ask for the check."""
    if if_match is None:
        return
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in wanted or etag_of(row) in wanted:
        return
    raise PreconditionFailed(
        f"This {type(row).__name__.lower()} has changed since you read it "
        f"(its ETag is now {etag_of(row)}); read it again and redo your change."
    )


def is_annotator(user: Any) -> bool:
    """Analysts and admins write annotations and review suggestions; api-clients read."""
    return roles.role_of(user) in (roles.ANALYST, roles.ADMIN)


def may_own(user: Any, row: Model) -> bool:
    """Analysts change and delete their own items; admins anyone's."""
    if not is_annotator(user):
        return False
    return roles.role_of(user) == roles.ADMIN or getattr(row, "created_by_id", None) == user.pk


def require_annotator(user: Any) -> None:
    if not is_annotator(user):
        raise NotAllowed("Only analysts and admins may change annotations.")


def require_owner(user: Any, row: Model) -> None:
    require_annotator(user)
    if not may_own(user, row):
        raise NotAllowed(f"Only its author or an admin may change this {row._meta.verbose_name}.")


@cache
def _insert_with_history(model: type[Model]) -> tuple[str, list[Field]]:
    """The statement that inserts a row of `model` and its history record ("+"), and the
    fields whose values it takes in order (then the history's time and user)."""
    meta = model._meta
    history = model.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    copied = [f.column for f in meta.concrete_fields]
    own = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")
    recorded = {f.column for f in history._meta.concrete_fields}
    # The history table records the row's columns and its own, nothing else.
    assert recorded == {*copied, *own}, f"{history.__name__} has columns {sorted(recorded)}"
    row_columns = ", ".join(quote(c) for c in copied)
    sql = (
        f"WITH new AS (INSERT INTO {quote(meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING *) "
        f"INSERT INTO {quote(history._meta.db_table)} ({row_columns}, history_date, "
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {', '.join(f'new.{quote(c)}' for c in copied)}, %s, NULL, '+', %s FROM new "
        f"RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def created_with_history(row: Model, user: Any) -> Model:
    """Insert a new row and its history record in one statement: atomic by itself, one
    round trip, no transaction to open and commit around it, and none of the post_save
    queries simple-history would otherwise run. The row's triggers run as for any insert;
    its auto fields (created_at, updated_at) are filled in as the ORM would fill them."""
    sql, fields = _insert_with_history(type(row))
    values = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    # Inside a caller's transaction, a savepoint: a refused insert (IntegrityError) then
    # leaves that transaction usable.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with guard, connection.cursor() as cursor:
        cursor.execute(sql, [*values, timezone.now(), getattr(user, "pk", None)])
        (row.pk,) = cursor.fetchone()
    row._state.adding = False
    row._state.db = connection.alias
    return row
