# ruff: noqa: RUF001 -- news typography (curly quotes, dashes, bullets) is what is fuzzed.
"""Fuzzing the ingestion: whatever bytes or text come in, the answer is text or an
IngestError, and no text is lost without a recorded reason.

- decode: any bytes give (text, encoding) or an IngestError, never another exception;
  text written with a byte-order mark (or as plain UTF-8) comes back exactly.
- normalise: every character that is not white space or invisible survives, in order.
- clean: every line of its (normalised) input is in the body, or among the removed lines
  with a reason, in the order of the input; only a standfirst's bullet may go unrecorded.
- process: the same for a whole file, the front matter being the text before the rest
  (kept in raw_text); the body, its hash and its word count agree.
- front matter and manifests: an IngestError, or Metadata within the database's lengths.
- zips, through the import service: every member is a row, imported, duplicate or failed
  with a reason; none fails for a bug (the worker's "Newsdesk failed on this file").

Hypothesis is derandomized, so CI sees the same examples every run.
"""

import codecs
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.test import override_settings
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from articles import services
from articles.ingest import (
    IngestError,
    Metadata,
    clean,
    decode,
    normalise,
    parse_front_matter,
    process,
    read_manifest,
    recurring,
)
from articles.ingest.metadata import FIELD_ALIASES, MAX_LENGTHS, is_web_address
from articles.models import ImportBatch

# A second or two a test; derandomized, so every run tries the same examples.
FUZZ = settings(max_examples=600, derandomize=True, deadline=None, database=None)

# -- strategies -----------------------------------------------------------------------------

# Text without the characters no text file holds (C0/C1 controls, lone surrogates) but
# with every kind of white space and line break.
TEXTUAL = st.characters(
    blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r\x0b\x0c\x85"
)
# Lines like a pasted web page's: furniture the lexicon knows, headlines, prose, bullets,
# captions and credits, counters, and anything at all.
PAGE_LINES = st.one_of(
    st.sampled_from(
        [
            "Advertisement",
            "Share this article",
            "Related Articles",
            "Read more",
            "3 min read",
            "Subscribe now",
            "Photo: AP",
            "Reuters",
            "Leaders wave to the crowd in Beijing",
            "Watch the video",
            "1:23",
            "More stories from Asia",
            "By Jane Doe, Diplomatic Correspondent",
            "42",
            "Diplomacy",
            "Home | World | Politics",
            "Published March 3, 2026",
            "Putin and Xi meet in Beijing ahead of the Games",
            "• Leaders to sign a joint statement on trade",
            "– A second bullet of the standfirst",
            "The two leaders met on Friday. They spoke for three hours.",
            "“We have no limits,” the statement said.",
            "Ministers said the talks would continue next week in Geneva.",
            "",
            "   ",
        ]
    ),
    st.text(TEXTUAL, max_size=80),
)
PAGES = st.lists(PAGE_LINES, max_size=25).map("\n".join)
TEXTS = st.one_of(PAGES, st.text(TEXTUAL, max_size=400), st.text(max_size=200))


# -- decode ---------------------------------------------------------------------------------


def attempt(function, *args, **kwargs):
    """The function's answer, or the IngestError it raised; any other exception fails."""
    try:
        return function(*args, **kwargs)
    except IngestError as error:
        return error


def decoded_or_refused(data: bytes) -> tuple[str, str] | None:
    """decode(data), or None for an IngestError with a sentence to show."""
    answer = attempt(decode, data)
    if isinstance(answer, IngestError):
        assert str(answer).endswith("."), str(answer)
        return None
    text, encoding = answer
    assert isinstance(text, str)
    assert isinstance(encoding, str)
    assert text.strip(), "decode never answers blank text"
    return text, encoding


@FUZZ
@given(st.binary(max_size=600))
@example(b"\xff\xfe")  # a byte-order mark alone
@example(b"\x81\x8d\x8f\x90\x9d caf\xe9")  # bytes cp1252 leaves undefined
def test_any_bytes_decode_to_text_or_an_ingest_error(data):
    decoded_or_refused(data)


