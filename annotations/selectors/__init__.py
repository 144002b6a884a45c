"""Reads shared by the API and the workbench: every annotation in one feed.

Quotes, stances, notes and mentions live in four tables; the feed walks them together in
sync order (updated_at, kind, id). A page takes the next n+1 rows of each table from the
cursor, each with an indexed range scan, and merges them: four queries a page, however
large the tables. A cursor is the (updated_at, kind, id) of the last row a client read,
so rows written while it pages land after it, never on a page it has read.
"""

import base64
import binascii
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from annotations.models import Note, Quote, Stance
from articles.models import Mention, Origin, ReviewStatus
from articles.selectors import EXPORT_CHUNK

KINDS = ("mention", "note", "quote", "stance")
RANK = {kind: rank for rank, kind in enumerate(KINDS)}


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


@dataclass(frozen=True, slots=True)
class Position:
    updated_at: datetime
    rank: int
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.updated_at.isoformat(), self.rank, self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "Position":
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            when, rank, pk = json.loads(raw)
            updated_at = parse_datetime(when)
            if updated_at is None or not isinstance(rank, int) or not isinstance(pk, int):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
            raise BadCursor("Invalid cursor: use the `next` link of a page as it is.") from error
        return cls(updated_at, rank, pk)


def _base(kind: str) -> QuerySet[Any]:
    """Each kind with the joins its annotation needs."""
    if kind == "quote":
        return Quote.objects.select_related("speaker", "created_by")
    if kind == "stance":
        return Stance.objects.select_related("holder", "target_entity", "polarity", "created_by")
    if kind == "note":
        return Note.objects.select_related("created_by")
    return Mention.objects.select_related("entity", "created_by")


def _filtered(kind: str, filters: FeedFilters) -> QuerySet[Any] | None:
    """The kind's rows that pass the filters, or None when none can (a status the kind
    never has). Stances and notes are analysts' own: confirmed, of origin analyst."""
    rows = _base(kind)
    if filters.article is not None:
        rows = rows.filter(article_id=filters.article)
    if filters.updated_since is not None:
        rows = rows.filter(updated_at__gte=filters.updated_since)
    if filters.created_by is not None:
        rows = rows.filter(created_by__username=filters.created_by)
    if filters.status is not None:
        if kind in ("quote", "mention"):
            rows = rows.filter(status=filters.status)
        elif filters.status != ReviewStatus.CONFIRMED:
            return None
    if filters.origin is not None:
        if kind in ("quote", "mention", "stance"):
            rows = rows.filter(origin=filters.origin)
        elif filters.origin != Origin.ANALYST:
            return None
    return rows.order_by("updated_at", "id")


def _after(rows: QuerySet[Any], kind: str, position: Position | None) -> QuerySet[Any]:
    if position is None:
        return rows
    when, rank = position.updated_at, RANK[kind]
    if rank > position.rank:
        return rows.filter(updated_at__gte=when)
    if rank < position.rank:
        return rows.filter(updated_at__gt=when)
    return rows.filter(Q(updated_at__gt=when) | Q(updated_at=when, id__gt=position.id))


def _key(kind: str, row: Any) -> tuple[datetime, int, int]:
    return (row.updated_at, RANK[kind], row.pk)


def annotation_page(
    filters: FeedFilters, after: Position | None, size: int
) -> tuple[list[tuple[str, Any]], Position | None]:
    """Up to `size` (kind, row) pairs after `after`, and the position to continue from
    (None on the last page)."""
    candidates: list[tuple[tuple[datetime, int, int], str, Any]] = []
    for kind in filters.kinds:
        rows = _filtered(kind, filters)
        if rows is None:
            continue
        for row in _after(rows, kind, after)[: size + 1]:
            candidates.append((_key(kind, row), kind, row))
    candidates.sort(key=lambda item: item[0])
    page = candidates[:size]
    more = len(candidates) > size
    last = page[-1][0] if page and more else None
    return [(kind, row) for _, kind, row in page], (Position(*last) if last else None)


def _keyed(kind: str, rows: QuerySet[Any]) -> Iterator[tuple[tuple[datetime, int, int], str, Any]]:
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield _key(kind, row), kind, row


def annotation_stream(filters: FeedFilters) -> Iterator[tuple[str, Any]]:
    """Every (kind, row) that passes the filters, in feed order, fetched in chunks from
    each table at once: memory holds a chunk per kind, never the whole feed."""
    streams = []
    for kind in filters.kinds:
        rows = _filtered(kind, filters)
        if rows is None:
            continue
        streams.append(_keyed(kind, rows))
    for _, kind, row in heapq.merge(*streams, key=lambda item: item[0]):
        yield kind, row


def annotation_get(kind: str, pk: int) -> Any:
    """One row of a kind, with its joins; DoesNotExist when there is none."""
    return _base(kind).get(pk=pk)
