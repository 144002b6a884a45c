"""Bulk import: one batch of files in, one ImportFile row per file, articles out.

`import_batch_create` is the one entry point of the browser, the CLI and the REST API. It
accounts for every file given before it returns (zips are opened here, under the limits
in settings), stores the accepted bytes through Django's storage under their hash, and
hands the pending files to Celery in chunks once the rows are committed.
`import_work.import_files_process` is what a worker runs for a chunk; it is idempotent,
so a task delivered twice, retried, or re-offered after a worker died changes nothing.
"""

import hashlib
import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from articles import ingest
from articles.models import ImportBatch, ImportBatchChrome, ImportFile
from articles.services.import_work import (
    chunks,
    import_batch_refresh,
    outlet_named,
)

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text")
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
MANIFEST_NAME = "manifest.csv"
MAX_MANIFEST_BYTES = 10 * 1024 * 1024
# Operating-system litter inside zips and folders: recorded, never imported.
JUNK_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")


class ImportRefused(ValueError):
    """The whole request is refused (nothing was created); the message says why and
    `field` names the input at fault ("files", "manifest" or "outlet")."""

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
            # Not ZipInfo.is_dir(), which fails on a member with an empty name.
            members = [info for info in archive.infolist() if not info.filename.endswith("/")]
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
                            data = _read_capped(member, MAX_MANIFEST_BYTES)
                        manifest = ingest.read_manifest(data)
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
                        elif data.startswith(ARCHIVE_MAGIC):
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
            if not entries:  # the zip itself is listed, not silently dropped
                yield _Entry(
                    upload.name,
                    size=upload.size or 0,
                    error="There is nothing to import in this zip: it holds no files but "
                    "folders or a manifest.",
                )


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
    # Names inside a zip or folder are shown as "<zip or folder>/<path>"; manifests list
    # the path within it. The batch's own manifest wins over one found inside a zip.
    relative = entry.name.split("/", 1)[-1]
    for table in (manifest, entry.manifest):
        found = ingest.manifest_entry(table, relative) if table else None
        if found is not None:
            return _metadata_json(found)
    return {}


def _metadata_json(metadata: ingest.Metadata) -> dict[str, str]:
    data = {
        "title": metadata.title,
        "outlet": metadata.outlet,
        "url": metadata.url,
        "published_at": metadata.published_at.isoformat() if metadata.published_at else "",
    }
    return {key: value for key, value in data.items() if value}


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
    outlet_name = " ".join(outlet_name.split())
    if len(outlet_name) > ingest.metadata.MAX_LENGTHS["outlet"]:
        raise ImportRefused(
            f"The outlet name is {len(outlet_name):,} characters long; an outlet can have at "
            f"most {ingest.metadata.MAX_LENGTHS['outlet']:,} characters.",
            field="outlet",
        )
    table: dict[str, ingest.Metadata] = {}
    if manifest is not None:
        with manifest.open() as stream:
            try:
                table = ingest.read_manifest(_read_capped(stream, MAX_MANIFEST_BYTES))
            except ingest.IngestError as error:
                raise ImportRefused(
                    f"The manifest {manifest.name} is not usable: {error}", field="manifest"
                ) from error

    rows: list[ImportFile] = []
    pages: list[tuple[str, ingest.recurring.Summary]] = []  # (sha256, summary)
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
                page = ingest.prepass_page(
                    entry.data, outlet=row.metadata.get("outlet", ""), default_outlet=outlet_name
                )
                if page is not None:
                    pages.append((row.sha256, ingest.recurring.summarise(page)))
            rows.append(row)
    if not rows:
        raise ImportRefused("No files were given.")

    chrome_lines, line_counts = _chrome_evidence(pages)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            created_by=user if user is not None and user.is_authenticated else None,
            source=source,
            outlet=outlet_named(outlet_name),
            manifest_name=manifest.name[:1024] if manifest else "",
            files_total=len(rows),
        )
        ImportBatchChrome.objects.create(
            batch=batch, lines=chrome_lines, outlets=sorted(line_counts), line_counts=line_counts
        )
        for row in rows:
            row.batch = batch
        ImportFile.objects.bulk_create(rows, batch_size=1000)
        import_batch_refresh(batch_id=batch.pk)
        pending = [row.pk for row in rows if row.status == ImportFile.Status.PENDING]
        if enqueue and pending:
            transaction.on_commit(lambda: import_files_offer(batch.pk, pending))
    batch.refresh_from_db()
    return batch


# How many earlier batches of an outlet lend their line counts to a new batch's evidence.
EARLIER_BATCHES_PER_OUTLET = 20


def _chrome_evidence(
    pages: list[tuple[str, ingest.recurring.Summary]],
) -> tuple[dict[str, object], dict[str, dict[str, int]]]:
    """The batch's recurring lines (for its files' cleaning) and its per-outlet line counts
    (for later batches of the same outlets). Earlier batches of an outlet add their counts,
    so a site's furniture is known even when it comes one file at a time. Files imported
    before (the same bytes) are left out: they will not be cleaned again, and a folder
    imported twice must not make its own lines look like the outlet's furniture."""
    seen = set(
        ImportFile.objects.filter(sha256__in={sha256 for sha256, _ in pages})
        .values_list("sha256", flat=True)
        .distinct()
    )
    counts = ingest.recurring.count_lines(
        [summary for sha256, summary in pages if sha256 not in seen]
    )
    earlier: dict[str, list[dict[str, int]]] = defaultdict(list)
    if counts.outlets:
        previous = (
            ImportBatchChrome.objects.filter(outlets__overlap=list(counts.outlets))
            .order_by("-batch_id")
            .values_list("line_counts", flat=True)[: EARLIER_BATCHES_PER_OUTLET * 4]
        )
        for stored in previous:
            for name, lines in stored.items():
                if name in counts.outlets and len(earlier[name]) < EARLIER_BATCHES_PER_OUTLET:
                    earlier[name].append(lines)
    evidence = ingest.recurring.evidence_from(counts, earlier=earlier)
    return (
        ingest.recurring.evidence_to_json(evidence),
        ingest.recurring.outlet_counts_to_json(counts),
    )


def import_files_offer(batch_id: int, file_ids: Sequence[int]) -> bool:
    """Queue these files for the workers, a task per chunk; each queued chunk's files are
    marked offered. When the task queue cannot be reached the batch records why (its page
    shows it) and False is returned: the rows are committed, and the periodic sweep
    (`work_sweep`) and every worker start offer them again. Losing the broker loses
    nothing."""
    from articles import tasks  # tasks import this module

    try:
        for chunk in chunks(file_ids):
            tasks.import_files.delay(batch_id, chunk)
            ImportFile.objects.filter(pk__in=chunk).update(offered_at=timezone.now())
    except Exception as error:
        logger.exception("Could not queue import batch %s; the sweep tries again", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            enqueue_error=f"The task queue could not be reached ({type(error).__name__}: "
            f"{str(error)[:200]}).",
            enqueue_failed_at=timezone.now(),
        )
        return False
    ImportBatch.objects.filter(pk=batch_id).exclude(enqueue_error="").update(
        enqueue_error="", enqueue_failed_at=None
    )
    return True


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
        import_files_offer(batch_id, file_ids)
    return sum(len(ids) for ids in pending.values())
