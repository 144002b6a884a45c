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
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles import ingest
from articles.models import ImportBatch, ImportBatchChrome, ImportFile, ImportUpload
from articles.services.import_work import (
    chunks,
    import_batch_refresh,
    metadata_from_json,
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
NOTHING_IN_ZIP = (
    "There is nothing to import in this zip: it holds no files but folders or a manifest."
)
UNFINISHED = (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING)


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
    # The Django UploadedFile, when it is one: stored by moving its temporary file.
    file: Any = None

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> "Upload":
        return cls(name=name or path.name, open=lambda: path.open("rb"), size=path.stat().st_size)

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "Upload":
        return cls(name=name, open=lambda: io.BytesIO(data), size=len(data))

    @classmethod
    def from_file(cls, uploaded: Any, name: str | None = None) -> "Upload":
        """A Django UploadedFile (browser or API); `name` replaces its base name, e.g. with
        its path in the folder it was chosen from."""

        def reopen() -> IO[bytes]:
            uploaded.seek(0)
            stream: IO[bytes] = uploaded
            return stream

        return cls(name=name or str(uploaded.name), open=reopen, size=uploaded.size, file=uploaded)

    @classmethod
    def from_received(cls, received: ImportUpload) -> "Upload":
        """An upload the web request stored whole, read back by the worker."""
        return cls(
            name=received.name,
            open=lambda: default_storage.open(received.stored.name, "rb"),
            size=received.size,
            refusal=received.refusal,
        )


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
    # Every entry, however small: thousands of small ones that expand this much are a
    # bomb as surely as one big one.
    if ratio > settings.IMPORT_MAX_COMPRESSION_RATIO:
        return (
            f"The entry expands {ratio:,.0f} times (limit "
            f"{settings.IMPORT_MAX_COMPRESSION_RATIO}:1, IMPORT_MAX_COMPRESSION_RATIO): "
            "a zip bomb, not an article."
        )
    if info.file_size > settings.IMPORT_MAX_FILE_BYTES:
        return _too_big(info.file_size)
    return ""


def _zip_manifest(archive: zipfile.ZipFile, shown: str) -> tuple[dict[str, ingest.Metadata], str]:
    """The zip's own manifest.csv (looked up by name in the central directory, before any
    member is read, so that every member meets its metadata as it streams past), and why
    it is unusable ("" when it is fine or absent)."""
    try:
        info = archive.getinfo(MANIFEST_NAME)
    except KeyError:
        return {}, ""
    try:
        with archive.open(info) as member:
            return ingest.read_manifest(_read_capped(member, MAX_MANIFEST_BYTES)), ""
    except (ingest.IngestError, zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        return {}, f"Bad manifest: {error}"


def _expand_zip(upload: Upload) -> Iterator[_Entry]:
    """The zip's members, one at a time: each is read (at most IMPORT_MAX_FILE_BYTES) only
    when the caller asks for it, so one member is in memory at a time, whatever the zip's
    size."""
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
            manifest, manifest_error = _zip_manifest(archive, upload.name)
            expanded = 0
            yielded = False
            for info in members:
                shown = f"{upload.name}/{info.filename}"
                if info.filename == MANIFEST_NAME:
                    if manifest_error:
                        yield _Entry(shown, size=info.file_size, error=manifest_error)
                        yielded = True
                    continue
                reason = _member_refusal(info)
                data = b""
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
                    yield _Entry(shown, size=info.file_size, error=reason, manifest=manifest)
                else:
                    yield _Entry(shown, data=data, size=len(data), manifest=manifest)
                yielded = True
                del data  # one member in memory at a time
            if not yielded:  # the zip itself is listed, not silently dropped
                yield _Entry(upload.name, size=upload.size or 0, error=NOTHING_IN_ZIP)


def uploads_from_paths(
    paths: Iterable[Path], *, manifest_taken: str = ""
) -> tuple[list[Upload], Upload | None]:
    """The files under these paths (folders recursively, sorted out by `folder_uploads`)
    and the first folder's manifest.csv, if one lies at its top and `manifest_taken` does
    not name the manifest chosen for the batch. Raises ImportRefused for a path that does
    not exist.
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
        files = [
            Upload.from_path(file, f"{path.name}/{file.relative_to(root).as_posix()}")
            for file in root.rglob("*")
            if file.is_file()
        ]
        taken, found = folder_uploads(
            files, manifest_taken=manifest_taken or (manifest.name if manifest else "")
        )
        uploads += taken
        manifest = manifest or found
    return uploads, manifest


def folder_uploads(
    uploads: Iterable[Upload], *, manifest_taken: str = ""
) -> tuple[list[Upload], Upload | None]:
    """One folder's files, sorted out the same way whichever door they came through.

    Each upload is named by its path from the folder, the folder's own name first
    ("wire/sub/b.txt": how the CLI names them, and a browser's webkitRelativePath); a bare
    file name (a browser that sent no paths) is taken to lie at the top. Returns the files
    in path order, those that are not imported (hidden or system files and folders,
    anything but .txt and .zip) refused with the reason, so that they are listed, not
    lost; and the manifest.csv at the folder's top, to apply as the batch's manifest.
    When the batch already has one (`manifest_taken` names it), that manifest.csv is
    listed as not applied instead.
    """
    kept: list[Upload] = []
    manifest: Upload | None = None
    for upload in sorted(uploads, key=lambda upload: PurePosixPath(upload.name)):
        top, _, inside = upload.name.partition("/")
        path = PurePosixPath(inside or top)
        if path.as_posix() == MANIFEST_NAME and not manifest_taken:
            manifest, manifest_taken = upload, upload.name
            continue
        refusal = _folder_refusal(path, manifest_taken)
        kept.append(replace(upload, refusal=refusal) if refusal else upload)
    return kept, manifest


def _folder_refusal(path: PurePosixPath, manifest_taken: str) -> str:
    """Why a folder's file is not imported ("" when it is), from its path in the folder."""
    if path.as_posix() == MANIFEST_NAME:
        return f"Not applied: this import's manifest is {manifest_taken} (one manifest per import)."
    if any(part in JUNK_PARTS or part.startswith(".") for part in path.parts):
        return "Hidden or system file; skipped."
    if not path.name.lower().endswith((*TEXT_SUFFIXES, ".zip")):
        return (
            "Only .txt files and .zip archives are imported from a folder; "
            f"this is a {path.suffix or 'file without an extension'}."
        )
    return ""


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


def _checked(outlet_name: str, manifest: Upload | None) -> tuple[str, dict[str, ingest.Metadata]]:
    """The batch outlet's name and the manifest's table, or ImportRefused naming the field:
    both are small and read in the request, so that a bad one is refused at once."""
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
    return outlet_name, table


def import_batch_create(
    *,
    uploads: Iterable[Upload],
    source: str,
    user: Any = None,  # the signed-in user (any user model), or None for the CLI
    outlet_name: str = "",
    manifest: Upload | None = None,
    enqueue: bool = True,
    unpack_in_worker: bool = False,
) -> ImportBatch:
    """Record a batch and every file in it, store the accepted bytes, and (after commit)
    queue the pending files for the workers. Refusals of single files are failed rows;
    only a bad manifest, outlet or an empty request refuses the whole batch (ImportRefused).

    With `unpack_in_worker` (the web's and the API's uploads) the request only stores each
    upload whole (a big upload's temporary file is moved, not copied) and records the
    batch; a worker unpacks, hashes and checks them (`import_batch_unpack`), one zip
    member in memory at a time, so that a request returns in moments whatever it carries.
    """
    outlet_name, table = _checked(outlet_name, manifest)
    uploads = list(uploads)
    if not uploads:
        raise ImportRefused("No files were given.")
    if unpack_in_worker:
        return _receive(uploads, source, user, outlet_name, manifest, table, enqueue=enqueue)
    rows, pages = _unpack(uploads, table, outlet_name)
    with transaction.atomic():
        batch = _new_batch(source, user, outlet_name, manifest)
        _record(batch, rows, pages, enqueue=enqueue)
    batch.refresh_from_db()
    return batch


def _new_batch(source: str, user: Any, outlet_name: str, manifest: Upload | None) -> ImportBatch:
    return ImportBatch.objects.create(
        created_by=user if user is not None and user.is_authenticated else None,
        source=source,
        outlet=outlet_named(outlet_name),
        manifest_name=manifest.name[:1024] if manifest else "",
    )


def _unpack(
    uploads: Iterable[Upload], table: dict[str, ingest.Metadata], outlet_name: str
) -> tuple[list[ImportFile], list[tuple[str, ingest.recurring.Summary]]]:
    """Every file the uploads hold, as unsaved rows with their bytes stored (under their
    hash), and the pre-pass summary of each page. Each file's bytes are let go once stored:
    only the rows and the small summaries are kept."""
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
            entry.data = None
            rows.append(row)
    return rows, pages


def _record(
    batch: ImportBatch,
    rows: list[ImportFile],
    pages: list[tuple[str, ingest.recurring.Summary]],
    *,
    enqueue: bool,
) -> None:
    """The batch's files and chrome evidence, in the caller's transaction; its pending
    files are queued after the commit."""
    chrome_lines, line_counts = _chrome_evidence(pages)
    ImportBatchChrome.objects.update_or_create(
        batch=batch,
        defaults={
            "lines": chrome_lines,
            "outlets": sorted(line_counts),
            "line_counts": line_counts,
        },
    )
    for row in rows:
        row.batch = batch
    ImportFile.objects.bulk_create(rows, batch_size=1000)
    import_batch_refresh(batch_id=batch.pk)
    pending = [row.pk for row in rows if row.status == ImportFile.Status.PENDING]
    if enqueue and pending:
        transaction.on_commit(lambda: import_files_offer(batch.pk, pending))


def _receive(
    uploads: list[Upload],
    source: str,
    user: Any,
    outlet_name: str,
    manifest: Upload | None,
    table: dict[str, ingest.Metadata],
    *,
    enqueue: bool,
) -> ImportBatch:
    """Store each upload whole, unread, and record the batch with its uploads; the
    unpacking is queued after the commit."""
    received = []
    for position, upload in enumerate(uploads):
        row = ImportUpload(
            position=position,
            name=upload.name[:1024],
            size=upload.size or 0,
            refusal=upload.refusal,
        )
        if not upload.refusal:
            if upload.file is not None:
                row.stored.save("upload", upload.file, save=False)  # moved when on disk
            else:
                with upload.open() as stream:
                    row.stored.save("upload", File(stream), save=False)
        received.append(row)
    with transaction.atomic():
        batch = _new_batch(source, user, outlet_name, manifest)
        batch.manifest_table = {name: _metadata_json(found) for name, found in table.items()}
        batch.save(update_fields=["manifest_table"])
        for row in received:
            row.batch = batch
        ImportUpload.objects.bulk_create(received)
        if enqueue:
            transaction.on_commit(lambda: import_uploads_offer(batch.pk))
    batch.refresh_from_db()
    return batch


def import_batch_unpack(*, batch_id: int, enqueue: bool = True) -> int:
    """Unpack a batch's received uploads into its files (a worker's task, or in process):
    every zip member read, checked and hashed one at a time, and its bytes stored; then,
    in one transaction, the batch's files recorded and the uploads marked unpacked; their
    stored copies are deleted after the commit. Returns the number of files recorded.

    Idempotent: uploads already unpacked (by an earlier delivery) are skipped, and a run
    cut short records nothing, so the next one starts afresh (the stored bytes are
    content-addressed: storing them again costs nothing)."""
    batch = ImportBatch.objects.select_related("outlet").get(pk=batch_id)
    received = list(batch.uploads.filter(unpacked_at__isnull=True).order_by("position"))
    if not received:
        return 0
    ImportBatch.objects.filter(pk=batch_id, started_at__isnull=True).update(
        started_at=timezone.now()
    )
    table = {name: metadata_from_json(values) for name, values in batch.manifest_table.items()}
    outlet_name = batch.outlet.name if batch.outlet else ""
    rows, pages = _unpack([Upload.from_received(upload) for upload in received], table, outlet_name)
    with transaction.atomic():
        locked = ImportUpload.objects.select_for_update().filter(
            pk__in=[upload.pk for upload in received], unpacked_at__isnull=True
        )
        if len(locked) < len(received):
            return 0  # another delivery unpacked them meanwhile
        _record(batch, rows, pages, enqueue=enqueue)
        ImportUpload.objects.filter(pk__in=[upload.pk for upload in received]).update(
            unpacked_at=timezone.now()
        )
        stored = [upload.stored.name for upload in received if upload.stored]
        transaction.on_commit(lambda: _delete_received(stored))
    import_batch_refresh(batch_id=batch_id)
    return len(rows)


def _delete_received(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # kept: a later clean-up may remove it; nothing refers to it
            logger.exception("Could not delete the received upload %s", name)


def import_uploads_offer(batch_id: int) -> bool:
    """Queue the unpacking of a batch's received uploads; the uploads are marked offered.
    An unreachable task queue is recorded on the batch, as for its files
    (`import_files_offer`), and the sweep tries again."""
    from articles import tasks  # tasks import this module

    try:
        tasks.unpack_uploads.delay(batch_id)
    except Exception as error:
        logger.exception("Could not queue the unpacking of batch %s", batch_id)
        _enqueue_failed(batch_id, error)
        return False
    ImportUpload.objects.filter(batch_id=batch_id, unpacked_at__isnull=True).update(
        offered_at=timezone.now()
    )
    _enqueue_succeeded(batch_id)
    return True


def _enqueue_failed(batch_id: int, error: Exception) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        enqueue_error=f"The task queue could not be reached ({type(error).__name__}: "
        f"{str(error)[:200]}).",
        enqueue_failed_at=timezone.now(),
    )


def _enqueue_succeeded(batch_id: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).exclude(enqueue_error="").update(
        enqueue_error="", enqueue_failed_at=None
    )


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
        _enqueue_failed(batch_id, error)
        return False
    _enqueue_succeeded(batch_id)
    return True


def import_batches_resume() -> int:
    """Queue again the pending files and the packed uploads of every unfinished batch;
    returns how many files.

    Workers call this when they start, so that files whose task died with a worker (or
    was never queued because the broker was down) are not left pending for ever. Files
    still queued get a second message, which finds them done and does nothing.
    """
    return import_work_offer()[0]


def import_work_offer(
    *, files_where: Q | None = None, uploads_where: Q | None = None
) -> tuple[int, int]:
    """Queue again the pending files and the packed uploads of the unfinished batches,
    those `files_where` and `uploads_where` select (all without); returns how many files
    and how many batches' uploads were offered."""
    pending: dict[int, list[int]] = defaultdict(list)
    rows = (
        ImportFile.objects.filter(status=ImportFile.Status.PENDING, batch__status__in=UNFINISHED)
        .filter(files_where or Q())
        .order_by("batch_id", "pk")
        .values_list("batch_id", "pk")
    )
    for batch_id, file_id in rows.iterator(chunk_size=5000):
        pending[batch_id].append(file_id)
    for batch_id, file_ids in pending.items():
        import_files_offer(batch_id, file_ids)
    packed = list(
        ImportUpload.objects.filter(unpacked_at__isnull=True, batch__status__in=UNFINISHED)
        .filter(uploads_where or Q())
        .order_by("batch_id")
        .values_list("batch_id", flat=True)
        .distinct()
    )
    for batch_id in packed:
        import_uploads_offer(batch_id)
    return sum(len(ids) for ids in pending.values()), len(packed)
