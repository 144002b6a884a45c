"""Front matter and manifest CSV: what is read, what is refused, and the line it is on."""

import codecs
from datetime import UTC, datetime, timedelta, timezone

import pytest

from articles.ingest import (
    IngestError,
    Metadata,
    manifest_entry,
    parse_front_matter,
    process,
    read_manifest,
)

ARTICLE = (
    "Harbour states agree to share tide data\n\n"
    "Port officials agreed on Monday to pool their readings.\n"
)


# -- front matter ------------------------------------------------------------------------


def test_fenced_front_matter_is_parsed_and_removed():
    text = (
        "---\n"
        "title: Tide data to be shared\n"
        'outlet: "The Harbour Gazette"\n'
        "url: https://example.org/news/tide-data\n"
        "published: 2022-02-03T10:15:00Z\n"
        "author: Ignored Person\n"
        "---\n" + ARTICLE
    )
    metadata, rest = parse_front_matter(text)
    assert metadata == Metadata(
        title="Tide data to be shared",
        outlet="The Harbour Gazette",
        url="https://example.org/news/tide-data",
        published_at=datetime(2022, 2, 3, 10, 15, tzinfo=UTC),
    )
    assert rest == ARTICLE


def test_bare_front_matter_lines_end_at_a_blank_line_and_keys_ignore_case():
    text = (
        "TITLE: Tide data to be shared\nSource: Harbour Gazette\nDate: 3 February 2022\n\n"
        + ARTICLE
    )
    metadata, rest = parse_front_matter(text)
    assert metadata == Metadata(
        title="Tide data to be shared",
        outlet="Harbour Gazette",
        published_at=datetime(2022, 2, 3, tzinfo=UTC),
    )
    assert rest == ARTICLE


def test_keys_may_be_written_with_spaces_or_hyphens():
    metadata, _ = parse_front_matter(f"Published at: 2022-02-03\n\n{ARTICLE}")
    assert metadata.published_at == datetime(2022, 2, 3, tzinfo=UTC)


def test_front_matter_with_windows_line_ends():
    metadata, rest = parse_front_matter(
        "Title: Tide data\r\nURL: http://example.org/a\r\n\r\nBody.\r\n"
    )
    assert metadata == Metadata(title="Tide data", url="http://example.org/a")
    assert rest == "Body.\r\n"


