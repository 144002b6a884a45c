"""Bulk import: one batch of files in, one ImportFile row per file, articles out.

`import_batch_create` is the one entry point of the browser, the CLI and the REST API. It
accounts for every file given before it returns (zips are opened here, under the limits
in settings), stores the accepted bytes through Django's storage under their hash, and
hands the pending files to Celery in chunks once the rows are committed.
`import_files_process` is what a worker runs for a chunk; it is idempotent, so a task
delivered twice, retried, or re-offered after a worker died changes nothing twice.
"""

import hashlib
import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Model, Q
from django.utils import timezone

from articles import ingest
from articles.models import Article, ArticleBand, ImportBatch, ImportFile, NearDuplicate, Outlet
from articles.services.extraction import articles_extract

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text")
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
MANIFEST_NAME = "manifest.csv"
# Operating-system litter inside zips and folders: recorded, never imported.
JUNK_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")


class ImportRefused(ValueError):
    """The whole request is refused (nothing was created); the message says why and
    `field` names the input at fault ("files" or "manifest")."""

    def __init__(self, message: str, *, field: str = "files") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Upload:
    """One input as given: the name to show, and a way to read its bytes."""

    name: str
    open: Callable[[], IO[bytes]]
    size: int | None = None
    # Set when the input is refused before reading it (e.g. a folder's stray PDF).
    refusal: str = ""

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> "Upload":
        return cls(name=name or path.name, open=lambda: path.open("rb"), size=path.stat().st_size)

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "Upload":
        return cls(name=name, open=lambda: io.BytesIO(data), size=len(data))

    @classmethod
    def from_file(cls, uploaded: Any) -> "Upload":
        """A Django UploadedFile (browser or API)."""

        def reopen() -> IO[bytes]:
            uploaded.seek(0)
            stream: IO[bytes] = uploaded
            return stream

        return cls(name=str(uploaded.name), open=reopen, size=uploaded.size)


@dataclass(slots=True)
class _Entry:
    """One file of the batch as it will be recorded."""

    name: str
    data: bytes | None = None
    size: int = 0
    error: str = ""
    # The zip (or folder) manifest that covers this file, if it came with one.
    manifest: dict[str, ingest.Metadata] = field(default_factory=dict)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.1f} KB"


def _is_archive(name: str, head: bytes) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES) or head.startswith(ARCHIVE_MAGIC)


def _read_capped(stream: IO[bytes], limit: int) -> bytes:
    # One byte over the limit is enough to know it is too big, whatever a header claimed.
    return stream.read(limit + 1)


def _too_big(size: int) -> str:
    return (
        f"The file is {_megabytes(size)}; the limit is "
        f"{_megabytes(settings.IMPORT_MAX_FILE_BYTES)} per file (IMPORT_MAX_FILE_BYTES)."
    )


def _expand_upload(upload: Upload) -> Iterator[_Entry]:
    if upload.refusal:
        yield _Entry(upload.name, size=upload.size or 0, error=upload.refusal)
        return
    if (
        upload.size is not None
        and upload.size > settings.IMPORT_MAX_FILE_BYTES
        and not (upload.name.lower().endswith(".zip"))
    ):
        yield _Entry(upload.name, size=upload.size, error=_too_big(upload.size))
        return
    if upload.name.lower().endswith(".zip"):
        yield from _expand_zip(upload)
        return
    with upload.open() as stream:
        data = _read_capped(stream, settings.IMPORT_MAX_FILE_BYTES)
    if len(data) > settings.IMPORT_MAX_FILE_BYTES:
        yield _Entry(upload.name, size=upload.size or len(data), error=_too_big(len(data)))
    elif data.startswith(ARCHIVE_MAGIC) or upload.name.lower().endswith(ARCHIVE_SUFFIXES):
        yield _Entry(
            upload.name,
            size=len(data),
            error="This is an archive in a format that is not imported; only .zip is.",
        )
    else:
        yield _Entry(upload.name, data=data, size=len(data))


