"""The import service: every file accounted for, refusals recorded, nothing stored twice.

Runs the chunks in this process (`import_batch_process_pending`); the worker tests run the
same service through Celery.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest

from articles import services
from articles.models import Article, ImportBatch, ImportFile, NearDuplicate, Outlet
from tests.articles.test_ingest_seeds import ALL_SEEDS
from tests.data import texts

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"


def _import(uploads, **kwargs) -> ImportBatch:
    batch = services.import_batch_create(
        uploads=uploads, source=ImportBatch.Source.CLI, enqueue=False, **kwargs
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def _files(batch: ImportBatch) -> dict[str, ImportFile]:
    return {f.original_name: f for f in batch.files.all()}


def _zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_importing_the_seeds_twice_gives_five_articles_then_five_duplicates():
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is missing")
    uploads, _ = services.uploads_from_paths([SEEDS])
    first = _import(uploads)
    assert (first.status, first.files_total, first.imported, first.failed) == ("done", 5, 5, 0)
    assert Article.objects.count() == 5

    uploads, _ = services.uploads_from_paths([SEEDS])
    second = _import(uploads)
    assert (second.status, second.imported, second.duplicate, second.failed) == ("done", 0, 5, 0)
    assert Article.objects.count() == 5
    before = {f.original_name: f.article_id for f in first.files.all()}
    after = {f.original_name: f.article_id for f in second.files.all()}
    assert after == before, "each duplicate points at the article its first import made"

    # Each stored body against the expectations written per seed (test_ingest_seeds).
    articles = {f.original_name.split("/")[-1]: f.article for f in first.files.all()}
    for seed in ALL_SEEDS:
        article = articles[seed.file]
        lines = [line.strip() for line in article.body.split("\n")]
        assert article.title == seed.title, seed.file
        for chrome in seed.chrome:
            assert not any(line.startswith(chrome) for line in lines), (seed.file, chrome)
        for fragment in seed.kept:
            assert fragment in article.body, (seed.file, fragment)
        assert article.body.startswith(seed.first), seed.file
        assert article.body.endswith(seed.last), seed.file
        assert article.raw_text.replace("\r\n", "\n").strip()


def test_a_reimport_with_different_bytes_but_the_same_clean_text_is_a_duplicate():
    body = texts.ARTICLE_ONE.encode()
    first = _import([services.Upload.from_bytes("one.txt", body)])
    crlf = texts.ARTICLE_ONE.replace("\n", "\r\n").encode("utf-16")
    second = _import([services.Upload.from_bytes("one-windows.txt", crlf)])
    assert second.duplicate == 1
    assert _files(second)["one-windows.txt"].article_id == _files(first)["one.txt"].article_id
    assert Article.objects.count() == 1


def test_the_same_text_twice_in_one_batch_is_imported_once():
    data = texts.ARTICLE_ONE.encode()
    batch = _import(
        [services.Upload.from_bytes("a.txt", data), services.Upload.from_bytes("b.txt", data)]
    )
    assert (batch.imported, batch.duplicate) == (1, 1)
    files = _files(batch)
    assert files["a.txt"].article_id == files["b.txt"].article_id
    assert Article.objects.count() == 1


def test_bad_inputs_each_get_a_row_with_a_readable_reason_and_nothing_outside_storage(
    settings, media_root, tmp_path
):
    settings.IMPORT_MAX_FILE_BYTES = 200_000
    accented = "Café talks in Zürich — “a new era”, said Señor Núñez.\n\n" + texts.ARTICLE_TWO
    bomb = _zip({"bomb.txt": b"\0" * 50_000_000})
    archive = _zip(
        {
            "../../x.txt": texts.ARTICLE_ONE.encode(),
            "/etc/passwd.txt": texts.ARTICLE_ONE.encode(),
            "binary.txt": bytes(range(256)) * 40,
            "empty.txt": b"",
            "cp1252.txt": accented.encode("cp1252"),
            "utf16.txt": texts.ARTICLE_THREE.encode("utf-16"),
            # Varied text (it compresses like text, not like a bomb), over the limit.
            "oversize.txt": " ".join(f"word{i * 7919 % 100003}" for i in range(30000)).encode(),
            "bomb.zip": bomb,
            "deep/nested/ok.txt": texts.ARTICLE_FOUR.encode(),
            "notes.pdf": b"%PDF-1.4 not an article",
        }
    )
    batch = _import(
        [
            services.Upload.from_bytes("mixed.zip", archive),
            services.Upload.from_bytes("bomb-only.zip", _zip({"zeros.txt": b"0" * 150_000})),
            services.Upload.from_bytes("bomb.zip", bomb),
        ]
    )
    top_bomb = _files(batch).pop("bomb.zip/bomb.txt")
    assert top_bomb.status == "failed"
    assert "expands" in top_bomb.error
    assert "zip bomb" in top_bomb.error
    rows = {
        name.split("/", 1)[1]: row
        for name, row in _files(batch).items()
        if name != "bomb.zip/bomb.txt"
    }
    status = {name: row.status for name, row in rows.items()}
    assert status == {
        "../../x.txt": "failed",
        "/etc/passwd.txt": "failed",
        "binary.txt": "failed",
        "empty.txt": "failed",
        "cp1252.txt": "imported",
        "utf16.txt": "imported",
        "oversize.txt": "failed",
        "bomb.zip": "failed",
        "deep/nested/ok.txt": "imported",
        "notes.pdf": "failed",
        "zeros.txt": "failed",
    }
    assert "outside the archive" in rows["../../x.txt"].error
    assert "outside the archive" in rows["/etc/passwd.txt"].error
    assert "binary" in rows["binary.txt"].error.lower()
    assert "empty" in rows["empty.txt"].error.lower()
    assert "limit is 195.3 KB per file" in rows["oversize.txt"].error
    assert "archive inside an archive" in rows["bomb.zip"].error
    assert "Only .txt files" in rows["notes.pdf"].error
    assert "zip bomb" in rows["zeros.txt"].error
    assert (batch.status, batch.files_total, batch.failed, batch.imported) == ("done", 12, 9, 3)

    body = rows["cp1252.txt"].article.body
    assert "Café talks in Zürich — “a new era”, said Señor Núñez." in body
    assert rows["cp1252.txt"].encoding.lower() in ("cp1252", "windows-1252")
    assert "utf-16" in rows["utf16.txt"].encoding.lower()

    # Stored bytes live under imports/<2>/<sha256> (uploads awaiting a worker's unpacking
    # under imports/received/<random>), and nowhere else.
    stored = sorted(p.relative_to(media_root) for p in media_root.rglob("*") if p.is_file())
    assert stored, "accepted files are stored"
    for path in stored:
        assert path.parts[0] == "imports", path
        if path.parts[1] == "received":
            assert re.fullmatch(r"[0-9a-f]{32}", path.parts[2]), path
        else:
            assert len(path.parts[2]) == 64, path
    assert not (media_root.parent / "x.txt").exists()
    assert not (media_root.parent.parent / "x.txt").exists()
    assert not list(tmp_path.rglob("x.txt"))


def test_zip_limits_refuse_the_archive_in_one_row(settings):
    settings.IMPORT_MAX_ZIP_MEMBERS = 3
    many = _zip({f"{i}.txt": texts.ARTICLE_ONE.encode() for i in range(4)})
    settings.IMPORT_MAX_ZIP_TOTAL_BYTES = 5_000
    big = _zip({"a.txt": texts.ARTICLE_ONE.encode() * 3, "b.txt": texts.ARTICLE_TWO.encode() * 3})
    batch = _import(
        [services.Upload.from_bytes("many.zip", many), services.Upload.from_bytes("big.zip", big)]
    )
    files = _files(batch)
    assert set(files) == {"many.zip", "big.zip"}
    assert "holds 4 files; the limit is 3" in files["many.zip"].error
    assert "IMPORT_MAX_ZIP_TOTAL_BYTES" in files["big.zip"].error
    assert batch.status == "done"
    assert Article.objects.count() == 0


def test_a_batch_takes_at_most_the_configured_number_of_files(settings):
    settings.IMPORT_MAX_FILES_PER_BATCH = 2
    uploads = [
        services.Upload.from_bytes(f"{i}.txt", text.encode())
        for i, text in enumerate([texts.ARTICLE_ONE, texts.ARTICLE_TWO, texts.ARTICLE_THREE])
    ]
    batch = _import(uploads)
    files = _files(batch)
    assert [files[n].status for n in ("0.txt", "1.txt", "2.txt")] == [
        "imported",
        "imported",
        "failed",
    ]
    assert "IMPORT_MAX_FILES_PER_BATCH" in files["2.txt"].error


def test_a_damaged_zip_is_a_failed_row_not_an_error():
    batch = _import([services.Upload.from_bytes("broken.zip", b"PK\x03\x04 not really")])
    assert _files(batch)["broken.zip"].status == "failed"
    assert "Not a readable zip" in _files(batch)["broken.zip"].error


def test_manifest_gives_title_outlet_url_and_date_and_the_batch_outlet_fills_in():
    manifest = (
        b"filename,title,outlet,url,published_at\n"
        b"one.txt,Talks resume in Geneva,Meridian Post,https://example.org/one,2026-03-14\n"
    )
    batch = _import(
        [
            services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode()),
            services.Upload.from_bytes("two.txt", texts.ARTICLE_TWO.encode()),
        ],
        manifest=services.Upload.from_bytes("manifest.csv", manifest),
        outlet_name="Harbour Times",
    )
    files = _files(batch)
    one, two = files["one.txt"].article, files["two.txt"].article
    assert (one.title, one.outlet.name, one.url) == (
        "Talks resume in Geneva",
        "Meridian Post",
        "https://example.org/one",
    )
    assert one.published_at.date().isoformat() == "2026-03-14"
    assert two.outlet.name == "Harbour Times"
    assert batch.manifest_name == "manifest.csv"
    assert set(Outlet.objects.values_list("name", flat=True)) == {"Meridian Post", "Harbour Times"}


def test_a_manifest_at_the_top_of_a_zip_describes_its_files():
    manifest = (
        b"filename,title,outlet\n"
        b"inner/one.txt,Talks resume in Geneva,Meridian Post\n"
        b"two.txt,Fisheries accord signed,Harbour Times\n"
    )
    archive = _zip(
        {
            "manifest.csv": manifest,
            "inner/one.txt": texts.ARTICLE_ONE.encode(),
            "deeper/two.txt": texts.ARTICLE_TWO.encode(),
        }
    )
    batch = _import([services.Upload.from_bytes("wire.zip", archive)])
    files = _files(batch)
    assert set(files) == {"wire.zip/inner/one.txt", "wire.zip/deeper/two.txt"}
    one, two = files["wire.zip/inner/one.txt"].article, files["wire.zip/deeper/two.txt"].article
    assert (one.title, one.outlet.name) == ("Talks resume in Geneva", "Meridian Post")
    assert (two.title, two.outlet.name) == ("Fisheries accord signed", "Harbour Times")


def test_a_bad_manifest_refuses_the_batch_and_creates_nothing():
    manifest = b"filename,published_at\none.txt,not a date\n"
    with pytest.raises(services.ImportRefused, match="line 2") as refused:
        services.import_batch_create(
            uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
            source=ImportBatch.Source.CLI,
            manifest=services.Upload.from_bytes("manifest.csv", manifest),
            enqueue=False,
        )
    assert refused.value.field == "manifest"
    assert ImportBatch.objects.count() == 0
    assert ImportFile.objects.count() == 0


def test_front_matter_sets_the_metadata():
    data = (
        "Title: Envoys agree a timetable\nOutlet: Lakeside Ledger\n"
        "URL: https://example.net/timetable\nPublished: 2026-04-02\n\n" + texts.ARTICLE_THREE
    ).encode()
    batch = _import([services.Upload.from_bytes("fm.txt", data)])
    article = _files(batch)["fm.txt"].article
    assert (article.title, article.outlet.name, article.url) == (
        "Envoys agree a timetable",
        "Lakeside Ledger",
        "https://example.net/timetable",
    )
    assert "Title:" not in article.body
    assert article.raw_text.startswith("Title: Envoys agree a timetable")


def test_processing_a_chunk_again_changes_nothing():
    batch = services.import_batch_create(
        uploads=[
            services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode()),
            services.Upload.from_bytes("two.txt", b""),
        ],
        source=ImportBatch.Source.API,
        enqueue=False,
    )
    ids = list(batch.files.values_list("pk", flat=True))
    created = services.import_files_process(batch_id=batch.pk, file_ids=ids)
    snapshot = list(batch.files.order_by("pk").values("status", "error", "article_id"))
    again = services.import_files_process(batch_id=batch.pk, file_ids=ids)
    assert len(created) == 1
    assert again == []
    assert list(batch.files.order_by("pk").values("status", "error", "article_id")) == snapshot
    assert Article.objects.count() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.files_done, batch.imported, batch.failed) == ("done", 2, 1, 1)


def test_a_reprint_is_linked_to_its_original_not_dropped():
    original = _import([services.Upload.from_bytes("wire.txt", texts.ARTICLE_ONE.encode())])
    reprint_text = texts.reprint(texts.ARTICLE_ONE)
    reprint = _import([services.Upload.from_bytes("reprint.txt", reprint_text.encode())])
    assert reprint.imported == 1, "a near-duplicate is a new article"
    link = NearDuplicate.objects.get()
    assert link.original_id == _files(original)["wire.txt"].article_id
    assert link.article_id == _files(reprint)["reprint.txt"].article_id
    assert link.similarity >= 0.8
    other = _import([services.Upload.from_bytes("other.txt", texts.ARTICLE_TWO.encode())])
    assert other.imported == 1
    assert NearDuplicate.objects.count() == 1, "different articles are not linked"


calls: list[list[int]] = []


def record_extraction(*, article_ids: list[int]) -> None:
    calls.append(article_ids)


def test_extraction_runs_once_on_each_new_article_through_the_one_hook(settings):
    settings.INGEST_EXTRACTOR = "tests.articles.test_import_service.record_extraction"
    calls.clear()
    first = _import([services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())])
    _import([services.Upload.from_bytes("again.txt", texts.ARTICLE_ONE.encode())])
    assert calls == [[_files(first)["one.txt"].article_id]], "duplicates are not extracted again"

    assert Article.objects.get(pk=calls[0][0]).extracted_at is not None

    settings.INGEST_EXTRACTION = False
    _import([services.Upload.from_bytes("two.txt", texts.ARTICLE_TWO.encode())])
    assert len(calls) == 1, "INGEST_EXTRACTION=false switches the step off"
    assert Article.objects.get(title__startswith="Coastal states").extracted_at is None
    assert services.articles_pending_extraction() == [], "nothing to catch up while off"

    settings.INGEST_EXTRACTION = True
    (waiting,) = services.articles_pending_extraction()
    services.articles_extract(article_ids=[waiting])
    assert calls[-1] == [waiting], "switched on again, the articles it missed are caught up"
    assert services.articles_pending_extraction() == []

    before = len(calls)
    services.articles_extract(article_ids=[waiting], again=True)
    assert calls[before:] == [[waiting]], "an extractor without `again` is re-run without it"
    assert Article.objects.get(pk=waiting).extraction_error == ""


def broken_extraction(*, article_ids: list[int]) -> None:
    if Article.objects.filter(pk__in=article_ids, title__startswith="Coastal states").exists():
        raise RuntimeError("a bug in the extractor")
    calls.append(article_ids)


def test_a_failing_article_neither_stalls_its_batch_nor_costs_the_rest_of_its_chunk(settings):
    settings.INGEST_EXTRACTOR = "tests.articles.test_import_service.broken_extraction"
    calls.clear()
    batch = _import(
        [
            services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode()),
            services.Upload.from_bytes("two.txt", texts.ARTICLE_TWO.encode()),
        ]
    )
    assert (batch.status, batch.imported) == ("done", 2)
    good = _files(batch)["one.txt"].article
    bad = _files(batch)["two.txt"].article
    assert calls == [[good.pk]], "the good article is extracted on its own after the chunk fails"
    assert good.extracted_at is not None
    assert good.extraction_error == ""
    assert bad.extracted_at is None
    assert "RuntimeError: a bug in the extractor" in bad.extraction_error
    assert bad.extraction_failed_at is not None
    assert services.articles_pending_extraction() == [], "a worker start does not retry it"


def test_an_admins_reextraction_clears_a_recorded_failure(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from articles import tasks

    settings.INGEST_EXTRACTOR = "tests.articles.test_import_service.broken_extraction"
    queued: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(
        tasks.extract_articles, "delay", lambda ids, again=False: queued.append((ids, again))
    )
    batch = _import([services.Upload.from_bytes("two.txt", texts.ARTICLE_TWO.encode())])
    bad = _files(batch)["two.txt"].article
    assert bad.extraction_error

    with django_capture_on_commit_callbacks(execute=True):
        assert services.articles_reextract(article_ids=[bad.pk]) == 1

    bad.refresh_from_db()
    assert (bad.extraction_error, bad.extraction_failed_at) == ("", None)
    assert queued == [([bad.pk], True)]


def test_resume_queues_the_pending_files_of_unfinished_batches_only(monkeypatch):
    queued = []
    monkeypatch.setattr(
        services.imports, "import_files_offer", lambda b, ids: queued.append((b, ids))
    )
    waiting = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )
    _import([services.Upload.from_bytes("two.txt", texts.ARTICLE_TWO.encode())])
    assert services.import_batches_resume() == 1
    assert queued == [(waiting.pk, list(waiting.files.values_list("pk", flat=True)))]


def test_a_starting_worker_queues_the_articles_that_missed_extraction(monkeypatch, settings):
    from articles import tasks

    settings.INGEST_EXTRACTION = False
    batch = _import(
        [
            services.Upload.from_bytes(
                f"{n}.txt", f"{texts.ARTICLE_ONE}\nFiled by desk number {n}.\n".encode()
            )
            for n in range(5)
        ]
    )
    settings.INGEST_EXTRACTION = True
    settings.EXTRACTION_CHUNK_SIZE = 2
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.extract_articles, "delay", queued.append)

    tasks._resume_unfinished_imports()

    ids = sorted(f.article_id for f in batch.files.all())
    assert queued == [ids[0:2], ids[2:4], ids[4:5]]


def test_a_workers_import_chunk_queues_its_articles_extraction_in_smaller_chunks(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The workers share a batch's extraction in small tasks rather than each extracting
    its whole import chunk, so that they finish the batch close together."""
    from articles import tasks

    settings.EXTRACTION_CHUNK_SIZE = 2
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.extract_articles, "delay", queued.append)
    batch = _desk_files(5)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.import_files(batch.pk, list(batch.files.values_list("pk", flat=True)))

    ids = sorted(f.article_id for f in batch.files.all())
    assert queued == [ids[0:2], ids[2:4], ids[4:5]]
    assert not Article.objects.filter(extracted_at__isnull=False).exists(), "not extracted inline"

    settings.INGEST_EXTRACTION = False
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        other = _import_queued_off(services, tasks)
    assert other.imported == 1
    assert queued == [], "nothing is queued while extraction is off"


