"""The import page's reads: a batch, its figures and a page of its files with what the
machine's first pass found in each, all from one snapshot of the database."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django.utils.module_loading import import_string

from articles.models import Article, ImportBatch, ImportFile, Mention, Origin

# The package defines it before it imports this module.
from articles.selectors import import_batch_extraction

# Entity names shown for each file; the rest are counted.
NAMED_ENTITIES = 4


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Every query inside sees the database as of its first one (REPEATABLE READ, read
    only). Under READ COMMITTED a worker's commit between two queries would show the
    batch's figures from before it and the file rows from after it: "Pending, 0 / 5"
    above five rows saying "Imported". Inside a transaction already (a test, a caller's
    atomic block) the isolation cannot change any more, and is left as it is."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class _CountedPaginator(Paginator):
    """A paginator told its count (the figures already have it): no COUNT query."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


@dataclass(frozen=True, slots=True)
class Figures:
    """A batch's files by status, counted from the rows themselves."""

    total: int
    pending: int
    imported: int
    duplicate: int
    failed: int

    @property
    def done(self) -> int:
        return self.imported + self.duplicate + self.failed

    def of(self, status: str) -> int:
        return int(getattr(self, status)) if status else self.total


@dataclass(frozen=True, slots=True)
class BatchPage:
    batch: ImportBatch
    figures: Figures
    status: str  # an ImportBatch.Status value, as the rows have it
    finished: bool
    unpacking: int
    files: Page
    status_filter: str
    # The first pass over the batch's new articles (None when no extraction is set up).
    extraction: dict[str, int] | None

    @property
    def status_label(self) -> str:
        return str(ImportBatch.Status(self.status).label)


def _status(batch: ImportBatch, figures: Figures) -> str:
    """The batch's status as its rows have it. Its stored status is written by the
    refresh after a chunk's rows commit, so in between the rows are ahead of it: a pending
    batch with files done is running, and one with none pending is finishing (shown as
    running until the refresh marks it done)."""
    if batch.status not in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING):
        return str(batch.status)
    if figures.done or batch.started_at is not None or batch.status == ImportBatch.Status.RUNNING:
        return str(ImportBatch.Status.RUNNING)
    return str(ImportBatch.Status.PENDING)


def _with_findings(files: Any) -> Any:
    """The files with their article, its story and what the first pass found in it, in
    the files' one query (correlated subqueries per row of the page, each served by an
    index on the article; the quotes and stances come from the configured
    IMPORT_FINDINGS, the annotations layer)."""
    machine = Mention.objects.filter(article_id=OuterRef("article_id"), origin=Origin.MACHINE)
    entities = (
        machine.order_by()
        .values("article_id")
        .annotate(n=Count("entity_id", distinct=True))
        .values("n")
    )
    # The most mentioned entities first.
    names = (
        machine.order_by()
        .values("entity_id", "entity__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "entity__name")
        .values("entity__name")[:NAMED_ENTITIES]
    )
    story_size = (
        Article.objects.filter(story_id=OuterRef("article__story_id"))
        .order_by()
        .values("story_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    extra: dict[str, Any] = {}
    if getattr(settings, "IMPORT_FINDINGS", ""):
        extra = import_string(settings.IMPORT_FINDINGS)("article_id")
    return files.annotate(
        found_entities=Coalesce(Subquery(entities, output_field=IntegerField()), Value(0)),
        entity_names=ArraySubquery(names),
        story_size=Coalesce(Subquery(story_size, output_field=IntegerField()), Value(0)),
        **extra,
    )


def import_batch_page(
    *, batch_id: int, status: str = "", page_number: Any = 1, per_page: int = 100
) -> BatchPage | None:
    """The batch, its figures and one page of its files (those of `status` when given),
    or None when there is no such batch. Five queries, whatever the number of files: the
    batch, its files counted by status, the page of files with their findings, the
    articles those reprint, and the first pass's progress over the batch."""
    if status not in ImportFile.Status.values:
        status = ""
    with one_snapshot():
        batch = (
            ImportBatch.objects.select_related("created_by", "outlet")
            .annotate(unpacking=Count("uploads", filter=Q(uploads__unpacked_at__isnull=True)))
            .filter(pk=batch_id)
            .first()
        )
        if batch is None:
            return None
        by_status = dict(
            ImportFile.objects.filter(batch_id=batch_id)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        figures = Figures(
            total=sum(by_status.values()),
            **{value: by_status.get(value, 0) for value in ImportFile.Status.values},
        )
        files = (
            ImportFile.objects.filter(batch_id=batch_id)
            .select_related("article__story")
            .defer("article__body", "article__raw_text", "article__minhash")
            .prefetch_related("article__reprint_of")
            .order_by("pk")
        )
        if status:
            files = files.filter(status=status)
        page = _CountedPaginator(_with_findings(files), per_page, figures.of(status)).get_page(
            page_number
        )
        # Evaluated here, inside the snapshot.
        page.object_list = rows = list(page.object_list)
        for row in rows:
            row.more_entities = max(0, row.found_entities - len(row.entity_names))
        extraction = import_batch_extraction(batch) if settings.INGEST_EXTRACTION else None
    unpacking = int(batch.unpacking)
    return BatchPage(
        batch=batch,
        figures=figures,
        status=_status(batch, figures),
        finished=batch.status not in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING),
        unpacking=unpacking,
        files=page,
        status_filter=status,
        extraction=extraction,
    )