def _member_refusal(info: zipfile.ZipInfo) -> str:
    """Why a zip member is not imported, from its header alone ("" when it may be)."""
    name = info.filename
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":"):
        return (
            "The name in the zip points outside the archive; the entry was not imported "
            "(names inside a zip are never used as paths)."
        )
    if any(part in JUNK_PARTS or part.startswith("._") for part in path.parts):
        return "Operating-system metadata, not an article; skipped."
    if info.flag_bits & 0x1:
        return "The entry is encrypted; Newsdesk cannot read password-protected zips."
    if name.lower().endswith(ARCHIVE_SUFFIXES):
        return (
            "An archive inside an archive is not opened (a guard against zip bombs); "
            "unzip it and import its files."
        )
    if not name.lower().endswith(TEXT_SUFFIXES):
        kind = path.suffix or "file without an extension"
        return f"Only .txt files are imported from a zip; this is a {kind}."
    ratio = info.file_size / max(info.compress_size, 1)
    # Small entries may compress well by chance (a page of spaces); big ones that expand
    # this much are built to exhaust memory or disk.
    if info.file_size > 64 * 1024 and ratio > settings.IMPORT_MAX_COMPRESSION_RATIO:
        return (
            f"The entry expands {ratio:,.0f} times (limit "
            f"{settings.IMPORT_MAX_COMPRESSION_RATIO}:1, IMPORT_MAX_COMPRESSION_RATIO): "
            "a zip bomb, not an article."
        )
    if info.file_size > settings.IMPORT_MAX_FILE_BYTES:
        return _too_big(info.file_size)
    return ""


def _expand_zip(upload: Upload) -> Iterator[_Entry]:
    with upload.open() as stream:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            yield _Entry(upload.name, size=upload.size or 0, error=f"Not a readable zip: {error}.")
            return
        with archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            declared = sum(info.file_size for info in members)
            if len(members) > settings.IMPORT_MAX_ZIP_MEMBERS:
                yield _Entry(
                    upload.name,
                    size=upload.size or 0,
                    error=(
                        f"The zip holds {len(members):,} files; the limit is "
                        f"{settings.IMPORT_MAX_ZIP_MEMBERS:,} (IMPORT_MAX_ZIP_MEMBERS). "
                        "Split it into smaller zips."
                    ),
                )
                return
            if declared > settings.IMPORT_MAX_ZIP_TOTAL_BYTES:
                yield _Entry(
                    upload.name,
                    size=upload.size or 0,
                    error=(
                        f"The zip expands to {_megabytes(declared)}; the limit is "
                        f"{_megabytes(settings.IMPORT_MAX_ZIP_TOTAL_BYTES)} "
                        "(IMPORT_MAX_ZIP_TOTAL_BYTES). Nothing in it was imported."
                    ),
                )
                return
            manifest: dict[str, ingest.Metadata] = {}
            entries: list[_Entry] = []
            expanded = 0
            for info in members:
                shown = f"{upload.name}/{info.filename}"
                if info.filename == MANIFEST_NAME:
                    try:
                        with archive.open(info) as member:
                            manifest = ingest.read_manifest(_read_capped(member, 10 * 2**20))
                    except (ingest.IngestError, zipfile.BadZipFile, OSError) as error:
                        yield _Entry(shown, size=info.file_size, error=f"Bad manifest: {error}")
                    continue
                reason = _member_refusal(info)
                if not reason:
                    try:
                        with archive.open(info) as member:
                            data = _read_capped(member, settings.IMPORT_MAX_FILE_BYTES)
                    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
                        reason = f"The entry is damaged and cannot be read: {error}."
                    else:
                        expanded += len(data)
                        if len(data) > settings.IMPORT_MAX_FILE_BYTES:
                            reason = _too_big(len(data))
                        elif expanded > settings.IMPORT_MAX_ZIP_TOTAL_BYTES:
                            reason = (
                                "The zip expands past the limit of "
                                f"{_megabytes(settings.IMPORT_MAX_ZIP_TOTAL_BYTES)} here "
                                "(IMPORT_MAX_ZIP_TOTAL_BYTES); this entry was not imported."
                            )
                        elif _is_archive("", data[:8]):
                            reason = (
                                "An archive inside an archive is not opened (a guard "
                                "against zip bombs); unzip it and import its files."
                            )
                if reason:
                    entries.append(_Entry(shown, size=info.file_size, error=reason))
                else:
                    entries.append(_Entry(shown, data=data, size=len(data)))
            for entry in entries:
                entry.manifest = manifest
                yield entry


