# ruff: noqa: RUF001 -- news typography (curly quotes, dashes) is what this matches.
"""Strip page chrome from a pasted web page and find its title, losing no article text.

The cleaner works on lines (after normalise(), one line is one paragraph). Every line it
drops is reported in ``removed`` with a reason, so an admin can see what went and a test
can prove that nothing vanished unrecorded. The rules, in the order they run:

1. Lexicon: lines that are furniture on their own (chrome.LINE_PATTERNS); photo credits
   and the caption right above a credit in the same block; captions ending in their own
   credit ("... Photo: AP"); the headline after a video timestamp; the headline list after
   "Related Articles". Then recurrence: lines that many otherwise different pages of the
   same batch or outlet share (``recurring``, from recurring.py's pre-pass).
2. Title: the first remaining line if it reads like a headline (not like a sentence).
   Short lines before it are section kickers ("Diplomacy"). A bulleted standfirst after
   it keeps its text and loses the bullets.
3. Repeats: a line identical to an earlier line (a repeated headline or caption).
4. Teasers, on pages that show other web furniture only: a headline-like line alone
   between two paragraphs of prose is a link to another story. Crossheads (short) stay,
   and so does anything that reads like a sentence without its full stop.
5. Tail: a comment count and up to four short lines after the last paragraph ("Route 6").

When in doubt a line stays: a teaser left in the body costs a reader a glance, a
sentence taken out of it is lost to every analyst.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from articles.ingest import chrome, recurring
from articles.ingest.normalise import normalise


@dataclass(frozen=True, slots=True)
class RemovedLine:
    line: str
    reason: str


# Removed because the batch's or the outlet's other pages carry the same line.
RECURRING_REASON = "recurring"
TITLE_MAX_CHARS = 120
# A headline has a handful of words; fewer is a kicker or crosshead, more is prose.
TITLE_MIN_WORDS = 4
HEADLINE_MAX_WORDS = 30
# Crossheads ("Door still open for talks", 5 words) are short; links to other stories are
# full headlines ("As the West pushes them together, Xi and Putin show up for each other",
# 13 words). Longer unpunctuated lines are captions or summaries, not links.
TEASER_MIN_WORDS = 8
TEASER_MAX_WORDS = 16
KICKER_MAX_WORDS = 4
TRAILING_JUNK_MAX_WORDS = 3
TRAILING_JUNK_MAX_LINES = 4
# Lines longer than this are never chrome: skip the lexicon for them (speed).
_LEXICON_MAX_CHARS = 300

# Ends with sentence punctuation, possibly inside closing quotes or brackets.
_TERMINAL = re.compile(r"[.!?…:;,。！？；：]['\"’”»)\]]*$")
_TERMINAL_STRICT = re.compile(r"[.!?…。！？]['\"’”»)\]]*$")
# A sentence break inside a line: "...in December. The two..."
_SENTENCE_BREAK = re.compile(r"[a-z0-9)\]’”\"'][.!?]['\"’”]? [\"“‘'(]?[A-Z]")
# A list headline never ends like a sentence or a clause, nor holds a full stop between
# two sentences ("Ill? Dictator's weight balloons" may; "He left. She stayed" may not).
_LIST_END = re.compile(r"[.:;,]['\"’”»)\]]*$")
_SENTENCE_STOP = re.compile(r"[a-z0-9)\]’”\"'][.]['\"’”]? [\"“‘'(]?[A-Z]")
_HEADLINE_START = re.compile(r"[\"“‘'(]?[A-Z0-9]")
_EMBED = re.compile(r"https?://|www\.|@\w|#\w")
_NUMBER_ONLY = re.compile(r"\d{1,6}")
# "Denial: Williams denied that ..." is a tabloid caption, not a link; so is a line
# pointing at the picture.
_CAPTION_LABEL = re.compile(r"(?:\S+ ){0,3}\S+: ")
_CAPTION_CUE = re.compile(
    r"\((?:pictured|above|below|left|right|centre|center|top|bottom|file)\b", re.I
)
# Headlinese drops the copula and uses the present tense ("Xi and Putin show up for each
# other", "Zelensky says strip ... veto power"). A line with "was", "had", "said" or a
# regular past tense is a sentence that lost its full stop: "... a bewildered DHS
# spokesman said", "Lucy Somers said she learned of her brother's death from FBI agents".
_PROSE = re.compile(
    r"\b(?:is|are|was|were|been|being|had|did|said|told|went|came|left|took|made|got|gave"
    r"|found|saw|became|thought|knew|there)\b"
    # A regular past tense in verb position ("resigned after the vote"); not an "-ed"
    # adjective before its noun ("Stranded drivers", "shared rivers").
    r"|\w{3,}ed (?:the|a|an|that|this|to|by|in|on|at|with|from|for|after|before|over|into"
    r"|as|his|her|their|its|him|them|it|he|she|they|we|up|out|off|down|back)\b"
    r"|\w{3,}ed [\"“‘']",
    re.IGNORECASE,
)
_QUOTATION = re.compile(r"[\"“‘'].*[\"”’']")
# Reasons that show the text was copied from a web page with its furniture.
_WEB_PAGE_EVIDENCE = frozenset(
    {
        "advertisement",
        "subscription",
        "loading",
        "read-more",
        "related",
        "comment-form",
        "video-timestamp",
        "media",
        "share",
        "caption",
        "photo-credit",
        "cookie-notice",
        "navigation",
        "dateline",
        "reading-time",
        RECURRING_REASON,
    }
)
_STANDFIRST_BULLET = re.compile(r"[–—•·▪-] +")
_FIRST_SENTENCE = re.compile(r".+?[.!?…]['\"’”)\]]*(?= +[\"“‘'(\[]?[A-Z0-9])")


def clean(
    text: str, *, metadata_title: str = "", recurring_lines: frozenset[str] = frozenset()
) -> tuple[str, str, tuple[RemovedLine, ...]]:
    """Return ``(body, title, removed)`` for an article's text.

    ``body`` is NFC text whose paragraphs are separated by exactly one blank line, with
    page chrome and the title line removed. ``title`` is the headline if the page has
    one, else ``metadata_title``, else the first sentence clipped to TITLE_MAX_CHARS.
    ``body`` is empty when nothing but chrome was found. ``recurring_lines`` holds the
    keys (recurring.line_key) of lines known to recur across the batch or the outlet;
    such lines go with the reason RECURRING_REASON.
    """
    return clean_normalised(
        normalise(text), metadata_title=metadata_title, recurring_lines=recurring_lines
    )


def clean_normalised(
    text: str, *, metadata_title: str = "", recurring_lines: frozenset[str] = frozenset()
) -> tuple[str, str, tuple[RemovedLine, ...]]:
    """clean() for text that has already been through normalise()."""
    page = _Page(text)
    page.mark_chrome()
    if recurring_lines:
        page.mark_recurring(recurring_lines)
    headline = page.mark_title(metadata_title)
    page.mark_repeats()
    page.mark_teasers()
    page.mark_tail()
    body = "\n\n".join(page.body_lines())
    title = headline or metadata_title.strip() or first_sentence(body)
    return body, title, page.removed()


class _Page:
    """The non-blank lines of a document, each with its removal reason (None = keep)."""

    def __init__(self, text: str) -> None:
        self.lines: list[str] = []
        # True where a blank line (or the start/end of the text) precedes/follows the line.
        self.block_start: list[bool] = []
        self.block_end: list[bool] = []
        after_blank = True
        for raw in text.split("\n"):
            if raw:
                self.lines.append(raw)
                self.block_start.append(after_blank)
                self.block_end.append(False)
                after_blank = False
            else:
                if self.block_end:
                    self.block_end[-1] = True
                after_blank = True
        if self.block_end:
            self.block_end[-1] = True
        self.reasons: list[str | None] = [None] * len(self.lines)
        self.replacements: dict[int, str] = {}
        self.title_index: int | None = None

    # -- helpers -----------------------------------------------------------------------

    def kept(self) -> list[int]:
        return [i for i, reason in enumerate(self.reasons) if reason is None]

    # -- 1. lexicon --------------------------------------------------------------------

    def mark_chrome(self) -> None:
        reasons = self.reasons
        for i, line in enumerate(self.lines):
            # Lines already marked are video titles or related links found ahead.
            if reasons[i] is not None or len(line) > _LEXICON_MAX_CHARS:
                continue
            reason = chrome.classify_line(line)
            if reason is None and chrome.is_credit_line(line):
                reason = "photo-credit"
                if self._is_caption_above_credit(i - 1):
                    reasons[i - 1] = "caption"
            elif reason is None and chrome.ends_with_credit(line):
                reason = "caption"
            reasons[i] = reason
            if reason == "video-timestamp":
                self._mark_video_titles(i)
            elif reason == chrome.RELATED_HEADING_REASON:
                self._mark_related_list(i)
        self._mark_subscription_blurbs()

    def mark_recurring(self, keys: frozenset[str]) -> None:
        reasons = self.reasons
        for i, line in enumerate(self.lines):
            if (
                reasons[i] is None
                and recurring.is_candidate(line)
                and recurring.line_key(line) in keys
            ):
                reasons[i] = RECURRING_REASON
        # A recurring heading with a list of headlines under it and no prose after it is
        # the site's related-links box ("Further reading" on every page).
        for i, line in enumerate(self.lines):
            if (
                reasons[i] == RECURRING_REASON
                and len(line.split()) <= KICKER_MAX_WORDS
                and not _TERMINAL_STRICT.search(line)
                and not any(_is_prose(self.lines[j]) for j in self.kept() if j > i)
            ):
                self._mark_related_list(i)

    def _mark_subscription_blurbs(self) -> None:
        """The sales line inside a subscription box ("Get more with Herald Plus" /
        "Unlimited articles, the morning briefing..." / "Subscribe now"): an unpunctuated
        line with subscription chrome directly above and below it, in the same block."""
        reasons = self.reasons
        for i in range(1, len(self.lines) - 1):
            if (
                reasons[i] is None
                and reasons[i - 1] == "subscription"
                and reasons[i + 1] == "subscription"
                and not self.block_end[i - 1]
                and not self.block_end[i]
                and not _TERMINAL_STRICT.search(self.lines[i])
            ):
                reasons[i] = "subscription"

    def _is_caption_above_credit(self, i: int) -> bool:
        """The line above a credit is its caption when the two stand as a block of their
        own, or when it is not a sentence. A paragraph that ends in a full stop directly
        above an agency byline ("... for just one pizza.\nAP") is article text."""
        if i < 0 or self.block_end[i] or self.reasons[i] is not None:
            return False
        line = self.lines[i]
        if len(line.split()) > HEADLINE_MAX_WORDS * 2:
            return False
        own_block = self.block_start[i] and self.block_end[i + 1]
        return own_block or not _TERMINAL_STRICT.search(line)

    def _mark_video_titles(self, i: int) -> None:
        """The headline under a video player's timestamp, and its repeat (the alt text)."""
        first = i + 1
        if first >= len(self.lines) or not _is_headline(self.lines[first]):
            return
        self.reasons[first] = "video-title"
        second = first + 1
        if second < len(self.lines) and self.lines[second] == self.lines[first]:
            self.reasons[second] = "video-title"

    def _mark_related_list(self, i: int) -> None:
        """Headlines listed under "Related Articles", up to the next real paragraph."""
        for j in range(i + 1, len(self.lines)):
            if self.reasons[j] is not None:
                continue
            line = self.lines[j]
            reason = chrome.classify_line(line) if len(line) <= _LEXICON_MAX_CHARS else None
            if reason is not None:
                self.reasons[j] = reason
            elif _NUMBER_ONLY.fullmatch(line):
                # The page's last line is the comment counter; others count the links.
                self.reasons[j] = "comment-count" if j == len(self.lines) - 1 else "related"
            elif _is_listed_headline(line):
                self.reasons[j] = "related"
            else:
                return

    # -- 2. title ----------------------------------------------------------------------

    def mark_title(self, metadata_title: str) -> str:
        kept = self.kept()
        if len(kept) < 2:
            return ""
        wanted = _comparable(metadata_title)
        if wanted:
            for i in kept[:6]:
                if _comparable(self.lines[i]) == wanted:
                    self._take_title(i, kickers=[])
                    return metadata_title.strip()
        kickers: list[int] = []
        for i in kept[:-1]:
            line = self.lines[i]
            if _is_title(line):
                return self._take_title(i, kickers)
            if _is_kicker(line) and len(kickers) < 3:
                kickers.append(i)
                continue
            break
        self._mark_section_labels(kickers)
        return ""

    def _mark_section_labels(self, labels: list[int]) -> None:
        """Without a headline, short labels at the top ("World", "Politics") are section
        labels only on a web page whose furniture sits above them, and when prose follows.
        A plain file's first short line stays: it may be the headline itself."""
        if not labels or not any(reason in _WEB_PAGE_EVIDENCE for reason in self.reasons):
            return
        if not any(self.reasons[i] in _WEB_PAGE_EVIDENCE for i in range(labels[0])):
            return
        following = [i for i in self.kept() if i > labels[-1]]
        if following and _is_prose(self.lines[following[0]]):
            for i in labels:
                if len(self.lines[i].split()) <= 2:
                    self.reasons[i] = "section-kicker"

    def _take_title(self, i: int, kickers: list[int]) -> str:
        self.reasons[i] = "title"
        self.title_index = i
        for k in kickers:
            self.reasons[k] = "section-kicker"
        # Standfirst bullets ("• Xi Jinping, Vladimir Putin to voice ..."): keep the text,
        # drop the bullet, which is layout.
        for j in range(i + 1, len(self.lines)):
            if self.reasons[j] is not None:
                continue
            match = _STANDFIRST_BULLET.match(self.lines[j])
            if match is None:
                break
            self.replacements[j] = self.lines[j][match.end() :]
        return self.lines[i]

    # -- 3. repeats --------------------------------------------------------------------

    def mark_repeats(self) -> None:
        """A line identical to an earlier one goes, if the earlier one was chrome (any
        length: "Diplomacy" twice) or if it is long enough to be a headline or paragraph
        rather than a short reply that an interview may well repeat ("Yes.")."""
        seen: dict[str, bool] = {}  # line -> whether an earlier copy was removed
        for i, line in enumerate(self.lines):
            earlier_removed = seen.get(line)
            if earlier_removed is None:
                seen[line] = self.reasons[i] is not None
                continue
            if self.reasons[i] is None and (
                earlier_removed or len(line.split()) >= TITLE_MIN_WORDS
            ):
                self.reasons[i] = "repeated-line"
            if self.reasons[i] is not None:
                seen[line] = True

    # -- 4. teasers --------------------------------------------------------------------

    def mark_teasers(self) -> None:
        # Only on pages that show other web furniture: in a clean article an unpunctuated
        # line is far more often a caption or a sentence that lost its full stop.
        if not any(reason in _WEB_PAGE_EVIDENCE for reason in self.reasons):
            return
        kept = self.kept()
        for position in range(1, len(kept) - 1):
            i = kept[position]
            if i == self.title_index or i in self.replacements:
                continue
            if not (self.block_start[i] and self.block_end[i]):
                continue
            line = self.lines[i]
            if not _is_teaser(line):
                continue
            before = self.lines[kept[position - 1]]
            after = self.lines[kept[position + 1]]
            # Between two paragraphs of prose. A run of unpunctuated lines is a summary
            # (Daily Mail's bullets) or a list, not a link to another story.
            if _TERMINAL_STRICT.search(before) and _TERMINAL_STRICT.search(after):
                self.reasons[i] = "teaser"

    # -- 5. tail -----------------------------------------------------------------------

    def mark_tail(self) -> None:
        """A page's last few short lines: a comment counter, a credit, a stray link. A run
        longer than TRAILING_JUNK_MAX_LINES is a list or a verse and stays (all but a
        final comment counter)."""
        kept = self.kept()
        tail: list[int] = []
        for i in reversed(kept[1:]):
            line = self.lines[i]
            if not (
                _NUMBER_ONLY.fullmatch(line)
                or (len(line.split()) <= TRAILING_JUNK_MAX_WORDS and not _TERMINAL.search(line))
            ):
                break
            tail.append(i)
        if len(tail) > TRAILING_JUNK_MAX_LINES:
            tail = tail[:1] if _NUMBER_ONLY.fullmatch(self.lines[tail[0]]) else []
        for i in tail:
            number = _NUMBER_ONLY.fullmatch(self.lines[i])
            self.reasons[i] = "comment-count" if number else "trailing-junk"

    # -- output ------------------------------------------------------------------------

    def body_lines(self) -> list[str]:
        return [self.replacements.get(i, self.lines[i]) for i in self.kept()]

    def removed(self) -> tuple[RemovedLine, ...]:
        return tuple(
            RemovedLine(line, reason)
            for line, reason in zip(self.lines, self.reasons, strict=True)
            if reason is not None
        )