def test_tapered_extraction_chunks_halve_what_is_left_down_to_a_tenth(settings):
    settings.EXTRACTION_CHUNK_SIZE = 10
    ids = list(range(1, 24))

    tapered = list(services.extraction.extraction_chunks(ids, taper=True))

    assert [len(chunk) for chunk in tapered] == [10, 7, 3, 2, 1]
    assert [i for chunk in tapered for i in chunk] == ids, "every id once, in order"
    assert [len(c) for c in services.extraction.extraction_chunks(ids)] == [10, 10, 3]
    settings.EXTRACTION_CHUNK_SIZE = 40
    assert [len(c) for c in services.extraction.extraction_chunks(ids, taper=True)] == [
        12,
        6,
        4,
        1,
    ], "never below a tenth of the chunk size, but for what is left"


def test_the_last_import_chunks_of_a_batch_queue_their_extraction_tapered(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The workers take a batch's extraction tasks in the order they were queued, after
    its imports: the last import chunks' articles go in small tasks, so that no worker
    is left extracting a whole chunk while the other has nothing to take."""
    from articles import tasks

    settings.IMPORT_CHUNK_SIZE = 2
    settings.EXTRACTION_CHUNK_SIZE = 4
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.extract_articles, "delay", queued.append)
    batch = _desk_files(6)
    file_ids = list(batch.files.order_by("pk").values_list("pk", flat=True))
    sizes = []
    for start in (0, 2, 4):
        queued.clear()
        with django_capture_on_commit_callbacks(execute=True):
            tasks.import_files(batch.pk, file_ids[start : start + 2])
        sizes.append([len(chunk) for chunk in queued])

    # Four files still pending after the first chunk: one task; at most one import
    # chunk pending after the second and none after the third: tapered.
    assert sizes == [[2], [1, 1], [1, 1]]
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("done", 6)


def _desk_files(count: int) -> ImportBatch:
    """A CLI batch of `count` distinct articles, created but not queued."""
    return services.import_batch_create(
        uploads=[
            services.Upload.from_bytes(
                f"{n}.txt", f"{texts.ARTICLE_ONE}\nFiled by desk number {n}.\n".encode()
            )
            for n in range(count)
        ],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )


def _import_queued_off(services, tasks) -> ImportBatch:
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("two.txt", texts.ARTICLE_TWO.encode())],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )
    tasks.import_files(batch.pk, list(batch.files.values_list("pk", flat=True)))
    batch.refresh_from_db()
    return batch


def test_a_starting_worker_freezes_what_it_loaded_before_forking(settings):
    """Objects loaded before the pool forks (Django, the pipeline) are kept out of the
    collector's full passes, which otherwise walk them all again and again."""
    import gc

    from articles import tasks

    settings.INGEST_EXTRACTION = False
    gc.unfreeze()
    try:
        tasks._load_text_models_before_forking()
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert frozen > 10_000, "the modules and objects loaded so far"


# -- every failure is a row, every batch finishes (issue 18, point 1) -----------------------

FENCED = "---\n{field}: {value}\n---\n"


def _with_front_matter(field: str, value: str) -> bytes:
    return (FENCED.format(field=field, value=value) + texts.ARTICLE_TWO).encode()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("outlet", "O" * 201, "outlet"),
        ("title", "T " * 260, "title"),
        ("url", "https://example.org/" + "p" * 2000, "url"),
    ],
)
def test_front_matter_longer_than_the_database_holds_fails_that_file_with_its_reason(
    field, value, reason
):
    """Seen before the fix: an outlet of 201 characters reached get_or_create and its
    DataError escaped the chunk, leaving the batch pending for ever."""
    batch = _import(
        [
            services.Upload.from_bytes("good.txt", texts.ARTICLE_ONE.encode()),
            services.Upload.from_bytes("long.txt", _with_front_matter(field, value)),
        ]
    )
    files = _files(batch)
    assert (batch.status, batch.imported, batch.failed) == ("done", 1, 1)
    assert files["good.txt"].status == "imported"
    assert files["long.txt"].status == "failed"
    assert reason in files["long.txt"].error.lower()
    assert "characters" in files["long.txt"].error
    assert Article.objects.count() == 1
    assert not Outlet.objects.filter(name__startswith="OOOO").exists()


