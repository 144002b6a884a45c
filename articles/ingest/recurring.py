# ruff: noqa: RUF001 -- news typography (curly quotes) is what the quotation guard matches.
"""Chrome known by its recurrence: a line that many otherwise different pages of one batch
(or one outlet) share is the site's furniture, whatever its wording.

The lexicon (chrome.py) knows what furniture usually says; this module knows what one
site's furniture says, from the pages themselves. ``count_lines`` is the pre-pass over a
whole batch, run before any file is cleaned (an article's body is immutable once stored,
so the evidence must exist before the first file is): it counts, for every short line,
in how many *families* of pages it occurs. A family is a group of pages that are
otherwise alike (the same wire story from several outlets, near-duplicate reprints), so
the paragraphs such pages share count once, not once per copy, and never become chrome.

Safety, in the order it applies:

- Only lines of at most MAX_WORDS words are counted; paragraphs of news are longer. A
  line of more than SHORT_WORDS words counts only if it speaks to the reader ("you",
  "our"): the verbatim sentences that rewrites of one story share do not.
- A line that quotes someone (a quotation of QUOTED_MIN_WORDS words or more) is never
  counted: the same statement is quoted verbatim by many articles of one story.
- Pages are grouped into families by the similarity of their long lines' word shingles
  (FAMILY_SIMILARITY, a MinHash estimate): copies of one story share most of their
  paragraphs, pages of one site share only the furniture, which is mostly short lines.
- A line is recurring chrome from MIN_FAMILIES families on.

Keys are normalised (case, spacing, digits, month and day names), so "12 comments" and
"7 comments", or "Published March 3, 2026" and "Published April 9, 2026", are one line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from articles.ingest import chrome
from articles.ingest.dedupe import shingle_hashes

MAX_WORDS = 40
MAX_CHARS = 300
QUOTED_MIN_WORDS = 5
# Longer lines are sentences: rewrites of one story by several outlets share some of them
# verbatim, without being copies of one another. Furniture that is a sentence (a cookie
# notice, a newsletter, app or paywall pitch) speaks to the reader; news rarely does
# outside quotations.
SHORT_WORDS = 12
REPLY_MAX_WORDS = 3
MIN_FAMILIES = 3
# Long lines (paragraphs) decide which pages are copies of one another.
FAMILY_MIN_WORDS = 8
FAMILY_SIMILARITY = 0.3
# 64 MinHash values in 32 bands of 2: a pair at similarity 0.5 shares a band with
# probability 1 - (1 - 0.25)**32 > 0.9999, at 0.3 about 0.95; each candidate is then
# checked on the full signature.
_PERMUTATIONS = 64
_ROWS = 2
_BUCKET_PEERS = 20
_RNG = np.random.default_rng(20260315)
_A = _RNG.integers(1, 2**63, size=_PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 2**63, size=_PERMUTATIONS, dtype=np.uint64)
_EMPTY = np.full(_PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)

_SENTENCE_END = re.compile(r"[.!?…][\"'’”»)\]]*$")
_READER = re.compile(r"\b(?:you|your|yours|you're|you’re|we|we're|we’re|our|us)\b", re.I)
_LETTER = re.compile(r"[^\W\d_]")
_REPLY_END = re.compile(r"[.?…]['\"’”»)]*$")
_OPENING = re.compile(r"[\"“„«]")
_DIGITS = re.compile(r"\d+")
_MONTHS_DAYS = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\b\.?"
)
_QUOTATION = re.compile(r"[\"“”„«»]([^\"“”„«»]+)[\"“”„«»]|(?:^|\s)[‘']([^‘’']+)[’'](?=\W|$)")


def line_key(line: str) -> str:
    """The form under which two lines count as the same line: casefolded, spacing
    collapsed, every number "0", month and day names "<d>"."""
    key = " ".join(line.split()).casefold()
    key = _MONTHS_DAYS.sub("<d>", key)
    return _DIGITS.sub("0", key)


def is_candidate(line: str) -> bool:
    """May this line ever count as recurring chrome? Short, quoting nobody, and when it is
    a sentence rather than a label, one that speaks to the reader."""
    words = len(line.split())
    if not line or len(line) > MAX_CHARS or words > MAX_WORDS:
        return False
    if not _LETTER.search(line):
        return False  # numbers and dashes: a figure, a score or a rule; context decides
    if words <= REPLY_MAX_WORDS and _REPLY_END.search(line):
        return False  # "Yes.", "Why not?": an interview's replies recur across articles
    if words > SHORT_WORDS and not _READER.search(line):
        return False
    return _quoted_words(line) < QUOTED_MIN_WORDS


def _quoted_words(line: str) -> int:
    """The most words inside one quotation of the line (an unclosed one runs to its end)."""
    most = 0
    for match in _QUOTATION.finditer(line):
        most = max(most, len((match.group(1) or match.group(2) or "").split()))
    opening = _OPENING.search(line)
    if opening and (line.count('"') % 2 or line.count("“") > line.count("”")):
        most = max(most, len(line[opening.end() :].split()))
    return most


@dataclass(frozen=True, slots=True)
class Page:
    """One file of a batch for the pre-pass: its normalised text and its outlet."""

    text: str
    outlet: str = ""


@dataclass(frozen=True, slots=True)
class LineCounts:
    """How many families of pages each candidate line occurs in: over the whole batch,
    and within each outlet the batch names (keys from ``outlet_key``)."""

    batch: Counter[str] = field(default_factory=Counter)
    outlets: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The line keys known to be recurring chrome, for the batch and per outlet."""

    batch: frozenset[str] = frozenset()
    outlets: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def lines_for(self, outlet: str) -> frozenset[str]:
        own = self.outlets.get(outlet_key(outlet)) if outlet else None
        return self.batch | own if own else self.batch

    def __bool__(self) -> bool:
        return bool(self.batch) or any(self.outlets.values())