def _is_headline(line: str) -> bool:
    """Reads like a headline: starts with a capital, no closing punctuation, one sentence."""
    if _TERMINAL.search(line) or not _HEADLINE_START.match(line):
        return False
    return len(line.split()) <= HEADLINE_MAX_WORDS and not _SENTENCE_BREAK.search(line)


def _is_listed_headline(line: str) -> bool:
    """A headline in a list of links: as _is_headline, but a question or exclamation may
    stand inside it ("Ill? Dictator's weight balloons") and end it."""
    if _is_headline(line):
        return True
    return (
        bool(_HEADLINE_START.match(line))
        and len(line.split()) <= HEADLINE_MAX_WORDS
        and not _LIST_END.search(line)
        and not _SENTENCE_STOP.search(line)
    )


def _is_title(line: str) -> bool:
    # A line that might be prose stays in the body even at the top: a question ("Will
    # the states share their data?"), or a sentence without its full stop ("The woman was
    # rushed to hospital ..."). The first-sentence fallback makes it the title anyway.
    if len(line.split()) < TITLE_MIN_WORDS or len(line) > 250 or line[-1] in "-–—":
        return False
    if " | " in line:
        return False  # a masthead or breadcrumb: "Harbour Gazette | Regional news"
    return _is_headline(line) and not _PROSE.search(line) and chrome.classify_line(line) is None


