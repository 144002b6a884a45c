"""The whole import of one file: bytes in, a Cleaned article (or an IngestError) out."""

from __future__ import annotations

from dataclasses import dataclass

from articles.ingest.clean import RemovedLine, clean_normalised
from articles.ingest.decode import decode
from articles.ingest.dedupe import content_hash
from articles.ingest.errors import IngestError
from articles.ingest.metadata import Metadata, parse_front_matter
from articles.ingest.normalise import normalise
from articles.ingest.recurring import Evidence, Page


@dataclass(frozen=True, slots=True)
class Cleaned:
    raw_text: str  # the decoded text (byte-order mark removed), front matter and all
    body: str  # NFC; paragraphs separated by exactly "\n\n"; no chrome, no title line
    title: str
    metadata: Metadata  # from front matter only; the caller merges a manifest over it
    encoding: str
    removed: tuple[RemovedLine, ...]
    content_hash: str  # SHA-256 hex of body in UTF-8
    word_count: int


def process(
    data: bytes,
    *,
    name: str = "",
    evidence: Evidence | None = None,
    outlet: str = "",
    default_outlet: str = "",
) -> Cleaned:
    """Decode, read front matter, normalise and clean one uploaded file.

    ``evidence`` is the batch's recurring lines (recurring.py); the file's outlet, for its
    outlet's own lines, is ``outlet`` (a manifest's), else the front matter's, else
    ``default_outlet`` (the batch's), as the import records it.

    Raises IngestError (with ``name`` attached for logs) when the file is not text, its
    front matter is bad, or nothing but page chrome is left. MinHash is not computed here:
    call dedupe.minhash(cleaned.body) when near-duplicate detection is wanted.
    """
    try:
        text, encoding = decode(data)
        metadata, rest = parse_front_matter(text)
        lines = frozenset[str]()
        if evidence:
            lines = evidence.lines_for(outlet or metadata.outlet or default_outlet)
        body, title, removed = clean_normalised(
            normalise(rest), metadata_title=metadata.title, recurring_lines=lines
        )
        if not body:
            raise IngestError("The file has no article text left after removing page chrome.")
    except IngestError as error:
        error.name = name
        raise
    return Cleaned(
        raw_text=text,
        body=body,
        title=title,
        metadata=metadata,
        encoding=encoding,
        removed=removed,
        content_hash=content_hash(body),
        word_count=len(body.split()),
    )


def prepass_page(data: bytes, *, outlet: str = "", default_outlet: str = "") -> Page | None:
    """The file as the batch pre-pass counts it (recurring.count_lines): the normalised
    text the cleaner will see, and its outlet chosen as ``process`` chooses it. None for a
    file that will fail to import anyway."""
    try:
        text, _ = decode(data)
        metadata, rest = parse_front_matter(text)
    except IngestError:
        return None
    return Page(normalise(rest), outlet or metadata.outlet or default_outlet)
