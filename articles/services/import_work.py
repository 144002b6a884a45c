"""What a worker does with a chunk of an import batch, and how a batch finishes.

`import_files_process` is idempotent: it only touches files still pending and writes
each outcome once, so a task delivered twice, retried, or re-offered after its worker
died changes nothing twice. The text work runs outside any transaction; the writes of a
chunk happen in one.
"""

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Count, Model, Q
from django.utils import timezone
from psycopg.types.json import Jsonb

from articles import ingest
from articles.ingest.dates import stated_date
from articles.models import (
    Article,
    ArticleBand,
    ImportBatch,
    ImportBatchChrome,
    ImportFile,
    ImportUpload,
    NearDuplicate,
    Outlet,
)
from articles.services.extraction import articles_extract_queued, articles_extract_safely

logger = logging.getLogger(__name__)


def chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    size = max(1, settings.IMPORT_CHUNK_SIZE)
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def outlet_named(name: str) -> Outlet | None:
    name = " ".join(name.split())
    if not name:
        return None
    existing = Outlet.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    outlet, _ = Outlet.objects.get_or_create(name=name)
    return outlet


def metadata_from_json(data: dict[str, str]) -> ingest.Metadata:
    published = data.get("published_at")
    return ingest.Metadata(
        title=data.get("title", ""),
        outlet=data.get("outlet", ""),
        url=data.get("url", ""),
        published_at=datetime.fromisoformat(published) if published else None,
    )


@dataclass(slots=True)
class _Outcome:
    file: ImportFile
    cleaned: ingest.Cleaned | None = None
    signature: Any = None
    error: str = ""
    duplicate_of: int | None = None


def _read_and_clean(
    file: ImportFile,
    known: dict[str, int],
    evidence: ingest.recurring.Evidence | None = None,
    default_outlet: str = "",
) -> _Outcome:
    if file.sha256 in known:
        return _Outcome(file, duplicate_of=known[file.sha256])
    try:
        with default_storage.open(file.raw.name, "rb") as stream:
            data = stream.read()
    except OSError:
        return _Outcome(file, error="The stored copy of this file is missing; upload it again.")
    try:
        cleaned = ingest.process(
            data,
            name=file.original_name,
            evidence=evidence,
            outlet=file.metadata.get("outlet", ""),
            default_outlet=default_outlet,
        )
    except ingest.IngestError as error:
        return _Outcome(file, error=str(error))
    except Exception as error:  # a bug must not stop the batch; it is logged and shown
        logger.exception("Import of file %s (%s) failed", file.pk, file.original_name)
        return _Outcome(file, error=f"Newsdesk failed on this file ({type(error).__name__}).")
    return _Outcome(file, cleaned=cleaned, signature=ingest.minhash(cleaned.body))


def import_files_process(
    *, batch_id: int, file_ids: Sequence[int], queue_extraction: bool = False
) -> list[int]:
    """Import these pending files of a batch; returns the ids of the articles created.

    Files that are no longer pending (done by an earlier delivery of the same task) are
    skipped. The text work runs outside any transaction; the writes happen in one. The
    new articles are extracted here, or with `queue_extraction` (a worker's task) queued
    for the workers in extraction chunks.
    """
    ImportBatch.objects.filter(pk=batch_id, started_at__isnull=True).update(
        started_at=timezone.now()
    )
    files = list(
        ImportFile.objects.filter(
            batch_id=batch_id, pk__in=file_ids, status=ImportFile.Status.PENDING
        ).select_related("batch__outlet")
    )
    created: list[int] = []
    if files:
        # The batch's pre-pass, read once for the chunk (none for a batch made before it).
        evidence = ingest.recurring.evidence_from_json(
            ImportBatchChrome.objects.filter(batch_id=batch_id)
            .values_list("lines", flat=True)
            .first()
        )
        batch_outlet = files[0].batch.outlet
        default_outlet = batch_outlet.name if batch_outlet else ""
        # The very same bytes imported before: a duplicate without reading them again.
        known = dict(
            ImportFile.objects.filter(
                sha256__in={f.sha256 for f in files},
                status__in=(ImportFile.Status.IMPORTED, ImportFile.Status.DUPLICATE),
                article__isnull=False,
            ).values_list("sha256", "article_id")
        )
        # A few megabytes of text at a time: a chunk of a hundred 1 MiB files would hold
        # a gigabyte of cleaned text at once (bench_upload).
        for group in _by_size(files, settings.IMPORT_CHUNK_BYTES):
            outcomes = [_read_and_clean(file, known, evidence, default_outlet) for file in group]
            created += _persist_each_accounted_for(outcomes)
            del outcomes
    # The batch's counters right after its rows, before the extraction (which takes
    # seconds in process): they would lag the rows the page shows by that long.
    import_batch_refresh(batch_id=batch_id)
    if created and queue_extraction:
        articles_extract_queued(article_ids=created, taper=_batch_nearly_done(batch_id))
    elif created:
        articles_extract_safely(article_ids=created)
    return created