OUTLET_KEY_CHARS = 200  # as long as an outlet's name may be


def outlet_key(name: str) -> str:
    return " ".join(name.split()).casefold()[:OUTLET_KEY_CHARS]


@dataclass(frozen=True, slots=True)
class Summary:
    """What the pre-pass keeps of a page: its candidate line keys and a signature of its
    prose, so a batch of thousands of files is counted without holding their text."""

    keys: frozenset[str]
    signature: np.ndarray
    outlet: str = ""


def summarise(page: Page) -> Summary:
    keys = frozenset(line_key(line) for line in page.text.split("\n") if is_candidate(line))
    return Summary(keys, _signature(page.text), page.outlet)


def count_lines(pages: Sequence[Page | Summary]) -> LineCounts:
    """The pre-pass: family counts of every candidate line, batch-wide and per outlet."""
    summaries = [page if isinstance(page, Summary) else summarise(page) for page in pages]
    families = _families([summary.signature for summary in summaries])
    batch_sets: dict[str, set[int]] = {}
    outlet_sets: dict[str, dict[str, set[int]]] = {}
    for summary, family in zip(summaries, families, strict=True):
        scope = outlet_sets.setdefault(outlet_key(summary.outlet), {}) if summary.outlet else None
        for key in summary.keys:
            batch_sets.setdefault(key, set()).add(family)
            if scope is not None:
                scope.setdefault(key, set()).add(family)
    return LineCounts(
        batch=Counter({key: len(members) for key, members in batch_sets.items()}),
        outlets={
            name: Counter({key: len(members) for key, members in sets.items()})
            for name, sets in outlet_sets.items()
        },
    )


def evidence_from(
    counts: LineCounts,
    *,
    earlier: Mapping[str, Iterable[Mapping[str, int]]] | None = None,
    min_families: int = MIN_FAMILIES,
) -> Evidence:
    """Recurring lines from this batch's counts, plus the counts that earlier imports of
    the same outlets left (``earlier``: outlet key -> their line counts)."""
    outlets: dict[str, frozenset[str]] = {}
    for name in set(counts.outlets) | set(earlier or {}):
        total: Counter[str] = Counter(counts.outlets.get(name, {}))
        for previous in (earlier or {}).get(name, ()):
            total.update(previous)
        outlets[name] = frozenset(key for key, n in total.items() if n >= min_families)
    return Evidence(
        batch=frozenset(key for key, n in counts.batch.items() if n >= min_families),
        outlets=outlets,
    )