@FUZZ
@given(st.lists(st.sampled_from([*range(0x80, 0x100), 0x20, 0x0A, 0x61]), max_size=300))
def test_bytes_in_no_utf_decode_to_text_or_an_ingest_error(codes):
    # Mostly high bytes: the legacy encodings' and the detector's ground.
    decoded_or_refused(bytes(codes))


@FUZZ
@given(st.text(TEXTUAL, min_size=1, max_size=300).filter(str.strip))
def test_text_with_a_byte_order_mark_comes_back_exactly(text):
    assert decode(codecs.BOM_UTF8 + text.encode()) == (text, "utf-8-sig")
    assert decode(text.encode("utf-16")) == (text, "utf-16")  # Python writes the mark
    assert decode(codecs.BOM_UTF16_BE + text.encode("utf-16-be")) == (text, "utf-16")
    assert decode(codecs.BOM_UTF32_LE + text.encode("utf-32-le")) == (text, "utf-32")


@FUZZ
@given(st.text(TEXTUAL, min_size=1, max_size=300).filter(str.strip))
def test_utf8_text_comes_back_exactly_unless_it_starts_like_a_binary_format(text):
    answer = decoded_or_refused(text.encode())
    if answer is None:
        # Only a signature of a binary format at the start refuses UTF-8 text: the file
        # starts like a GIF ("GIF89a"), an MP3 ("ID3"), a video ("....ftyp") ...
        with pytest.raises(IngestError, match=r"^The file is .*, not text\.$"):
            decode(text.encode())
    else:
        assert answer == (text, "utf-8")


# -- normalise and clean ----------------------------------------------------------------------

# What normalise removes outright: invisible format characters and stray C0 controls.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x2060, 0xFEFF, 0xAD, *range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]
)
# The layout a standfirst bullet is (clean.py drops it and keeps the text after it).
_BULLET = re.compile(r"[–—•·▪-] +")


def visible(text: str) -> str:
    """The text's characters that are neither white space nor invisible, composed."""
    return "".join(unicodedata.normalize("NFC", text.translate(_INVISIBLE)).split())


def assert_every_line_accounted_for(lines: list[str], body: str, removed) -> None:
    """The lines are the body's paragraphs and the removed lines (each with a reason),
    interleaved in order; a paragraph may have lost a standfirst bullet from its front."""
    for line in removed:
        assert line.reason, line
    paragraphs = body.split("\n\n") if body else []
    gone = [line.line for line in removed]
    assert len(paragraphs) + len(gone) == len(lines), (lines, paragraphs, gone)
    # The numbers of paragraphs a prefix of the lines can have used (the rest removed).
    reachable = {0}
    for i, line in enumerate(lines):
        reachable = {
            used + kept
            for used in reachable
            for kept, fits in (
                (0, i - used < len(gone) and gone[i - used] == line),
                (1, used < len(paragraphs) and _keeps(line, paragraphs[used])),
            )
            if fits
        }
        assert reachable, f"{line!r} is neither in the body nor removed: {lines, body, gone}"


def _keeps(line: str, paragraph: str) -> bool:
    bullet = line.removesuffix(paragraph)
    return line.endswith(paragraph) and (bullet == "" or _BULLET.fullmatch(bullet) is not None)