# Errors of the connection, not of a file: the chunk's task retries them (articles.tasks),
# its files still pending. Anything else is the file's (or a bug's) and fails that file.
CONNECTION_ERRORS = (InterfaceError, OperationalError)


def _persist_twice(outcomes: list[_Outcome]) -> list[int]:
    try:
        return _persist(outcomes)
    except IntegrityError:
        # Another worker stored one of these bodies at the same moment; a second pass
        # sees its article and records a duplicate.
        return _persist(outcomes)


def _persist_each_accounted_for(outcomes: list[_Outcome]) -> list[int]:
    """Store a chunk's outcomes in one transaction; when the database refuses it for any
    reason but the connection, store them one file at a time, so that the file at fault
    is recorded failed with the database's reason and every other file is stored."""
    try:
        return _persist_twice(outcomes)
    except CONNECTION_ERRORS:
        raise
    except Exception:
        logger.exception("A chunk of %s files could not be stored together", len(outcomes))
    created: list[int] = []
    for outcome in outcomes:
        try:
            created += _persist_twice([outcome])
        except CONNECTION_ERRORS:
            raise
        except Exception as error:
            logger.exception(
                "File %s (%s) could not be stored", outcome.file.pk, outcome.file.original_name
            )
            _record_failed(outcome.file, _stored_failure(error))
    return created


def _stored_failure(error: Exception) -> str:
    first_line = (str(error).strip().splitlines() or [""])[0][:300]
    if isinstance(error, DatabaseError):
        return f"The database refused this file: {first_line or type(error).__name__}."
    return f"Newsdesk failed while storing this file ({type(error).__name__}: {first_line})."


def _record_failed(file: ImportFile, reason: str) -> None:
    """The file's outcome, failed with `reason`, unless another delivery recorded one."""
    ImportFile.objects.filter(pk=file.pk, status=ImportFile.Status.PENDING).update(
        status=ImportFile.Status.FAILED, error=reason, article=None
    )


def _by_size(files: list[ImportFile], limit: int) -> Iterator[list[ImportFile]]:
    """The files in order, in groups of at most `limit` bytes (a bigger file alone)."""
    group: list[ImportFile] = []
    size = 0
    for file in files:
        if group and size + file.size > limit:
            yield group
            group, size = [], 0
        group.append(file)
        size += file.size
    if group:
        yield group


def _batch_nearly_done(batch_id: int) -> bool:
    """Whether at most one import chunk of the batch is still pending: this chunk's
    articles are then among the last the workers extract (their tasks queue behind the
    others'), and their extraction is queued in tapering chunks."""
    size = max(1, settings.IMPORT_CHUNK_SIZE)
    pending = ImportFile.objects.filter(batch_id=batch_id, status=ImportFile.Status.PENDING)
    return len(pending.values_list("pk", flat=True)[: size + 1]) <= size


def _article_date(
    metadata: ingest.Metadata, cleaned: ingest.Cleaned, today: date
) -> tuple[datetime | None, str]:
    """The metadata's date, else the date the text states (read from the decoded file, so
    that a dated photo caption the cleaner removed still counts), else none: an undated
    article, never the import time."""
    if metadata.published_at is not None:
        return metadata.published_at, ""
    stated = stated_date(cleaned.raw_text, imported=today)
    if stated is None:
        return None, ""
    return datetime.combine(stated.day, time(), tzinfo=UTC), stated.text[:100]


