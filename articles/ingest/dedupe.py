"""Duplicate keys for clean bodies: an exact hash, and MinHash/LSH for reprints.

Exact duplicates share ``content_hash``. Near duplicates (the same wire story run by two
outlets with their own furniture and an edited sentence) are found in two steps that the
database can do with an index: bodies whose signatures share at least one LSH band key
are candidates, and a candidate is a near duplicate when ``estimate_similarity`` reaches
NEAR_DUPLICATE_THRESHOLD.

Choice of parameters (P = chance that a pair with Jaccard similarity s shares a band,
1 - (1 - s**ROWS_PER_BAND) ** NUM_BANDS, with 32 bands of 4 rows):

    s     0.9    0.8    0.7     0.5    0.3    0.1
    P     1.000  1.000  0.9998  0.873  0.23   0.003

so a pair at or above the 0.8 threshold is never missed and even a 0.7 pair almost never
is, while unrelated articles (s below 0.1) rarely become candidates. Pairs in between are
checked against the full signature, which costs one comparison each. 16 bands of 8 rows
would put the LSH threshold near 0.7 but miss ~40% of pairs at 0.7 and 5% at 0.8.

Why 0.8: with word 5-shingles one changed word touches five shingles, so a reprint that
differs by a sentence or a footer scores about 0.85-0.95, while two outlets writing up the
same press conference, even quoting the same sentences, score below 0.2 (the seed
articles 000 and 003 score about 0.05). The estimate's standard error with 128
permutations is sqrt(s(1-s)/128), about 0.035 at s = 0.8, well inside that gap.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

Signature: TypeAlias = NDArray[np.uint64]

NUM_PERM = 128
NUM_BANDS = 32
ROWS_PER_BAND = 4
SHINGLE_WORDS = 5
NEAR_DUPLICATE_THRESHOLD = 0.8
# Signatures are stored: the seed and scheme must never change without recomputing them
# (tests/articles/test_ingest_dedupe.py pins a signature to catch a library upgrade).
MINHASH_SEED = 1
MINHASH_SCHEME = "affine64"
SIGNATURE_BYTES = NUM_PERM * 8
assert NUM_BANDS * ROWS_PER_BAND == NUM_PERM

_WORD = re.compile(r"\w+")
# Shingle hashes are built in numpy from per-word CRC-32s (Horner's rule modulo 2**64 with
# this odd multiplier) and given to datasketch as ready-made hash values: hashing each
# 5-gram with SHA-1 in Python made minhash() three times slower than the whole cleaner.
# datasketch's affine64 scheme passes every value through the MurmurHash3 finalizer before
# permuting it, so the weak, linear input hash is mixed thoroughly. CRC-32 is fixed by the
# zlib specification: signatures are identical across processes and machines.
_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_WORD_CODES: dict[str, int] = {}
_WORD_CODES_MAX = 500_000


@functools.cache
def _minhash_class() -> Any:
    # datasketch's package imports its LSH module, which imports SciPy: 1.5 s at start-up
    # that processes which never compute a signature (the web server, the CLI) skip.
    from datasketch import MinHash

    return MinHash


@functools.cache
def _permutations() -> Any:
    # Generating 2 x 128 permutation parameters takes longer than hashing a short
    # article: do it once per process and share the arrays.
    template = _minhash_class()(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    return template.permutations


def content_hash(body: str) -> str:
    """The exact-duplicate key: SHA-256 of the clean body in UTF-8, as 64 hex digits."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def shingle_hashes(body: str) -> NDArray[np.uint64]:
    """64-bit hashes of the body's word 5-grams: lowercased, and punctuation ignored, so a
    curly and a straight apostrophe shingle alike. A body shorter than five words is one
    shingle."""
    words = _WORD.findall(body.lower())
    if not words:
        return np.empty(0, dtype=np.uint64)
    codes = np.array(_word_codes(words), dtype=np.uint64)
    width = min(SHINGLE_WORDS, len(words))
    count = len(words) - width + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        hashes = hashes * _SHINGLE_MULTIPLIER + codes[offset : offset + count]
    return hashes


def _word_codes(words: list[str]) -> list[int]:
    # Words repeat within and across articles: hash each once per process. The shared
    # cache is only read and added to here (safe under the GIL) and is dropped, not
    # evicted, when it grows too big; the codes for this body come from a local dict, so
    # a concurrent drop cannot lose one.
    cache = _WORD_CODES
    local: dict[str, int] = {}
    for word in set(words):
        code = cache.get(word)
        if code is None:
            code = cache[word] = zlib.crc32(word.encode("utf-8"))
        local[word] = code
    if len(cache) > _WORD_CODES_MAX:
        cache.clear()
    return list(map(local.__getitem__, words))


def minhash(body: str) -> Signature:
    """The MinHash signature of a body: NUM_PERM uint64 values, deterministic across
    processes and machines (fixed seed and scheme, CRC-32 based shingle hashes)."""
    sketch = _minhash_class()(
        num_perm=NUM_PERM,
        seed=MINHASH_SEED,
        scheme=MINHASH_SCHEME,
        hashfunc=_given,
        permutations=_permutations(),
    )
    sketch.update_batch(shingle_hashes(body).tolist())
    signature: Signature = sketch.hashvalues.astype(np.uint64, copy=False)
    return signature


def _given(value: int) -> int:
    return value


def lsh_bands(signature: Signature) -> list[str]:
    """NUM_BANDS keys like "07:3f9a0c2be4d81a76": band number, then a 64-bit hash of the
    band's rows. Two signatures that agree on every row of a band share its key, so
    candidates are ``WHERE key IN (...)`` on an indexed column."""
    rows = _checked(signature).astype("<u8", copy=False).reshape(NUM_BANDS, ROWS_PER_BAND)
    return [
        f"{band:02d}:{hashlib.blake2b(rows[band].tobytes(), digest_size=8).hexdigest()}"
        for band in range(NUM_BANDS)
    ]


def estimate_similarity(sig_a: Signature, sig_b: Signature) -> float:
    """The estimated Jaccard similarity of the two bodies' shingle sets, 0.0 to 1.0."""
    return float(np.count_nonzero(_checked(sig_a) == _checked(sig_b))) / NUM_PERM


def signature_to_bytes(signature: Signature) -> bytes:
    """SIGNATURE_BYTES bytes (little-endian uint64s), for a binary database column."""
    return _checked(signature).astype("<u8", copy=False).tobytes()


def signature_from_bytes(data: bytes) -> Signature:
    if len(data) != SIGNATURE_BYTES:
        raise ValueError(f"A signature is {SIGNATURE_BYTES} bytes, not {len(data)}.")
    signature: Signature = np.frombuffer(data, dtype="<u8").astype(np.uint64)
    return signature


def _checked(signature: Signature) -> Signature:
    if signature.shape != (NUM_PERM,):
        raise ValueError(f"A signature has {NUM_PERM} values, not shape {signature.shape}.")
    return signature