def lines_of(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


@FUZZ
@given(TEXTS)
def test_normalise_keeps_every_visible_character_in_order(text):
    normal = normalise(text)
    assert visible(normal) == visible(text)
    assert normalise(normal) == normal, "normalised text is a fixed point"
    assert "\r" not in normal
    assert "\n\n\n" not in normal


@FUZZ
@given(TEXTS, st.sampled_from(["", "Putin and Xi meet in Beijing ahead of the Games"]))
def test_every_line_clean_drops_is_recorded_with_a_reason(text, metadata_title):
    body, title, removed = clean(text, metadata_title=metadata_title)
    assert_every_line_accounted_for(lines_of(normalise(text)), body, removed)
    assert "\n\n\n" not in body
    assert body == body.strip()
    assert title == title.strip() or title == metadata_title
    assert title or not body, "an article with a body has a title"


@FUZZ
@given(st.lists(PAGE_LINES, min_size=1, max_size=25), st.data())
def test_lines_known_to_recur_are_recorded_as_recurring(lines, data):
    text = "\n".join(lines)
    chosen = data.draw(st.sets(st.sampled_from(lines), max_size=4))
    keys = frozenset(recurring.line_key(line) for line in chosen)
    body, _, removed = clean(text, recurring_lines=keys)
    assert_every_line_accounted_for(lines_of(normalise(text)), body, removed)


# -- a whole file ---------------------------------------------------------------------------

FRONT_MATTER_KEYS = st.sampled_from([*FIELD_ALIASES, "Title", "Published at", "author", "#"])
# Times as ISO 8601 writes them, anywhere in the calendar (its ends too), with or
# without a zone.
ISO_TIMES = st.builds(
    lambda moment, zone: moment.isoformat() + zone,
    st.one_of(st.datetimes(), st.sampled_from([datetime.min, datetime.max])),
    st.sampled_from(["", "Z", "+00:00", "+05:30", "+14:00", "-14:00"]),
)
FRONT_MATTER_VALUES = st.one_of(
    st.sampled_from(
        [
            "Putin and Xi meet",
            '"Example News"',
            "https://example.com/a",
            "not a url",
            "3 February 2022",
            "31 February 2022",
        ]
    ),
    ISO_TIMES,
    st.text(TEXTUAL, max_size=40),
    st.text(st.sampled_from("ab "), min_size=190, max_size=520),  # about the lengths
)
FRONT_MATTER = st.builds(
    lambda fence, pairs, blank: (
        ("---\n" if fence else "")
        + "".join(f"{key}: {value}\n" for key, value in pairs)
        + ("---\n" if fence else "")
        + ("\n" if blank else "")
    ),
    st.booleans(),
    st.lists(st.tuples(FRONT_MATTER_KEYS, FRONT_MATTER_VALUES), max_size=6),
    st.booleans(),
)
FILES = st.one_of(
    st.tuples(FRONT_MATTER, PAGES).map("".join),
    TEXTS,
).flatmap(
    lambda text: st.sampled_from(
        [text.encode(), text.encode("utf-16"), text.encode("cp1252", "replace")]
    )
)


def assert_metadata_fits_the_database(metadata: Metadata) -> None:
    for field, limit in MAX_LENGTHS.items():
        assert len(getattr(metadata, field)) <= limit, field
    assert metadata.url == "" or is_web_address(metadata.url)
    if metadata.published_at is not None:
        assert metadata.published_at.tzinfo is not None
        metadata.published_at.astimezone(UTC)  # a time the database can hold in UTC


@FUZZ
@given(st.one_of(FILES, st.binary(max_size=300)))
def test_a_file_is_imported_whole_or_refused_with_a_reason(data):
    cleaned = attempt(process, data, name="fuzz.txt")
    if isinstance(cleaned, IngestError):
        event(f"refused: {str(cleaned)[:40]}")
        assert str(cleaned).endswith("."), str(cleaned)
        assert cleaned.name == "fuzz.txt"
        return
    event(f"imported, {min(len(cleaned.removed), 3)}+ lines removed")
    text, encoding = decode(data)
    metadata, rest = parse_front_matter(text)
    assert (cleaned.raw_text, cleaned.encoding, cleaned.metadata) == (text, encoding, metadata)
    assert text.endswith(rest), "the front matter is the text before the rest"
    assert_every_line_accounted_for(lines_of(normalise(rest)), cleaned.body, cleaned.removed)
    assert cleaned.body
    assert cleaned.content_hash == hashlib.sha256(cleaned.body.encode()).hexdigest()
    assert cleaned.word_count == len(cleaned.body.split())
    assert_metadata_fits_the_database(cleaned.metadata)


@FUZZ
@given(st.one_of(st.tuples(FRONT_MATTER, PAGES).map("".join), TEXTS))
def test_front_matter_is_metadata_within_the_database_or_an_ingest_error(text):
    answer = attempt(parse_front_matter, text)
    if isinstance(answer, IngestError):
        assert str(answer).endswith("."), str(answer)
        return
    metadata, rest = answer
    assert_metadata_fits_the_database(metadata)
    assert text.endswith(rest)


CSV_CELLS = st.one_of(FRONT_MATTER_VALUES, st.sampled_from(["a.txt", "b.txt", "", '"', ","]))
MANIFEST_COLUMNS = st.sampled_from(
    ["filename", "file_name", *FIELD_ALIASES, "notes", "Title", "Published at"]
)


def csv_line(cells: list[str]) -> str:
    return ",".join('"' + cell.replace('"', '""') + '"' if cell else "" for cell in cells)


MANIFESTS = st.builds(
    lambda header, rows: "\n".join([csv_line(header), *map(csv_line, rows)]),
    st.lists(MANIFEST_COLUMNS, min_size=1, max_size=5),
    st.lists(st.lists(CSV_CELLS, max_size=6), max_size=6),
)


@FUZZ
@given(st.one_of(MANIFESTS.map(str.encode), st.text(max_size=200).map(str.encode), st.binary()))
def test_a_manifest_is_metadata_within_the_database_or_an_ingest_error(data):
    manifest = attempt(read_manifest, data)
    if isinstance(manifest, IngestError):
        assert str(manifest).endswith("."), str(manifest)
        return
    for name, metadata in manifest.items():
        assert name
        assert_metadata_fits_the_database(metadata)


# Found by the tests above: a time at the calendar's ends with a zone (year 1 before
# 14:00 at +14:00, year 9999 after 10:00 at -14:00) is in year 0 or 10000 in UTC; it was
# stored, and every read of the article failed (psycopg: "timestamp too small").
CALENDAR_EDGES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("moment", CALENDAR_EDGES)
def test_a_time_outside_the_utc_calendar_is_refused_with_its_reason(moment):
    reason = f'has a time outside the years 1 to 9999 once in UTC: "{moment}".'
    with pytest.raises(IngestError, match=re.escape(f'The front matter field "date" {reason}')):
        parse_front_matter(f"---\ndate: {moment}\n---\nThe talks went on.\n")
    with pytest.raises(IngestError, match=re.escape(f"on line 2 of the manifest {reason}")):
        read_manifest(f"filename,published_at\na.txt,{moment}\n".encode())


@pytest.mark.django_db
@pytest.mark.parametrize("moment", CALENDAR_EDGES)
def test_a_file_dated_outside_the_utc_calendar_fails_with_its_reason(moment):
    data = f"---\ndate: {moment}\n---\nThe ministers met in Geneva on Friday.\n".encode()
    with override_settings(INGEST_EXTRACTION=False):
        batch = services.import_batch_create(
            uploads=[services.Upload.from_bytes("edge.txt", data)],
            source=ImportBatch.Source.CLI,
            enqueue=False,
        )
        services.import_batch_process_pending(batch_id=batch.pk)
    row = batch.files.get()
    assert (row.status, row.article_id) == ("failed", None)
    assert "outside the years 1 to 9999 once in UTC" in row.error


# -- zips, through the import service ---------------------------------------------------------

MEMBER_NAMES = st.one_of(
    st.sampled_from(
        [
            "a.txt",
            "folder/b.txt",
            "../escape.txt",
            "/etc/passwd.txt",
            "C:\\win.txt",
            "__MACOSX/._a.txt",
            ".DS_Store",
            "photo.jpg",
            "inner.zip",
            "README",
            "manifest.csv",
            "dir/",
            "ünïcödé/名前.txt",
        ]
    ),
    st.text(max_size=30),
    # Twice: names that get as far as the text are the ones worth most examples.
    st.text(TEXTUAL, max_size=20).map(lambda name: f"{name}.txt"),
    st.text(TEXTUAL, max_size=20).map(lambda name: f"{name}.TXT"),
)
MEMBER_CONTENTS = st.one_of(
    FILES,
    st.binary(max_size=400),
    MANIFESTS.map(str.encode),
    st.just(b"PK\x03\x04 a zip inside"),
    st.just(b"A" * 3000),  # past the test's IMPORT_MAX_FILE_BYTES
)
ZIPS = st.lists(st.tuples(MEMBER_NAMES, MEMBER_CONTENTS), min_size=1, max_size=8)


def zip_of(members: list[tuple[str, bytes]]) -> bytes:
    """A zip of these members, names as given: zipfile's writestr refuses an empty name,
    which other tools write, so the name is set on the entry after it is made."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name": a zip may hold two
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in members:
                info = zipfile.ZipInfo("member")
                info.filename, info.compress_type = name, zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    return buffer.getvalue()


def expected_rows(data: bytes) -> Counter[str]:
    """The rows a zip should make: one a member, but folders and a readable manifest.csv
    (it describes the others); one for the zip itself when that leaves none."""
    rows: Counter[str] = Counter()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.endswith("/"):
                continue  # a folder
            if info.filename == services.imports.MANIFEST_NAME:
                try:
                    read_manifest(archive.read(info))
                    continue
                except IngestError:
                    pass
            rows[f"fuzz.zip/{info.filename}"[:1024]] += 1
    return rows or Counter(["fuzz.zip"])  # nothing to import: the zip's own row


@pytest.mark.django_db
@settings(max_examples=150, derandomize=True, deadline=None, database=None)
@given(ZIPS)
@example([("", b"An empty name, as some tools write it.")])
def test_every_zip_member_is_a_row_imported_duplicate_or_failed_with_a_reason(members):
    data = zip_of(members)
    # The text's way in is fuzzed here, not the NLP; a small limit makes big members.
    with override_settings(INGEST_EXTRACTION=False, IMPORT_MAX_FILE_BYTES=2000):
        batch = services.import_batch_create(
            uploads=[services.Upload.from_bytes("fuzz.zip", data)],
            source=ImportBatch.Source.CLI,
            enqueue=False,
        )
        services.import_batch_process_pending(batch_id=batch.pk)
    batch.refresh_from_db()
    rows = list(batch.files.all())
    assert Counter(row.original_name for row in rows) == expected_rows(data)
    for row in rows:
        event(f"{row.status}: {row.error[:40]}")
        assert row.status in ("imported", "duplicate", "failed"), row.original_name
        assert (row.status == "failed") == bool(row.error), (row.original_name, row.error)
        assert not row.error.startswith("Newsdesk failed"), (row.original_name, row.error)
        assert (row.article_id is None) == (row.status == "failed"), row.original_name
    assert batch.status == "done"
    assert batch.files_total == batch.imported + batch.duplicate + batch.failed == len(rows)


@pytest.mark.django_db
def test_a_zip_member_with_an_empty_name_is_a_failed_row_not_a_crash():
    # Found by the test above: ZipInfo.is_dir() raises IndexError on an empty name, and
    # the whole upload failed with it, the zip's other members unrecorded.
    data = zip_of([("", b"No name."), ("a.txt", b"The ministers met in Geneva on Friday.")])
    with override_settings(INGEST_EXTRACTION=False):
        batch = services.import_batch_create(
            uploads=[services.Upload.from_bytes("fuzz.zip", data)],
            source=ImportBatch.Source.CLI,
            enqueue=False,
        )
        services.import_batch_process_pending(batch_id=batch.pk)
    rows = {row.original_name: row for row in batch.files.all()}
    assert set(rows) == {"fuzz.zip/", "fuzz.zip/a.txt"}
    assert rows["fuzz.zip/"].status == "failed"
    assert rows["fuzz.zip/"].error.startswith("Only .txt files are imported from a zip")
    assert rows["fuzz.zip/a.txt"].status == "imported"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "members", [[], [("folder/", b"")], [("manifest.csv", b"filename,title\na.txt,A\n")]]
)
def test_a_zip_with_nothing_to_import_is_a_failed_row_not_dropped(members):
    # Found by the test above: such a zip made no row; beside other files it vanished,
    # and alone it refused the batch as "No files were given".
    uploads = [
        services.Upload.from_bytes("b.txt", b"The ministers met in Geneva on Friday."),
        services.Upload.from_bytes("empty.zip", zip_of(members)),
    ]
    with override_settings(INGEST_EXTRACTION=False):
        batch = services.import_batch_create(
            uploads=uploads, source=ImportBatch.Source.CLI, enqueue=False
        )
    rows = {row.original_name: row for row in batch.files.all()}
    assert set(rows) == {"b.txt", "empty.zip"}
    assert rows["empty.zip"].status == "failed"
    assert rows["empty.zip"].error.startswith("There is nothing to import in this zip")