def _persist(outcomes: list[_Outcome]) -> list[int]:
    with transaction.atomic():
        # Lock only these file rows: the batch row is key-share-locked by every other
        # chunk's writes, and SKIP LOCKED on it would skip the whole chunk. A file row
        # another delivery of the same task holds is skipped: that delivery records it.
        still_pending = set(
            ImportFile.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=[o.file.pk for o in outcomes], status=ImportFile.Status.PENDING)
            .values_list("pk", flat=True)
        )
        outcomes = [o for o in outcomes if o.file.pk in still_pending]
        hashes = {o.cleaned.content_hash for o in outcomes if o.cleaned}
        existing = dict(
            Article.objects.filter(content_hash__in=hashes).values_list("content_hash", "pk")
        )
        outlets: dict[str, Outlet | None] = {}
        today = timezone.now().date()
        new: dict[str, Article] = {}
        new_signatures: dict[str, Any] = {}
        for outcome in outcomes:
            file = outcome.file
            file.error, file.article_id = "", None  # a retried pass starts afresh
            file.removed_lines = []
            if outcome.error:
                file.status, file.error = ImportFile.Status.FAILED, outcome.error
                continue
            if outcome.duplicate_of is not None:
                file.status, file.article_id = ImportFile.Status.DUPLICATE, outcome.duplicate_of
                continue
            cleaned = outcome.cleaned
            assert cleaned is not None
            file.encoding = cleaned.encoding
            file.removed_lines = [[line.line, line.reason] for line in cleaned.removed]
            if cleaned.content_hash in existing:
                file.status = ImportFile.Status.DUPLICATE
                file.article_id = existing[cleaned.content_hash]
                continue
            if cleaned.content_hash in new:  # the same text twice in this chunk
                file.status = ImportFile.Status.DUPLICATE
                continue
            metadata = metadata_from_json(file.metadata).merged_over(cleaned.metadata)
            if metadata.outlet not in outlets:
                outlets[metadata.outlet] = outlet_named(metadata.outlet)
            file.status = ImportFile.Status.IMPORTED
            published_at, date_stated = _article_date(metadata, cleaned, today)
            new[cleaned.content_hash] = Article(
                title=(metadata.title or cleaned.title)[:500],
                body=cleaned.body,
                raw_text=cleaned.raw_text,
                outlet=outlets[metadata.outlet] or file.batch.outlet,
                url=metadata.url[:2000],
                published_at=published_at,
                date_stated=date_stated,
                content_hash=cleaned.content_hash,
                word_count=cleaned.word_count,
                minhash=ingest.signature_to_bytes(outcome.signature),
            )
            new_signatures[cleaned.content_hash] = outcome.signature
        Article.objects.bulk_create(list(new.values()), batch_size=500)
        for outcome in outcomes:
            cleaned = outcome.cleaned
            if cleaned and outcome.file.article_id is None and cleaned.content_hash in new:
                outcome.file.article_id = new[cleaned.content_hash].pk
        # Plain executemany: thousands of band rows and per-file outcomes a chunk, where
        # bulk_create's model instances and bulk_update's CASE expressions cost more
        # than the database work (profiled on FNC-1: 3 of 11 ms per file).
        _insert_many(
            ArticleBand,
            ("article_id", "key"),
            [
                (new[content_hash].pk, key)
                for content_hash, signature in new_signatures.items()
                for key in set(ingest.lsh_bands(signature))
            ],
        )
        # updated_at: the database's clock (a trigger, migration 0012).
        _executemany(
            f"UPDATE {_table(ImportFile)} SET status = %s, error = %s, article_id = %s, "  # noqa: S608 (names from model meta)
            "encoding = %s, removed_lines = %s WHERE id = %s",
            [
                (
                    o.file.status,
                    o.file.error,
                    o.file.article_id,
                    o.file.encoding,
                    Jsonb(o.file.removed_lines),
                    o.file.pk,
                )
                for o in outcomes
            ],
        )
    return [article.pk for article in new.values()]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[Model]) -> str:
    return _q(model._meta.db_table)


