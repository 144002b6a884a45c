"""Article metadata from a front-matter block at the top of a file, or from a manifest CSV.

Front matter, either form, must open the file (blank lines before it are allowed):

    ---                                   Title: Putin and Xi to meet in Beijing
    title: Putin and Xi to meet           Outlet: Example News
    outlet: "Example News"                Published: 3 February 2022
    published: 2022-02-03T10:00:00Z
    ---                                   (a blank line ends the block)

Keys are case-insensitive: title; outlet (or source); url; published (or published_at,
date). In the ``---`` form other keys are ignored; in the bare form every line must be
one of these keys, so an article that happens to open with "Kremlin: China will back
Russia" is not mistaken for metadata.

A manifest is a CSV file with a header row. Columns: filename (required), title, outlet,
url, published_at (the same aliases as front matter); others are ignored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from articles.ingest.decode import decode
from articles.ingest.errors import IngestError

if TYPE_CHECKING:
    import _csv


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str = ""
    outlet: str = ""
    url: str = ""
    published_at: datetime | None = None  # timezone-aware; UTC when the input gave no zone

    def merged_over(self, other: Metadata) -> Metadata:
        """A copy with each field of ``self`` where it is set, else ``other``'s."""
        return Metadata(
            title=self.title or other.title,
            outlet=self.outlet or other.outlet,
            url=self.url or other.url,
            published_at=self.published_at if self.published_at is not None else other.published_at,
        )


# key as written (lowercased, spaces and hyphens as "_") -> Metadata field
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "outlet": "outlet",
    "source": "outlet",
    "url": "url",
    "published": "published_at",
    "published_at": "published_at",
    "date": "published_at",
}
MANIFEST_FILENAME_ALIASES = ("filename", "file_name", "file")
_FRONT_MATTER_FENCE = "---"
_FRONT_MATTER_MAX_LINES = 40
_KEY_VALUE = re.compile(r"\s*([A-Za-z_][\w -]{0,30}?)\s*:\s*(.*?)\s*")

# Month names and abbreviations, lower case, to their numbers (also read by ingest.dates).
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_TIME = r"(?:,? (?:at )?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?: ?(?P<ampm>[AaPp][Mm]))?)?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,? )?"
# Locale-independent, unlike strptime's %B: "3 February 2022", "Feb 3, 2022",
# "Thursday, 3rd Feb. 2022 10:15", "February 3 2022 at 9:30 pm".
_HUMAN_DATES = (
    re.compile(rf"{_WEEKDAY}{_DAY} {_MONTH},? {_YEAR}{_TIME}", re.IGNORECASE),
    re.compile(rf"{_WEEKDAY}{_MONTH} {_DAY},? {_YEAR}{_TIME}", re.IGNORECASE),
)
_SLASHED_ISO = re.compile(r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})")


def parse_front_matter(text: str) -> tuple[Metadata, str]:
    """Return ``(metadata, rest)``: the front matter parsed and the text after it.

    Text without front matter comes back unchanged with empty Metadata. Raises
    IngestError naming the field and value when a date or URL cannot be read.
    """
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return Metadata(), text
    if lines[start].strip() == _FRONT_MATTER_FENCE:
        return _fenced(lines, start, text)
    return _bare(lines, start, text)


def _fenced(lines: list[str], start: int, text: str) -> tuple[Metadata, str]:
    fields: list[tuple[str, str]] = []
    for j in range(start + 1, min(len(lines), start + _FRONT_MATTER_MAX_LINES)):
        stripped = lines[j].strip()
        if stripped in (_FRONT_MATTER_FENCE, "..."):
            return _metadata(fields), "".join(lines[j + 1 :])
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY_VALUE.fullmatch(stripped)
        if match is None:
            return Metadata(), text  # a rule line, not a metadata block
        fields.append((match.group(1), match.group(2)))
    return Metadata(), text


def _bare(lines: list[str], start: int, text: str) -> tuple[Metadata, str]:
    fields: list[tuple[str, str]] = []
    j = start
    while j < len(lines) and lines[j].strip():
        match = _KEY_VALUE.fullmatch(lines[j].strip())
        if match is None or _key(match.group(1)) not in FIELD_ALIASES:
            return Metadata(), text
        fields.append((match.group(1), match.group(2)))
        j += 1
    if not fields or j == len(lines):
        return Metadata(), text  # not followed by a blank line and an article
    return _metadata(fields), "".join(lines[j + 1 :])


def _metadata(fields: list[tuple[str, str]]) -> Metadata:
    values: dict[str, tuple[str, str]] = {}
    for key, value in fields:
        field = FIELD_ALIASES.get(_key(key))
        if field is not None and field not in values:  # the first of two aliases wins
            values[field] = (key, _unquote(value))
    return _build(values, lambda key: f'The front matter field "{key}"')