def _is_prose(line: str) -> bool:
    """A paragraph of text: a dozen words or more, ending as a sentence ends."""
    return len(line.split()) >= TEASER_MAX_WORDS - 4 and bool(_TERMINAL_STRICT.search(line))


def _is_kicker(line: str) -> bool:
    """A section label, masthead or breadcrumb above the headline."""
    if _TERMINAL.search(line) or _NUMBER_ONLY.fullmatch(line):
        return False
    words = len(line.split())
    if " | " in line:
        return words <= 2 * KICKER_MAX_WORDS
    return words <= KICKER_MAX_WORDS and len(line) <= 40


def _is_teaser(line: str) -> bool:
    words = len(line.split())
    return (
        TEASER_MIN_WORDS <= words <= TEASER_MAX_WORDS
        and _is_headline(line)
        and not _EMBED.search(line)
        and not _CAPTION_LABEL.match(line)
        and not _CAPTION_CUE.search(line)
        and not _PROSE.search(line)
        and not _QUOTATION.fullmatch(line)
    )


def _comparable(line: str) -> str:
    return " ".join(line.split()).rstrip(".").casefold()


def first_sentence(body: str, limit: int = TITLE_MAX_CHARS) -> str:
    """The body's first sentence, clipped at a word boundary to ``limit`` characters."""
    paragraph = body.split("\n", 1)[0].strip()
    match = _FIRST_SENTENCE.match(paragraph)
    sentence = match.group(0) if match else paragraph
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–—-") + "…"
