"""Uploads are stored by the request and unpacked by a worker (issue 18, point 3).

The request stores each upload whole and records the batch; expansion, hashing and the
per-member limits happen in `import_batch_unpack` (a worker's task), one zip member in
memory at a time, the compression-ratio limit applied to every member. Peak memory and the
request's time are measured by tests/benchmarks/bench_upload.py, not here.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from articles import services
from articles.models import ImportBatch, ImportFile, ImportUpload
from articles.services import imports
from tests.data import texts

pytestmark = pytest.mark.django_db


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _receive(*uploads: SimpleUploadedFile, **kwargs) -> ImportBatch:
    return services.import_batch_create(
        uploads=[services.Upload.from_file(upload) for upload in uploads],
        source=ImportBatch.Source.UPLOAD,
        enqueue=False,
        unpack_in_worker=True,
        **kwargs,
    )


def test_the_request_stores_uploads_whole_and_a_worker_unpacks_them(
    django_capture_on_commit_callbacks,
):
    bundle = _zip(
        {
            "two.txt": texts.ARTICLE_TWO.encode(),
            "three.txt": texts.ARTICLE_THREE.encode(),
            "manifest.csv": b"filename,outlet\ntwo.txt,Meridian Post\n",
        }
    )
    batch = _receive(
        SimpleUploadedFile("one.txt", texts.ARTICLE_ONE.encode()),
        SimpleUploadedFile("bundle.zip", bundle),
        outlet_name="Harbour Times",
    )
    # Nothing read, hashed or expanded in the request: two uploads, stored as they came.
    assert not ImportFile.objects.exists()
    received = list(batch.uploads.order_by("position"))
    assert [(u.name, u.size, u.unpacked_at) for u in received] == [
        ("one.txt", len(texts.ARTICLE_ONE.encode()), None),
        ("bundle.zip", len(bundle), None),
    ]
    with default_storage.open(received[1].stored.name, "rb") as stored:
        assert stored.read() == bundle
    assert batch.status == "pending"

    # The worker's part.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.import_batch_unpack(batch_id=batch.pk, enqueue=False) == 3
    files = {f.original_name: f for f in batch.files.all()}
    assert set(files) == {"one.txt", "bundle.zip/two.txt", "bundle.zip/three.txt"}
    assert all(f.status == "pending" and len(f.sha256) == 64 for f in files.values())
    assert files["bundle.zip/two.txt"].metadata == {"outlet": "Meridian Post"}
    assert all(u.unpacked_at for u in batch.uploads.all())
    # The whole copies are gone once unpacked (after the commit).
    assert not any(default_storage.exists(u.stored.name) for u in received)

    # A second delivery of the task changes nothing.
    assert services.import_batch_unpack(batch_id=batch.pk, enqueue=False) == 0
    assert batch.files.count() == 3

    progress = services.import_batch_process_pending(batch_id=batch.pk)
    assert (progress.status, progress.imported) == ("done", 3)


def test_a_batch_is_not_done_while_its_uploads_are_packed():
    # Its only upload is refused when unpacked: until then there is no file at all, and
    # no file pending must not read as done.
    batch = _receive(SimpleUploadedFile("bomb.zip", _zip({"bomb.txt": b" " * 1_000_000})))
    assert services.import_batch_refresh(batch_id=batch.pk).status == "pending"
    services.import_batch_unpack(batch_id=batch.pk, enqueue=False)
    batch.refresh_from_db()
    assert (batch.status, batch.failed, batch.files_total) == ("done", 1, 1)


def test_every_upload_is_accounted_for_even_an_empty_zip():
    batch = _receive(SimpleUploadedFile("nothing.zip", _zip({})))
    services.import_batch_unpack(batch_id=batch.pk, enqueue=False)
    (row,) = batch.files.all()
    assert (row.original_name, row.status, row.error) == (
        "nothing.zip",
        "failed",
        imports.NOTHING_IN_ZIP,
    )


def test_the_compression_limit_applies_to_every_member_however_small():
    """Seen failing before: members of 64 KiB or less skipped the ratio check, so a small
    zip of thousands of highly compressed members expanded unchecked."""
    bomb = b" " * 60_000  # compresses about a thousand times
    batch = _receive(
        SimpleUploadedFile(
            "small-bombs.zip",
            _zip(
                {f"page{i}.txt": bomb for i in range(20)} | {"real.txt": texts.ARTICLE_ONE.encode()}
            ),
        )
    )
    services.import_batch_unpack(batch_id=batch.pk, enqueue=False)
    failed = batch.files.filter(status="failed")
    assert failed.count() == 20
    assert all("zip bomb" in row.error for row in failed)
    assert batch.files.get(status="pending").original_name == "small-bombs.zip/real.txt"


def test_members_are_read_one_at_a_time_as_the_unpacking_asks(monkeypatch):
    """The expansion is lazy: when the first member reaches the caller, no other member
    has been read (the manifest, looked up by name, excepted)."""
    members = {f"m{i}.txt": f"Article {i}\n\n{texts.ARTICLE_ONE}".encode() for i in range(5)}
    members["manifest.csv"] = b"filename,title\nm3.txt,The third\n"
    upload = services.Upload.from_bytes("five.zip", _zip(members))
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    entries = imports._expand_upload(upload)
    first = next(entries)
    assert first.name == "five.zip/m0.txt"
    assert opened == ["manifest.csv", "m0.txt"]
    rest = list(entries)
    assert [entry.name for entry in rest] == [f"five.zip/m{i}.txt" for i in range(1, 5)]
    third = next(entry for entry in rest if entry.name.endswith("m3.txt"))
    assert third.manifest["m3.txt"].title == "The third"


def test_a_received_upload_is_moved_not_copied_when_it_is_on_disk(tmp_path):
    """A big upload arrives in a temporary file (Django's upload handler); storing it
    moves that file instead of reading it through the request."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    big = TemporaryUploadedFile("big.zip", "application/zip", 0, None)
    big.write(_zip({"one.txt": texts.ARTICLE_ONE.encode()}))
    big.flush()
    temporary = big.temporary_file_path()
    big.size = big.tell()
    batch = _receive(big)
    big.close()
    received = ImportUpload.objects.get(batch=batch)
    assert default_storage.exists(received.stored.name)
    assert not Path(temporary).exists()
