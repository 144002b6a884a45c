"""Plain-Python ingestion: bytes of an uploaded article to clean text and duplicate keys.

No Django here (STYLE.md): these functions take bytes and strings and return frozen
dataclasses, so they run in any worker and are tested without a database.
"""

from articles.ingest import recurring
from articles.ingest.clean import RemovedLine, clean
from articles.ingest.decode import decode
from articles.ingest.dedupe import (
    NEAR_DUPLICATE_THRESHOLD,
    NUM_BANDS,
    NUM_PERM,
    ROWS_PER_BAND,
    SIGNATURE_BYTES,
    Signature,
    content_hash,
    estimate_similarity,
    lsh_bands,
    minhash,
    signature_from_bytes,
    signature_to_bytes,
)
from articles.ingest.errors import IngestError
from articles.ingest.metadata import Metadata, manifest_entry, parse_front_matter, read_manifest
from articles.ingest.normalise import normalise
from articles.ingest.pipeline import Cleaned, prepass_page, process

__all__ = [
    "NEAR_DUPLICATE_THRESHOLD",
    "NUM_BANDS",
    "NUM_PERM",
    "ROWS_PER_BAND",
    "SIGNATURE_BYTES",
    "Cleaned",
    "IngestError",
    "Metadata",
    "RemovedLine",
    "Signature",
    "clean",
    "content_hash",
    "decode",
    "estimate_similarity",
    "lsh_bands",
    "manifest_entry",
    "minhash",
    "normalise",
    "parse_front_matter",
    "prepass_page",
    "process",
    "read_manifest",
    "recurring",
    "signature_from_bytes",
    "signature_to_bytes",
]