def uploads_from_paths(paths: Iterable[Path]) -> tuple[list[Upload], Upload | None]:
    """The files under these paths (folders recursively, in name order) and the first
    folder's manifest.csv, if one lies at its top. Files a folder holds that are not .txt
    or .zip are returned as refused uploads, so that they are listed, not lost.
    Raises ImportRefused for a path that does not exist.
    """
    uploads: list[Upload] = []
    manifest: Upload | None = None
    for path in paths:
        if not path.exists():
            raise ImportRefused(f"{path} does not exist.")
        if not path.is_dir():
            uploads.append(Upload.from_path(path))
            continue
        root = path.resolve()
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = file.relative_to(root)
            name = f"{path.name}/{relative.as_posix()}"
            if relative.as_posix() == MANIFEST_NAME:
                manifest = manifest or Upload.from_path(file, name)
                continue
            upload = Upload.from_path(file, name)
            if any(part in JUNK_PARTS or part.startswith(".") for part in relative.parts):
                upload = Upload(name, upload.open, upload.size, "Hidden or system file; skipped.")
            elif not file.name.lower().endswith((*TEXT_SUFFIXES, ".zip")):
                upload = Upload(
                    name,
                    upload.open,
                    upload.size,
                    f"Only .txt files and .zip archives are imported from a folder; "
                    f"this is a {file.suffix or 'file without an extension'}.",
                )
            uploads.append(upload)
    return uploads, manifest


def _store(data: bytes, sha256: str) -> str:
    """Save the bytes under a name made from their hash; the same bytes are stored once."""
    name = f"imports/{sha256[:2]}/{sha256}"
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def _metadata_for(entry: _Entry, manifest: dict[str, ingest.Metadata]) -> dict[str, str]:
    found: ingest.Metadata | None = None
    for table in (manifest, entry.manifest):
        if not table:
            continue
        name = entry.name
        candidates = [name, name.split("/", 1)[-1], PurePosixPath(name).name]
        found = next((table[key] for key in candidates if key in table), None)
        if found:
            break
    if found is None:
        return {}
    return _metadata_json(found)


def _metadata_json(metadata: ingest.Metadata) -> dict[str, str]:
    data = {
        "title": metadata.title,
        "outlet": metadata.outlet,
        "url": metadata.url,
        "published_at": metadata.published_at.isoformat() if metadata.published_at else "",
    }
    return {key: value for key, value in data.items() if value}


def _metadata_from_json(data: dict[str, str]) -> ingest.Metadata:
    published = data.get("published_at")
    return ingest.Metadata(
        title=data.get("title", ""),
        outlet=data.get("outlet", ""),
        url=data.get("url", ""),
        published_at=datetime.fromisoformat(published) if published else None,
    )


def _outlet(name: str) -> Outlet | None:
    name = " ".join(name.split())
    if not name:
        return None
    existing = Outlet.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    outlet, _ = Outlet.objects.get_or_create(name=name)
    return outlet