def _key(name: str) -> str:
    """One key for "Published at", "published-at" and "PUBLISHED_AT"."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


# The longest value of each field the database holds (Article.title, Outlet.name,
# Article.url; a test keeps them equal to the models'): a longer one is refused with the
# file's reason, as the import form refuses it, never cut or left to the database.
MAX_LENGTHS = {"title": 500, "outlet": 200, "url": 2000}


def _build(values: Mapping[str, tuple[str, str]], describe: Callable[[str], str]) -> Metadata:
    """Metadata from ``{field: (key as written, value)}``; ``describe(key)`` starts an
    error sentence about that key."""
    title = " ".join(values.get("title", ("", ""))[1].split())
    outlet = " ".join(values.get("outlet", ("", ""))[1].split())
    url_key, url = values.get("url", ("url", ""))
    for field, value in (("title", title), ("outlet", outlet), ("url", url)):
        if len(value) > MAX_LENGTHS[field]:
            raise IngestError(
                f"{describe(values[field][0])} is {len(value):,} characters long; "
                f"a {field} can have at most {MAX_LENGTHS[field]:,} characters."
            )
    if url and not is_web_address(url):
        raise IngestError(
            f'{describe(url_key)} is not a web address starting with http:// or https://: "{url}".'
        )
    date_key, published = values.get("published_at", ("published_at", ""))
    published_at = None
    if published:
        published_at = parse_date(published)
        if published_at is None:
            raise IngestError(
                f'{describe(date_key)} has a date that cannot be read: "{published}" '
                "(write it like 2022-02-03 or 3 February 2022)."
            )
        if not _in_utc_years(published_at):
            raise IngestError(
                f"{describe(date_key)} has a time outside the years 1 to 9999 once in UTC: "
                f'"{published}".'
            )
    return Metadata(
        title=title,
        outlet=outlet,
        url=url,
        published_at=published_at,
    )


def _in_utc_years(moment: datetime) -> bool:
    """Whether the moment falls in the years 1 to 9999 in UTC. Beyond them PostgreSQL
    stores it (0001-01-01T00:00+14:00 is in 1 BC in UTC) but Python cannot read it back:
    every page that showed the article would fail."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def is_web_address(value: str) -> bool:
    if any(character.isspace() for character in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def parse_date(value: str) -> datetime | None:
    """A timezone-aware datetime for a date as people write it, or None.

    ISO 8601 (anything ``datetime.fromisoformat`` reads, "Z" included), 2022/02/03, and
    English day-month or month-day dates with an optional weekday and time. Dates given
    without a zone are taken as UTC. Numeric day/month orders (03/02/2022) are refused as
    ambiguous.
    """
    value = " ".join(value.split())
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = _parse_human_date(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _parse_human_date(value: str) -> datetime | None:
    match = _SLASHED_ISO.fullmatch(value)
    month: int | None
    if match is not None:
        month = int(match["month"])
    else:
        for pattern in _HUMAN_DATES:
            match = pattern.fullmatch(value)
            if match is not None:
                break
        else:
            return None
        month = MONTHS.get(match["month"].lower())
        if month is None:
            return None
    hour = minute = 0
    groups = match.groupdict()
    if groups.get("hour"):
        hour, minute = int(groups["hour"]), int(groups["minute"])
        ampm = (groups.get("ampm") or "").lower()
        if ampm and not 1 <= hour <= 12:
            return None
        if ampm == "pm" and hour != 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
    try:
        return datetime(int(match["year"]), month, int(match["day"]), hour, minute)
    except ValueError:
        return None  # 31 February, 25:00


def read_manifest(data: bytes) -> dict[str, Metadata]:
    """Parse a manifest CSV into ``{file name as written: Metadata}``.

    Look a file up with manifest_entry(), which also matches by base name. Raises
    IngestError naming the line for a missing "filename" column, a row with more fields
    than the header, an empty or repeated file name, or a bad date or URL.
    """
    text, _ = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return _read_rows(reader)
    except csv.Error as error:
        raise IngestError(
            f"Line {reader.line_num} of the manifest is not valid CSV ({error})."
        ) from None


def _read_rows(reader: _csv.Reader) -> dict[str, Metadata]:
    header = next(reader, None)
    if header is None:
        raise IngestError("The manifest is empty.")
    headers = [name.strip() for name in header]
    columns = [_column_name(name) for name in headers]
    if "filename" not in columns:
        raise IngestError('The manifest has no "filename" column in its header (line 1).')
    for column in columns:
        if column and columns.count(column) > 1:
            raise IngestError(f'The manifest header has more than one "{column}" column (line 1).')
    manifest: dict[str, Metadata] = {}
    first_seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns):
            raise IngestError(
                f"Line {line} of the manifest has {len(row)} fields but the header has "
                f"{len(columns)}; put quotes around values that contain commas."
            )
        values = {
            column: (written, cell.strip())
            for column, written, cell in zip(columns, headers, row, strict=False)
            if column
        }
        filename = values.pop("filename", ("", ""))[1]
        if not filename:
            raise IngestError(f"Line {line} of the manifest has no file name.")
        if filename in first_seen:
            raise IngestError(
                f'Line {line} of the manifest lists "{filename}" again '
                f"(it is already on line {first_seen[filename]})."
            )
        first_seen[filename] = line
        manifest[filename] = _build(values, _describe_cell(line))
    return manifest


def _describe_cell(line: int) -> Callable[[str], str]:
    return lambda key: f'The "{key}" value on line {line} of the manifest'


def _column_name(name: str) -> str:
    key = _key(name)
    if key in MANIFEST_FILENAME_ALIASES:
        return "filename"
    return FIELD_ALIASES.get(key, "")


def manifest_entry(manifest: Mapping[str, Metadata], name: str) -> Metadata | None:
    """The manifest's metadata for an uploaded file called ``name``, or None.

    An exact match on the name as written in the manifest wins. Otherwise the base names
    are compared (the part after the last "/" or "\\"), so a manifest row "batch1/a.txt"
    matches an upload named "a.txt" and a row "a.txt" matches "uploads/a.txt"; when
    several rows share that base name the match is ambiguous and None is returned.
    """
    if name in manifest:
        return manifest[name]
    base = _basename(name)
    matches = [metadata for written, metadata in manifest.items() if _basename(written) == base]
    return matches[0] if len(matches) == 1 else None


def _basename(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name
