"""Reads shared by the API and the workbench: every annotation in one feed.

Quotes, stances, notes and mentions live in four tables; the feed walks their stored W3C
documents (annotations.w3c_sql) together in sync order (updated_at, kind, id). A cursor
is the (updated_at, kind, id) of the last row a client read, so rows written while it
pages land after it, never on a page it has read, and the signed sync token of the pull
it belongs to (newsdesk.sync), so that every page of one pull hands out the same one.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

KINDS = ("mention", "note", "quote", "stance")
RANK = {kind: rank for rank, kind in enumerate(KINDS)}
INVALID_CURSOR = "Invalid cursor: use the `next` link of a page as it is."


class BadCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class FeedFilters:
    kinds: tuple[str, ...] = KINDS
    article: int | None = None
    status: str | None = None
    origin: str | None = None
    created_by: str | None = None
    updated_since: datetime | None = None
    # A sync token's snapshot (pg_snapshot text): only what it did not see committed.
    since: str | None = None
    # An analyst who codes articles blind: not what others made there (selectors.team).
    viewer: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    updated_at: datetime
    rank: int
    id: int
    # The pull's signed sync token, checked by whoever reads it (newsdesk.sync).
    token: str | None = None

    def encode(self) -> str:
        key = [self.updated_at.isoformat(), self.rank, self.id]
        raw = json.dumps(key if self.token is None else [*key, self.token]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "Position":
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            when, rank, pk, *rest = json.loads(raw)
            updated_at = parse_datetime(when)
            token = rest[0] if rest else None
            if (
                updated_at is None
                or not isinstance(rank, int)
                or not isinstance(pk, int)
                or len(rest) > 1
                or not isinstance(token, str | None)
            ):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
            raise BadCursor(INVALID_CURSOR) from error
        return cls(updated_at, rank, pk, token)
