"""Sync tokens: incremental pulls that never miss a commit.

A client that pulls "what changed since time t" misses a row written by a transaction that
stamped it before t and committed after the client read: the row lands behind the
client's cursor for good. A sync token is made of what PostgreSQL knows exactly instead:
which transactions had committed when a pull began.

- Every synced row records the transaction that last wrote it: a column `sync_xid xid8`,
  set by a BEFORE INSERT OR UPDATE trigger to `pg_current_xact_id()` (migrations
  articles 0010 and annotations 0007; the annotation feed's documents in
  annotations.w3c_sql), whatever wrote the row: a service, a bulk update, COPY, the
  admin, another trigger. It is not a model field: only the trigger writes it and only
  this module reads it.
- A pull begins by taking `pg_current_snapshot()` (which transactions had committed) with
  the database's clock, in one query, before it reads any row. That pair, signed with
  django.core.signing (opaque to clients, and a changed byte is refused), is the token
  the pull hands out: in the `Newsdesk-Sync-Token` header of every format, and in the
  body of every JSON page. The pages of one pull all hand out the token of its first
  page, carried in the cursor: a transaction that commits between page 1 and page n is
  not in that snapshot, so the next pull returns it.
- `?sync_token=T` selects the rows whose writer T's snapshot did not see committed:
  `sync_xid >= pg_snapshot_xmin(T) AND NOT pg_visible_in_snapshot(sync_xid, T)`. The first
  conjunct is implied by the second (every transaction below xmin had finished) and lets
  the index on sync_xid serve the query.

Why nothing is missed: a change is either visible in T (the pull that issued T began
after it committed, so that pull's pages, read after T was taken, returned it, unless a
later change replaced it, which is itself not visible in T), or not visible in T, and
then the pull that passes T returns it. A transaction that began before a pull and
commits after it is in T's list of running transactions, however early its rows were
stamped; one still uncommitted during the next pull is again not visible in that pull's
snapshot, and so on until one pull sees it committed.

Deletions leave tombstones (annotations_deletion, with the same column), which are
pruned after SYNC_RETENTION_DAYS (annotations.services.tombstones, a periodic Celery
task). A token issued longer ago than that, or whose snapshot might not have seen a
pruned tombstone's transaction committed (`newsdesk_sync_horizon` keeps the newest such
transaction), is answered 410 Gone: the client starts again from scratch. A token this
server did not sign, or a garbled one, is a 400.

Tokens describe one database's transaction history: after a restore from a dump (not a
replica, which shares it), clients start again from scratch.
"""

import binascii
import re
from base64 import b64decode, b64encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib import parse

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

HEADER = "Newsdesk-Sync-Token"
PARAMETER = "sync_token"
COLUMN = "sync_xid"
HORIZON_TABLE = "newsdesk_sync_horizon"
# Signatures made for tokens are good for nothing else signed with the same key.
SALT = "newsdesk.sync.token"
# pg_snapshot's text form: xmin:xmax:xip,xip,...
SNAPSHOT = re.compile(r"([0-9]{1,20}):([0-9]{1,20}):((?:[0-9]{1,20})(?:,[0-9]{1,20})*)?")

PARAMETER_DESCRIPTION = (
    "A `sync_token` from an earlier pull (the `Newsdesk-Sync-Token` header, or a JSON "
    "page's `sync_token`): only what was created, changed (or, on `deleted`, deleted) in "
    "transactions that had not committed when that pull began, however long they ran. "
    "Every list answers the token to pass next time. A token older than the retention "
    "is refused with 410: pull again without one."
)
HEADER_DESCRIPTION = (
    "The token to pass as `sync_token` on the next pull: every change committed after "
    "this pull began comes then. The same on every page of one pull."
)
GONE_DESCRIPTION = (
    "The `sync_token` is older than the retention of deletions: pull again without it, "
    "from scratch."
)


class TokenGone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "sync_token_expired"
    default_detail = GONE_DESCRIPTION