def test_a_manifest_value_longer_than_the_database_holds_is_refused_by_line():
    manifest = b"filename,outlet\ngood.txt," + b"O" * 201 + b"\n"
    with pytest.raises(services.ImportRefused) as refused:
        services.import_batch_create(
            uploads=[services.Upload.from_bytes("good.txt", texts.ARTICLE_ONE.encode())],
            manifest=services.Upload.from_bytes("manifest.csv", manifest),
            source=ImportBatch.Source.CLI,
            enqueue=False,
        )
    assert "line 2" in str(refused.value)
    assert "200 characters" in str(refused.value)
    assert not ImportBatch.objects.exists()


def test_a_database_error_on_one_file_fails_that_file_and_the_batch_finishes(monkeypatch):
    """Any error while storing one file (here the database refusing its outlet) marks that
    file failed with a plain reason; the rest of its chunk is stored."""
    from django.db import DataError

    from articles.services import import_work

    real = import_work.outlet_named

    def refusing(name):
        if name == "Refused Outlet":
            raise DataError("value too long for type character varying(200)")
        return real(name)

    monkeypatch.setattr(import_work, "outlet_named", refusing)
    batch = _import(
        [
            services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode()),
            services.Upload.from_bytes("two.txt", _with_front_matter("outlet", "Refused Outlet")),
            services.Upload.from_bytes("three.txt", texts.ARTICLE_THREE.encode()),
        ]
    )
    files = _files(batch)
    assert (batch.status, batch.imported, batch.failed) == ("done", 2, 1)
    assert files["two.txt"].status == "failed"
    assert "value too long" in files["two.txt"].error
    assert {files["one.txt"].status, files["three.txt"].status} == {"imported"}
    assert Article.objects.count() == 2