def import_batch_create(
    *,
    uploads: Iterable[Upload],
    source: str,
    user: Any = None,  # the signed-in user (any user model), or None for the CLI
    outlet_name: str = "",
    manifest: Upload | None = None,
    enqueue: bool = True,
) -> ImportBatch:
    """Record a batch and every file in it, store the accepted bytes, and (after commit)
    queue the pending files for the workers. Refusals of single files are failed rows;
    only a bad manifest or an empty request refuses the whole batch (ImportRefused).
    """
    table: dict[str, ingest.Metadata] = {}
    if manifest is not None:
        with manifest.open() as stream:
            try:
                table = ingest.read_manifest(_read_capped(stream, 10 * 2**20))
            except ingest.IngestError as error:
                raise ImportRefused(
                    f"The manifest {manifest.name} is not usable: {error}", field="manifest"
                ) from error

    rows: list[ImportFile] = []
    for upload in uploads:
        for entry in _expand_upload(upload):
            row = ImportFile(original_name=entry.name[:1024], size=entry.size)
            if len(rows) >= settings.IMPORT_MAX_FILES_PER_BATCH:
                row.status, row.error = (
                    ImportFile.Status.FAILED,
                    f"The batch already has {settings.IMPORT_MAX_FILES_PER_BATCH:,} files, "
                    "the most one batch takes (IMPORT_MAX_FILES_PER_BATCH); import the "
                    "rest in another batch.",
                )
            elif entry.error:
                row.status, row.error = ImportFile.Status.FAILED, entry.error
            else:
                assert entry.data is not None
                row.sha256 = hashlib.sha256(entry.data).hexdigest()
                row.raw = _store(entry.data, row.sha256)
                row.metadata = _metadata_for(entry, table)
            rows.append(row)
    if not rows:
        raise ImportRefused("No files were given.")

    with transaction.atomic():
        batch = ImportBatch.objects.create(
            created_by=user if user is not None and user.is_authenticated else None,
            source=source,
            outlet=_outlet(outlet_name),
            manifest_name=manifest.name[:1024] if manifest else "",
            files_total=len(rows),
        )
        for row in rows:
            row.batch = batch
        ImportFile.objects.bulk_create(rows, batch_size=1000)
        import_batch_refresh(batch_id=batch.pk)
        pending = [row.pk for row in rows if row.status == ImportFile.Status.PENDING]
        if enqueue and pending:
            transaction.on_commit(lambda: _enqueue(batch.pk, pending))
    batch.refresh_from_db()
    return batch


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    size = max(1, settings.IMPORT_CHUNK_SIZE)
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _enqueue(batch_id: int, file_ids: Sequence[int]) -> None:
    from articles import tasks  # tasks import this module

    try:
        for chunk in _chunks(file_ids):
            tasks.import_files.delay(batch_id, chunk)
    except Exception:
        # The rows are committed: a worker re-offers pending files when it starts, and the
        # import page says it is waiting for a worker. Losing the broker loses nothing.
        logger.exception("Could not queue import batch %s; it waits for a worker", batch_id)


@dataclass(slots=True)
class _Outcome:
    file: ImportFile
    cleaned: ingest.Cleaned | None = None
    signature: Any = None
    error: str = ""
    duplicate_of: int | None = None


def _read_and_clean(file: ImportFile, known: dict[str, int]) -> _Outcome:
    if file.sha256 in known:
        return _Outcome(file, duplicate_of=known[file.sha256])
    try:
        with default_storage.open(file.raw.name, "rb") as stream:
            data = stream.read()
    except OSError:
        return _Outcome(file, error="The stored copy of this file is missing; upload it again.")
    try:
        cleaned = ingest.process(data, name=file.original_name)
    except ingest.IngestError as error:
        return _Outcome(file, error=str(error))
    except Exception as error:  # a bug must not stop the batch; it is logged and shown
        logger.exception("Import of file %s (%s) failed", file.pk, file.original_name)
        return _Outcome(file, error=f"Newsdesk failed on this file ({type(error).__name__}).")
    return _Outcome(file, cleaned=cleaned, signature=ingest.minhash(cleaned.body))