def _refused(message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({PARAMETER: [message]})


@dataclass(frozen=True, slots=True)
class Token:
    """What committed transactions a pull could see (a pg_snapshot, as text), and when it
    began by the database's clock."""

    snapshot: str
    issued_at: datetime

    @property
    def xmin(self) -> int:
        return int(self.snapshot.split(":", 1)[0])

    def sign(self) -> str:
        # A plain Signer, not signing.dumps (whose timestamp changes every second): the
        # same token is the same text on every page of a pull.
        return signing.Signer(salt=SALT).sign_object([self.snapshot, self.issued_at.isoformat()])

    @classmethod
    def unsign(cls, text: str) -> "Token":
        """The token `text` stands for; BadSignature when this server did not sign it."""
        payload = signing.Signer(salt=SALT).unsign_object(text)
        if not (isinstance(payload, list) and len(payload) == 2):
            raise signing.BadSignature("not a sync token")
        snapshot, issued = payload
        issued_at = parse_datetime(issued) if isinstance(issued, str) else None
        if not isinstance(snapshot, str) or not SNAPSHOT.fullmatch(snapshot) or not issued_at:
            raise signing.BadSignature("not a sync token")
        return cls(snapshot, issued_at)


def changed_since_sql(column: str, placeholder: str = "%s") -> str:
    """An SQL condition: `column` (a sync_xid) was written by a transaction that a token's
    snapshot (the parameter `placeholder` stands for, twice) did not see committed."""
    return (
        f"({column} >= pg_snapshot_xmin({placeholder}::pg_snapshot) "
        f"AND NOT pg_visible_in_snapshot({column}, {placeholder}::pg_snapshot))"
    )


@dataclass(frozen=True, slots=True)
class Pull:
    """One request of a pull: the token the client gave (checked), if any, and this
    request's own snapshot."""

    since: Token | None
    token: Token

    def params(self) -> list[str]:
        """The parameters of `changed_since_sql` for `since`."""
        assert self.since is not None
        return [self.since.snapshot, self.since.snapshot]

    def changed(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows of `queryset` changed since the client's token (all without one)."""
        if self.since is None:
            return queryset
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        condition = RawSQL(  # noqa: S611 (the model's table name; the token is a parameter)
            changed_since_sql(f"{table}.{COLUMN}"), self.params(), output_field=BooleanField()
        )
        return queryset.filter(condition)


def given_token(request: Request) -> Token | None:
    """The client's `sync_token`, its signature checked (no query); a 400 when it is
    garbled, forged, empty or given twice."""
    values = request.query_params.getlist(PARAMETER)
    if not values:
        return None
    if len(values) > 1:
        raise _refused("Give one sync_token.")
    if not values[0].strip():
        raise _refused("Give a value, or leave the parameter out.")
    try:
        return Token.unsign(values[0].strip())
    except signing.BadSignature as error:
        raise _refused(
            "Not a sync token from this server: pass the Newsdesk-Sync-Token header "
            "(or a page's sync_token) of an earlier pull as it is, or leave it out."
        ) from error


def pull_begin(request: Request, using: str = DEFAULT_DB_ALIAS) -> Pull:
    """Check the client's token and take this request's snapshot, in one query, before
    any row is read: what commits later is not in the snapshot, and comes next time.
    `using` is the database the rows are then read from (a replica's snapshot tells what
    that replica has replayed, which is what its pages can list)."""
    since = given_token(request)
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_snapshot()::text, statement_timestamp(), "
            "(SELECT pruned_max::text FROM newsdesk_sync_horizon)"
        )
        snapshot, now, pruned = cursor.fetchone()
    if since is not None:
        retention = timedelta(days=settings.SYNC_RETENTION_DAYS)
        if since.issued_at < now - retention:
            raise TokenGone(
                f"This sync token was issued on {since.issued_at:%Y-%m-%d %H:%M} UTC, more "
                f"than {settings.SYNC_RETENTION_DAYS} days ago, and what was deleted since "
                "is no longer kept. Resync from scratch: pull again without sync_token, "
                "replace your copy with what it lists, and keep the token it gives."
            )
        if since.xmin <= int(pruned or 0):
            raise TokenGone(
                "Deletions this sync token has not seen were pruned. Resync from scratch: "
                "pull again without sync_token, replace your copy with what it lists, and "
                "keep the token it gives."
            )
    return Pull(since=since, token=Token(snapshot, now))


def prune(table: str, time_column: str, days: int) -> int:
    """Delete `table`'s rows (tombstones) older than `days` by the database's clock, and
    raise the horizon to the newest transaction among them, so that a token whose
    snapshot might not have seen one of them is answered 410 from now on. Returns how
    many were deleted. `table` and `time_column` are the caller's constants."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {quote(table)} "  # noqa: S608 (names, not input)
            f"WHERE {quote(time_column)} < statement_timestamp() - make_interval(days => %s) "
            f"RETURNING {COLUMN}), "
            f"raised AS (UPDATE {HORIZON_TABLE} "
            f"SET pruned_max = GREATEST(pruned_max, (SELECT max({COLUMN}) FROM gone)) "
            "WHERE EXISTS (SELECT 1 FROM gone)) "
            "SELECT count(*) FROM gone",
            [days],
        )
        (count,) = cursor.fetchone()
    return int(count)


# --- cursor pages -----------------------------------------------------------------------


class SyncPages:
    """For a DRF CursorPagination: every page is a page of a pull. The page takes the
    pull's snapshot (one query) and keeps what changed since the client's `sync_token`;
    it answers the token in a `sync_token` key beside `next` and in the header. The
    first page's token travels in the cursor of `next` (and `previous`), so every page of
    one pull hands out the same one."""

    cursor_query_param: str
    invalid_cursor_message: str
    base_url: str
    handed: Token

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        carried = self.carried_token(request)
        pull = pull_begin(request, using=queryset.db)
        self.handed = carried or pull.token
        return super().paginate_queryset(pull.changed(queryset), request, view)  # type: ignore[misc]

    def carried_token(self, request: Request) -> Token | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse.parse_qs(b64decode(encoded.encode("ascii")).decode("ascii"))
            signed = tokens.get("s", [None])[0]
            return Token.unsign(signed) if signed is not None else None
        except (ValueError, UnicodeError, binascii.Error, signing.BadSignature) as error:
            raise exceptions.NotFound(self.invalid_cursor_message) from error

    def encode_cursor(self, cursor: Any) -> str:
        # DRF's encoding (o, r, p), with the pull's token (s).
        tokens = {"s": self.handed.sign()}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        encoded = b64encode(parse.urlencode(tokens).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_paginated_response(self, data: Any) -> Response:
        token = self.handed.sign()
        return Response(
            {
                "next": self.get_next_link(),  # type: ignore[attr-defined]
                "previous": self.get_previous_link(),  # type: ignore[attr-defined]
                PARAMETER: token,
                "results": data,
            },
            headers={HEADER: token},
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)  # type: ignore[misc]
        paged["required"] = ["next", "previous", PARAMETER, "results"]
        paged["properties"] = {
            **{k: v for k, v in paged["properties"].items() if k != "results"},
            PARAMETER: {"type": "string", "description": HEADER_DESCRIPTION},
            "results": schema,
        }
        return paged

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        return [*parameters, PARAMETER_SCHEMA]


PARAMETER_SCHEMA = {
    "name": PARAMETER,
    "required": False,
    "in": "query",
    "description": PARAMETER_DESCRIPTION,
    "schema": {"type": "string"},
}


def document(operation: dict[str, Any]) -> None:
    """drf-spectacular postprocessing, per operation: one that takes `sync_token` answers
    the header with every 200, and 410 for a token past the retention."""
    if not any(p.get("name") == PARAMETER for p in operation.get("parameters", [])):
        return
    responses = operation.setdefault("responses", {})
    if "200" in responses:
        responses["200"].setdefault("headers", {})[HEADER] = {
            "description": HEADER_DESCRIPTION,
            "required": True,
            "schema": {"type": "string"},
        }
    detail = {"type": "object", "properties": {"detail": {"type": "string"}}}
    responses.setdefault(
        "410",
        {
            "description": GONE_DESCRIPTION,
            "content": {"application/json": {"schema": {**detail, "required": ["detail"]}}},
        },
    )