def test_a_connection_error_is_not_swallowed_as_a_failed_file(monkeypatch):
    """Only connection-level errors escape (the task retries them); the file stays
    pending for the retry, not failed."""
    from django.db import OperationalError

    from articles.services import import_work

    def down(name):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(import_work, "outlet_named", down)
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", _with_front_matter("outlet", "Any"))],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )
    with pytest.raises(OperationalError):
        services.import_batch_process_pending(batch_id=batch.pk)
    assert batch.files.get().status == "pending"


def test_a_batch_outlet_longer_than_the_database_holds_is_refused_and_nothing_stored():
    with pytest.raises(services.ImportRefused) as refused:
        services.import_batch_create(
            uploads=[services.Upload.from_bytes("good.txt", texts.ARTICLE_ONE.encode())],
            outlet_name="O" * 201,
            source=ImportBatch.Source.CLI,
            enqueue=False,
        )
    assert refused.value.field == "outlet"
    assert "at most 200 characters" in str(refused.value)
    assert not ImportBatch.objects.exists()
    assert not Outlet.objects.exists()


def test_a_chunk_is_read_and_stored_a_few_bytes_at_a_time(settings):
    """Within a chunk the files are cleaned and stored in groups of IMPORT_CHUNK_BYTES, so
    a worker holds that much text at once, not the whole chunk's."""
    from articles.services.import_work import _by_size

    sized = [ImportFile(size=size) for size in (700, 700, 700, 3000, 10)]
    assert [[f.size for f in group] for group in _by_size(sized, 1500)] == [
        [700, 700],
        [700],
        [3000],
        [10],
    ]
    settings.IMPORT_CHUNK_BYTES = 1500
    articles = (texts.ARTICLE_ONE, texts.ARTICLE_TWO, texts.ARTICLE_THREE, texts.ARTICLE_FOUR)
    batch = _import(
        [services.Upload.from_bytes(f"{i}.txt", text.encode()) for i, text in enumerate(articles)]
    )
    assert (batch.status, batch.imported, batch.failed) == ("done", 4, 0)
