"""Quotation-mark spans in raw text: which marks pair up, across paragraphs too.

Plain string scanning, no parse: straight and curly double quotes, guillemets, low-9
quotes and the typewriter pair of two apostrophes (''...''). Single quotes are left
alone: in English news they are mostly apostrophes, and quotes within quotes.
"""

import re
from dataclasses import dataclass

OPENING = "“„«"
CLOSING = "”»"
# One mark, or the two-character forms `` and '' that some wires use for “ and ”.
_MARK = re.compile(r"``|''|[\"“”„«»]")
# Characters after which a straight mark opens a quote rather than closes one.
_OPENS_AFTER = " \t\n([{\u2014\u2013-/:;,"  # space, brackets, dashes, colon, comma


@dataclass(frozen=True, slots=True)
class QuoteMarks:
    """Text between a pair of marks. `start`/`end` include the marks themselves;
    `open` is True when no closing mark was found before the paragraph (or text) ended,
    as with the first paragraphs of a quote that runs over several."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    paragraphs: int = 1
    open: bool = False


def _kind(text: str, mark: str, at: int) -> str:
    """'open' or 'close' for one mark at `at`."""
    if mark == "\u201c" and at > 0:
        # A left mark typed where a right one belongs ('"It's unusual,“ said X'): after
        # a word or a comma and before a space or the line's end, it closes.
        before = text[at - 1]
        after = text[at + 1] if at + 1 < len(text) else "\n"
        if not before.isspace() and before not in "([{/\u2014\u2013-" and after.isspace():
            return "close"
    if mark in OPENING or mark == "``":
        return "open"
    if mark in CLOSING:
        return "close"
    before = text[at - 1] if at > 0 else "\n"
    after = text[at + len(mark)] if at + len(mark) < len(text) else "\n"
    if before in _OPENS_AFTER or before == "\n":
        return "open" if not after.isspace() else "close"
    return "close"


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def _pairs_in(text: str, start: int, end: int) -> list[QuoteMarks]:
    """Pairs within one paragraph; a last opening mark without its close stays open."""
    found: list[QuoteMarks] = []
    opened: tuple[int, int] | None = None  # (position, length) of the pending opening mark
    for match in _MARK.finditer(text, start, end):
        mark, at = match.group(), match.start()
        kind = _kind(text, mark, at)
        if opened is None:
            if kind == "open":
                opened = (at, len(mark))
            # A stray closing mark (one that closes a quote from an earlier paragraph we
            # could not see open) is skipped.
            continue
        if kind == "open" and mark in OPENING and text[opened[0]] in OPENING:
            # Two curly openings in a row: the first was never closed (a typo); restart.
            opened = (at, len(mark))
            continue
        if kind == "close" or mark in ('"', "''"):
            inner = opened[0] + opened[1]
            if at > inner:
                found.append(QuoteMarks(opened[0], at + len(mark), inner, at))
            opened = None
    if opened is not None:
        inner = opened[0] + opened[1]
        stop = end
        while stop > inner and text[stop - 1].isspace():
            stop -= 1
        if stop > inner:
            found.append(QuoteMarks(opened[0], stop, inner, stop, open=True))
    return found


def quote_marks(text: str) -> list[QuoteMarks]:
    """Every quoted stretch of `text`, in order.

    A paragraph that opens a quote and does not close it, followed by a paragraph that
    opens again (the newspaper convention for a quote over several paragraphs), gives one
    span over all of them, up to the closing mark.
    """
    result: list[QuoteMarks] = []
    pending: QuoteMarks | None = None
    for start, end in _paragraph_spans(text):
        pairs = _pairs_in(text, start, end)
        if pending is not None:
            lead = text[start:end].lstrip()
            first = pairs[0] if pairs else None
            if first is not None and first.start == end - len(lead):
                merged = QuoteMarks(
                    pending.start,
                    first.end,
                    pending.inner_start,
                    first.inner_end,
                    paragraphs=pending.paragraphs + 1,
                    open=first.open,
                )
                pairs = pairs[1:]
                if merged.open and not pairs:
                    pending = merged
                    continue
                result.append(merged)
            else:
                result.append(pending)
            pending = None
        if pairs and pairs[-1].open:
            pending = pairs[-1]
            pairs = pairs[:-1]
        result.extend(pairs)
    if pending is not None:
        result.append(pending)
    return result