@pytest.mark.parametrize(
    "text",
    [
        ARTICLE,
        "Kremlin: China will back Russia on security concerns\n\nThe Kremlin said on Wednesday.\n",
        "Title: Tide data\nThe talks ended on Monday.\n\nMore text.\n",  # no blank line after
        "Title: Tide data\n",  # nothing follows
        "---\nA rule line, then prose.\n---\nMore prose.\n",
        "---\ntitle: never closed\n\nProse.\n",
    ],
)
def test_text_without_front_matter_is_returned_unchanged(text):
    assert parse_front_matter(text) == (Metadata(), text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-02-03", datetime(2022, 2, 3, tzinfo=UTC)),
        (
            "2022-02-03T10:15:00+02:00",
            datetime(2022, 2, 3, 10, 15, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2022-02-03 10:15", datetime(2022, 2, 3, 10, 15, tzinfo=UTC)),
        ("2022/02/03", datetime(2022, 2, 3, tzinfo=UTC)),
        ("3 February 2022", datetime(2022, 2, 3, tzinfo=UTC)),
        ("3rd Feb. 2022", datetime(2022, 2, 3, tzinfo=UTC)),
        ("Feb 3, 2022", datetime(2022, 2, 3, tzinfo=UTC)),
        ("February 3 2022", datetime(2022, 2, 3, tzinfo=UTC)),
        ("Thursday, 3 February 2022 10:15", datetime(2022, 2, 3, 10, 15, tzinfo=UTC)),
        ("Sept 20, 2023 at 9:30 pm", datetime(2023, 9, 20, 21, 30, tzinfo=UTC)),
    ],
)
def test_published_dates_in_common_forms(value, expected):
    metadata, _ = parse_front_matter(f"Published: {value}\n\n{ARTICLE}")
    assert metadata.published_at == expected
    assert metadata.published_at.tzinfo is not None


@pytest.mark.parametrize("value", ["yesterday", "03/02/2022", "31 February 2022", "2022-13-01"])
def test_a_bad_date_names_the_field_and_the_value(value):
    with pytest.raises(IngestError) as caught:
        parse_front_matter(f"Title: Tide data\nDate: {value}\n\n{ARTICLE}")
    message = str(caught.value)
    assert message.startswith('The front matter field "Date" has a date that cannot be read')
    assert f'"{value}"' in message


@pytest.mark.parametrize(
    "value", ["ftp://example.org/a", "example.org/a", "https://", "http://exa mple.org"]
)
def test_a_url_must_be_a_web_address(value):
    with pytest.raises(IngestError) as caught:
        parse_front_matter(f"---\nurl: {value}\n---\n{ARTICLE}")
    assert str(caught.value) == (
        f'The front matter field "url" is not a web address starting with http:// or https://: '
        f'"{value}".'
    )


def test_process_strips_front_matter_from_the_body_but_keeps_it_in_raw_text():
    data = ("Title: Tide data to be shared\nOutlet: Harbour Gazette\n\n" + ARTICLE).encode()
    cleaned = process(data)
    assert cleaned.raw_text == data.decode()
    assert cleaned.metadata.outlet == "Harbour Gazette"
    assert "Harbour Gazette" not in cleaned.body
    assert (
        cleaned.title == "Harbour states agree to share tide data"
    )  # the page's own headline wins
    assert cleaned.body == "Port officials agreed on Monday to pool their readings."


def test_process_uses_the_front_matter_title_when_the_page_has_no_headline():
    cleaned = process(b"Title: Tide data to be shared\n\nPort officials agreed on Monday.\n")
    assert cleaned.title == "Tide data to be shared"


def test_merged_over_prefers_the_fields_that_are_set():
    manifest = Metadata(title="From the manifest", url="https://example.org/m")
    front = Metadata(
        title="From the file", outlet="Gazette", published_at=datetime(2022, 2, 3, tzinfo=UTC)
    )
    assert manifest.merged_over(front) == Metadata(
        title="From the manifest",
        outlet="Gazette",
        url="https://example.org/m",
        published_at=datetime(2022, 2, 3, tzinfo=UTC),
    )
    assert Metadata().merged_over(front) == front


# -- manifest ----------------------------------------------------------------------------

MANIFEST = (
    "filename,title,outlet,url,published_at,notes\n"
    "tide.txt,Tide data to be shared,Harbour Gazette,https://example.org/tide,2022-02-03,first\n"
    '"batch 2/ferry.txt","Ferries, buses and bridges",,,"Feb 3, 2022",\n'
    "\n"
    "bare.txt,,,,,\n"
)


def test_manifest_rows_become_metadata_keyed_by_file_name():
    manifest = read_manifest(MANIFEST.encode())
    assert manifest == {
        "tide.txt": Metadata(
            title="Tide data to be shared",
            outlet="Harbour Gazette",
            url="https://example.org/tide",
            published_at=datetime(2022, 2, 3, tzinfo=UTC),
        ),
        "batch 2/ferry.txt": Metadata(
            title="Ferries, buses and bridges", published_at=datetime(2022, 2, 3, tzinfo=UTC)
        ),
        "bare.txt": Metadata(),
    }


def test_manifest_with_byte_order_mark_windows_line_ends_and_short_rows():
    data = codecs.BOM_UTF8 + b"Filename,Title\r\na.txt,A title\r\nb.txt\r\n"
    assert read_manifest(data) == {"a.txt": Metadata(title="A title"), "b.txt": Metadata()}


def test_manifest_entry_matches_exactly_then_by_base_name():
    manifest = read_manifest(MANIFEST.encode())
    assert manifest_entry(manifest, "tide.txt") == manifest["tide.txt"]
    assert manifest_entry(manifest, "ferry.txt") == manifest["batch 2/ferry.txt"]
    assert manifest_entry(manifest, "uploads\\tide.txt") == manifest["tide.txt"]
    assert manifest_entry(manifest, "missing.txt") is None


def test_manifest_entry_refuses_to_guess_between_two_rows_with_one_base_name():
    manifest = read_manifest(b"filename\na/same.txt\nb/same.txt\n")
    assert manifest_entry(manifest, "a/same.txt") == Metadata()
    assert manifest_entry(manifest, "same.txt") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (
            b"title,url\nA,https://example.org\n",
            'The manifest has no "filename" column in its header (line 1).',
        ),
        (
            b"filename,file\na.txt,b.txt\n",
            'The manifest header has more than one "filename" column (line 1).',
        ),
        (
            b"filename,title\na.txt,One\nb.txt,Two\na.txt,Three\n",
            'Line 4 of the manifest lists "a.txt" again (it is already on line 2).',
        ),
        (b"filename,title\na.txt,One\n,Two\n", "Line 3 of the manifest has no file name."),
        (
            b"filename,title\na.txt,Ferries, buses\n",
            "Line 2 of the manifest has 3 fields but the header has 2; put quotes around values"
            " that contain commas.",
        ),
        (
            b"filename,published_at\na.txt,2022-02-03\nb.txt,soon\n",
            'The "published_at" value on line 3 of the manifest has a date that cannot be read:'
            ' "soon" (write it like 2022-02-03 or 3 February 2022).',
        ),
        (
            b"filename,URL\na.txt,www.example.org\n",
            'The "URL" value on line 2 of the manifest is not a web address starting with'
            ' http:// or https://: "www.example.org".',
        ),
    ],
)
def test_manifest_errors_name_the_line(data, message):
    with pytest.raises(IngestError) as caught:
        read_manifest(data)
    assert str(caught.value) == message


def test_manifest_line_numbers_count_physical_lines_after_a_quoted_newline():
    data = b'filename,title\na.txt,"A title\nover two lines"\nb.txt,B\nb.txt,again\n'
    with pytest.raises(IngestError, match=r"^Line 5 of the manifest lists"):
        read_manifest(data)


def test_manifest_with_broken_quoting_is_reported_as_invalid_csv():
    with pytest.raises(IngestError, match=r"^Line \d+ of the manifest is not valid CSV"):
        read_manifest(b'filename,title\na.txt,"unterminated\n')


def test_metadata_length_limits_are_the_databases():
    from articles.ingest.metadata import MAX_LENGTHS
    from articles.models import Article, Outlet

    assert {
        "title": Article._meta.get_field("title").max_length,
        "outlet": Outlet._meta.get_field("name").max_length,
        "url": Article._meta.get_field("url").max_length,
    } == MAX_LENGTHS
