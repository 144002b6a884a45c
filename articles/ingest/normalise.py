"""Canonical text: NFC, LF line ends, single spaces, no invisible characters, no hard wraps."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from articles.ingest import chrome

# One translate() pass: spaces of every width become a plain space, invisible format
# characters go, and Unicode line/paragraph separators become newlines. Kept: the zero
# width joiner (emoji sequences, Indic scripts) and the bidi marks (Arabic, Hebrew).
_TRANSLATION = {
    **dict.fromkeys(map(ord, "\t\xa0\u1680\u2007\u202f\u205f\u3000"), " "),
    **dict.fromkeys(range(0x2000, 0x200B), " "),  # en quad ... hair space
    **dict.fromkeys(map(ord, "\u200b\u200c\u2060\ufeff\xad"), None),
    **dict.fromkeys(map(ord, "\x0b\x0c\x85\u2028"), "\n"),
    ord("\u2029"): "\n\n",
    # Stray C0 controls that survived decoding's binary check.
    **dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F], None),
}
_NEEDS_TRANSLATION = re.compile(
    "[\t\x00-\x08\x0b-\x1f\x7f\x85\xa0\xad\u1680\u2000-\u200c\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]"
)
_SPACES = re.compile(r" {2,}")
_BLANK_RUNS = re.compile(r"\n{3,}")

# Hard-wrap detection (see _unwrap). Widths outside this range are not typewriter wraps:
# below it we would be joining short lines such as chrome, above it lines are paragraphs.
MIN_WRAP_WIDTH = 55
MAX_WRAP_WIDTH = 100
_BULLET = re.compile(r"[-\u2013\u2014•*·▪►]\s|\d{1,2}[.)]\s")  # dashes, bullets, "1."


def normalise(text: str) -> str:
    """Return ``text`` in canonical form.

    NFC; CRLF and CR become LF; tabs, no-break and other wide spaces become one space;
    zero-width spaces, soft hyphens and stray byte-order marks are removed; runs of spaces
    collapse; lines are stripped; three or more line breaks become one blank line; and
    blocks that were hard-wrapped at a fixed width are joined back into paragraphs.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _NEEDS_TRANSLATION.search(text):
        text = text.translate(_TRANSLATION)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    text = "\n".join([line.strip(" ") for line in text.strip().split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return _unwrap(text)


def _unwrap(text: str) -> str:
    """Join lines that a fixed-width wrap split, and nothing else.

    A document counts as hard-wrapped when at least three lines, and at least half of the
    lines that continue into another line, end close to the same right margin W (the
    longest line up to MAX_WRAP_WIDTH), and at most one line in ten is longer. Then a line
    is joined to the next one only where a greedy wrap would have broken it: it is
    reasonably full and the next line's first word would not have fitted within W. A
    short line (the end of a paragraph, a crosshead, a kicker) therefore keeps its break,
    and so does any line of page chrome or a bullet.
    """
    lines = text.split("\n")
    if len(lines) < 3:
        return text
    width = max((len(line) for line in lines if len(line) <= MAX_WRAP_WIDTH), default=0)
    if width < MIN_WRAP_WIDTH:
        return text
    continuing = 0
    near_margin = 0
    for line, following in pairwise(lines):
        if line and following:
            continuing += 1
            if width - 20 <= len(line) <= width:
                near_margin += 1
    if near_margin < 3 or near_margin * 2 < continuing:
        return text
    # In a wrapped text hardly any line runs past the margin; a web page's paragraphs
    # all do, and its short lines (lists, related links) only mimic a margin.
    overlong = sum(1 for line in lines if len(line) > width)
    if overlong * 10 > sum(1 for line in lines if line):
        return text

    out: list[str] = [lines[0]]
    for line, following in pairwise(lines):
        if _wrapped(line, following, width):
            out[-1] = _join(out[-1], following)
        else:
            out.append(following)
    return "\n".join(out)


def _wrapped(line: str, following: str, width: int) -> bool:
    if not line or not following:
        return False
    if len(line) > width or len(line) < 0.6 * width:
        return False
    first_word = following.split(" ", 1)[0]
    if len(line) + 1 + len(first_word) <= width:
        return False
    return not (
        _BULLET.match(following) or chrome.is_chrome_line(line) or chrome.is_chrome_line(following)
    )


def _join(line: str, following: str) -> str:
    # A wrapper breaks after the hyphen of a compound ("well-" / "known"): no space there.
    if len(line) > 1 and line[-1] == "-" and line[-2].isalpha():
        return line + following
    return line + " " + following