def import_files_process(*, batch_id: int, file_ids: Sequence[int]) -> list[int]:
    """Import these pending files of a batch; returns the ids of the articles created.

    Files that are no longer pending (done by an earlier delivery of the same task) are
    skipped. The text work runs outside any transaction; the writes happen in one.
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
        # The very same bytes imported before: a duplicate without reading them again.
        known = dict(
            ImportFile.objects.filter(
                sha256__in={f.sha256 for f in files},
                status__in=(ImportFile.Status.IMPORTED, ImportFile.Status.DUPLICATE),
                article__isnull=False,
            ).values_list("sha256", "article_id")
        )
        outcomes = [_read_and_clean(file, known) for file in files]
        try:
            created = _persist(outcomes)
        except IntegrityError:
            # Another worker stored one of these bodies at the same moment; a second pass
            # sees its article and records a duplicate.
            created = _persist(outcomes)
        if created:
            articles_extract(article_ids=created)
    import_batch_refresh(batch_id=batch_id)
    return created


def _persist(outcomes: list[_Outcome]) -> list[int]:
    with transaction.atomic():
        # Lock only these file rows (of=self, no ordering join): the default ordering
        # joins the batch row, which every other chunk's writes key-share-lock, and
        # SKIP LOCKED would then skip the whole chunk. A row another delivery of the
        # same task holds is skipped: that delivery records it.
        still_pending = set(
            ImportFile.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=[o.file.pk for o in outcomes], status=ImportFile.Status.PENDING)
            .order_by()
            .values_list("pk", flat=True)
        )
        outcomes = [o for o in outcomes if o.file.pk in still_pending]
        hashes = {o.cleaned.content_hash for o in outcomes if o.cleaned}
        existing = dict(
            Article.objects.filter(content_hash__in=hashes).values_list("content_hash", "pk")
        )
        outlets: dict[str, Outlet | None] = {}
        new: dict[str, Article] = {}
        new_signatures: dict[str, Any] = {}
        for outcome in outcomes:
            file = outcome.file
            file.error, file.article_id = "", None  # a retried pass starts afresh
            if outcome.error:
                file.status, file.error = ImportFile.Status.FAILED, outcome.error
                continue
            if outcome.duplicate_of is not None:
                file.status, file.article_id = ImportFile.Status.DUPLICATE, outcome.duplicate_of
                continue
            cleaned = outcome.cleaned
            assert cleaned is not None
            file.encoding = cleaned.encoding
            if cleaned.content_hash in existing:
                file.status = ImportFile.Status.DUPLICATE
                file.article_id = existing[cleaned.content_hash]
                continue
            if cleaned.content_hash in new:  # the same text twice in this chunk
                file.status = ImportFile.Status.DUPLICATE
                continue
            metadata = _metadata_from_json(file.metadata).merged_over(cleaned.metadata)
            if metadata.outlet not in outlets:
                outlets[metadata.outlet] = _outlet(metadata.outlet)
            file.status = ImportFile.Status.IMPORTED
            new[cleaned.content_hash] = Article(
                title=(metadata.title or cleaned.title)[:500],
                body=cleaned.body,
                raw_text=cleaned.raw_text,
                outlet=outlets[metadata.outlet] or file.batch.outlet,
                url=metadata.url[:2000],
                published_at=metadata.published_at,
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
        now = timezone.now()
        _executemany(
            f"UPDATE {_table(ImportFile)} SET status = %s, error = %s, article_id = %s, "  # noqa: S608 (names from model meta)
            "encoding = %s, updated_at = %s WHERE id = %s",
            [
                (o.file.status, o.file.error, o.file.article_id, o.file.encoding, now, o.file.pk)
                for o in outcomes
            ],
        )
    return [article.pk for article in new.values()]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[Model]) -> str:
    return _q(model._meta.db_table)


def _insert_many(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows: COPY on PostgreSQL, multi-row INSERTs elsewhere."""
    if not rows:
        return
    names = ", ".join(_q(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_table(model)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {_table(model)} ({names}) VALUES "  # noqa: S608 (names from model meta)
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        per_statement = 500
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            cursor.execute(
                sql + ", ".join([row_sql] * len(part)),
                [value for row in part for value in row],
            )


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
        if batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING):
            if counts["pending"] == 0:
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
    """Import a batch's pending files in this process, chunk by chunk (no worker)."""
    pending = list(
        ImportFile.objects.filter(batch_id=batch_id, status=ImportFile.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in _chunks(pending):
        import_files_process(batch_id=batch_id, file_ids=chunk)
    return import_batch_refresh(batch_id=batch_id)


def import_batches_resume() -> int:
    """Queue again the pending files of every unfinished batch; returns how many.

    Workers call this when they start, so that files whose task died with a worker (or
    was never queued because the broker was down) are not left pending for ever. Files
    still queued get a second message, which finds them done and does nothing.
    """
    pending: dict[int, list[int]] = defaultdict(list)
    rows = (
        ImportFile.objects.filter(
            status=ImportFile.Status.PENDING,
            batch__status__in=(ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING),
        )
        .order_by("batch_id", "pk")
        .values_list("batch_id", "pk")
    )
    for batch_id, file_id in rows.iterator(chunk_size=5000):
        pending[batch_id].append(file_id)
    for batch_id, file_ids in pending.items():
        _enqueue(batch_id, file_ids)
    return sum(len(ids) for ids in pending.values())