# -- families -----------------------------------------------------------------------------


def _families(signatures_of: Sequence[np.ndarray]) -> list[int]:
    """A family id per page: pages whose prose is alike share one (union-find over
    MinHash-LSH candidates checked on the whole signature)."""
    count = len(signatures_of)
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if count < 2:
        return parent
    signatures = np.stack(signatures_of)
    empty = (signatures == _EMPTY).all(axis=1)
    buckets: dict[bytes, list[int]] = {}
    for band in range(_PERMUTATIONS // _ROWS):
        rows = signatures[:, band * _ROWS : (band + 1) * _ROWS]
        buckets.clear()
        for i in range(count):
            if not empty[i]:
                buckets.setdefault(bytes([band]) + rows[i].tobytes(), []).append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            # Each member against the earlier ones of its bucket (a bounded number: a
            # crowded bucket is a family already joined, or short pages alike by chance).
            for position, i in enumerate(members[1:], start=1):
                for j in members[max(0, position - _BUCKET_PEERS) : position]:
                    a, b = root(i), root(j)
                    if a == b:
                        continue
                    similar = np.count_nonzero(signatures[i] == signatures[j])
                    if similar >= FAMILY_SIMILARITY * _PERMUTATIONS:
                        parent[a] = b
    return [root(i) for i in range(count)]


# Shingles hashed at a time for a signature: 4,096 x 64 permutations x 8 bytes = 2 MiB.
_SIGNATURE_SLICE = 4096


def _signature(text: str) -> np.ndarray:
    # Prose only: paragraphs ending as sentences end, not furniture the lexicon knows.
    # Headlines of links, and a site's pitches, would make two copies of a short story
    # on two sites look less alike than they are.
    long_lines = [
        line
        for line in text.split("\n")
        if len(line.split()) >= FAMILY_MIN_WORDS
        and _SENTENCE_END.search(line)
        and (len(line) > MAX_CHARS or not chrome.is_chrome_line(line))
    ]
    hashes = shingle_hashes("\n".join(long_lines)) if long_lines else None
    if hashes is None or not len(hashes):
        return _EMPTY
    # uint64 arithmetic wraps: a universal hash. Taken in slices of shingles, keeping the
    # running minimum, so that a long page (a 1 MiB file has ~170,000 shingles) never
    # makes the whole shingles x permutations table at once.
    signature: np.ndarray = _EMPTY.copy()
    for start in range(0, len(hashes), _SIGNATURE_SLICE):
        mixed = hashes[start : start + _SIGNATURE_SLICE, None] * _A + _B
        np.minimum(signature, mixed.min(axis=0), out=signature)
    return signature


# -- storage ------------------------------------------------------------------------------

# What one batch keeps per outlet for later imports: its most frequent lines.
STORED_LINES_PER_OUTLET = 5000


def evidence_to_json(evidence: Evidence) -> dict[str, object]:
    return {
        "batch": sorted(evidence.batch),
        "outlets": {name: sorted(keys) for name, keys in evidence.outlets.items() if keys},
    }


def evidence_from_json(data: Mapping[str, object] | None) -> Evidence:
    if not data:
        return Evidence()
    batch = data.get("batch") or []
    outlets = data.get("outlets") or {}
    assert isinstance(batch, list)
    assert isinstance(outlets, dict)
    return Evidence(
        batch=frozenset(batch),
        outlets={name: frozenset(keys) for name, keys in outlets.items()},
    )


def outlet_counts_to_json(counts: LineCounts) -> dict[str, dict[str, int]]:
    return {
        name: dict(counter.most_common(STORED_LINES_PER_OUTLET))
        for name, counter in counts.outlets.items()
        if counter
    }