def _insert_many(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows with COPY."""
    if not rows:
        return
    names = ", ".join(_q(column) for column in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {_table(model)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _executemany(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


@dataclass(frozen=True, slots=True)
class BatchProgress:
    files_total: int
    files_done: int
    imported: int
    duplicate: int
    failed: int
    status: str


def import_batch_refresh(*, batch_id: int) -> BatchProgress:
    """Recount a batch's counters from its files' rows and finish it when none is pending.

    Idempotent: the counters are derived from the ImportFile rows, never incremented, so a
    redelivered task, two workers at once or a manual rerun all converge on the same
    figures. A batch finishes `done` even when some of its files failed; finishing links
    the near-duplicates among its new articles.
    """
    with transaction.atomic():
        # Lock the batch row so that two refreshes cannot interleave their writes.
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        counts = ImportFile.objects.filter(batch_id=batch_id).aggregate(
            total=Count("id"),
            pending=Count("id", filter=Q(status=ImportFile.Status.PENDING)),
            imported=Count("id", filter=Q(status=ImportFile.Status.IMPORTED)),
            duplicate=Count("id", filter=Q(status=ImportFile.Status.DUPLICATE)),
            failed=Count("id", filter=Q(status=ImportFile.Status.FAILED)),
        )
        batch.files_total = counts["total"]
        batch.imported = counts["imported"]
        batch.duplicate = counts["duplicate"]
        batch.failed = counts["failed"]
        batch.files_done = batch.imported + batch.duplicate + batch.failed
        now = timezone.now()
        packed = ImportUpload.objects.filter(batch_id=batch_id, unpacked_at__isnull=True)
        if batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING):
            if counts["pending"] == 0 and not packed.exists():
                if batch.imported:
                    _link_near_duplicates(batch_id)
                batch.status = ImportBatch.Status.DONE
                batch.finished_at = now
                batch.started_at = batch.started_at or now
            elif batch.files_done:
                batch.status = ImportBatch.Status.RUNNING
                batch.started_at = batch.started_at or now
        batch.save()
    return BatchProgress(
        files_total=batch.files_total,
        files_done=batch.files_done,
        imported=batch.imported,
        duplicate=batch.duplicate,
        failed=batch.failed,
        status=batch.status,
    )


def _link_near_duplicates(batch_id: int) -> int:
    """Link each article this batch created to the earlier articles it reprints.

    Candidates are the articles sharing an LSH band with it (one indexed query); only
    those are compared, on their MinHash signatures. Returns the number of links made.
    """
    new_ids = ImportFile.objects.filter(
        batch_id=batch_id, status=ImportFile.Status.IMPORTED
    ).values("article_id")
    shared = ArticleBand.objects.filter(
        key__in=ArticleBand.objects.filter(article_id__in=new_ids).values("key")
    ).values_list("key", "article_id")
    by_key: dict[str, set[int]] = defaultdict(set)
    for key, article_id in shared.iterator(chunk_size=5000):
        by_key[key].add(article_id)
    ours = set(new_ids.values_list("article_id", flat=True))
    pairs = {
        (min(a, b), max(a, b))
        for members in by_key.values()
        if len(members) > 1
        for a in members & ours
        for b in members
        if a != b
    }
    if not pairs:
        return 0
    involved = {article_id for pair in pairs for article_id in pair}
    signatures = {
        pk: ingest.signature_from_bytes(bytes(blob))
        for pk, blob in Article.objects.filter(pk__in=involved).values_list("pk", "minhash")
        if blob
    }
    links = []
    for original, reprint in sorted(pairs):
        if original not in signatures or reprint not in signatures:
            continue
        similarity = ingest.estimate_similarity(signatures[original], signatures[reprint])
        if similarity >= ingest.NEAR_DUPLICATE_THRESHOLD:
            links.append(
                NearDuplicate(article_id=reprint, original_id=original, similarity=similarity)
            )
    NearDuplicate.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


def import_batch_process_pending(*, batch_id: int) -> BatchProgress:
    """Unpack a batch's received uploads and import its pending files in this process,
    chunk by chunk (no worker)."""
    from articles.services.imports import import_batch_unpack  # it imports this module

    import_batch_unpack(batch_id=batch_id, enqueue=False)
    pending = list(
        ImportFile.objects.filter(batch_id=batch_id, status=ImportFile.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in chunks(pending):
        import_files_process(batch_id=batch_id, file_ids=chunk)
    return import_batch_refresh(batch_id=batch_id)
