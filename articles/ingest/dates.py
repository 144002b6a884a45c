"""The date an article states in its own text, for articles whose metadata has none.

Pages copied from news sites seldom come with a date field, but their opening often says
when the event happened: "Putin said on Wednesday, September 20", "on 14 March 2026",
"March 14, 2026". `stated_date` reads such dates near the start of the text and returns
one only when it is clearly the article's own date. Being wrong costs more than saying
nothing: a wrong date keeps an article out of its story (the story window) and sorts it
among other weeks, while an undated article is grouped by its content alone. So:

- Only dates with a day and a month count. "In March", "since January 2020" and "last
  week" say nothing exact. A day and month with a weekday and no year ("Wednesday,
  September 20") take the most recent year, not after the import, in which that day fell
  on that weekday; a day and month with neither year nor weekday are left alone (which
  year they mean is a guess).
- Only the opening of the text is read (`OPENING_CHARS`): the event is told first; later
  dates are background ("the treaty signed on 3 March 2019").
- A date introduced by a word that makes it a reference point rather than the event
  ("since", "until", "before", "after", "from", "between", "by", "as of", "dated") is
  skipped, as is a date inside quotation marks (someone's words, often about the past)
  and a date after the import (a plan, not a report).
- Of the dates left, the one stated most often wins; a tie goes to the first one. If the
  runner-up is as frequent and more than `AGREEMENT_DAYS` away, the opening disagrees with
  itself and no date is returned.

Plain Python: strings in, a date out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from articles.ingest.metadata import MONTHS

# Characters of the opening read for a date: a headline, a dateline, a caption and the
# first paragraphs, where reports say when their event happened.
OPENING_CHARS = 2000
# The most years back a weekday + day + month is matched to a year (a 29 February needs
# up to 28; any other day falls on each weekday within 11).
WEEKDAY_YEARS_BACK = 28
# Dates stated equally often that are further apart than this make the opening ambiguous.
AGREEMENT_DAYS = 3

# Capitalised as a date in running text is written ("September", "Sept").
_MONTHS = {name.capitalize(): number for name, number in MONTHS.items()}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("Monday", "Mon"),
            ("Tuesday", "Tue", "Tues"),
            ("Wednesday", "Wed"),
            ("Thursday", "Thu", "Thur", "Thurs"),
            ("Friday", "Fri"),
            ("Saturday", "Sat"),
            ("Sunday", "Sun"),
        )
    )
    for name in names
}
# Month and weekday names are capitalised in news text; matching them case-sensitively
# keeps "may" (the verb) and "sun" out.
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = (
    # [Wednesday,] 14 March 2026 | [Wednesday,] 14 March
    re.compile(rf"(?:{_WEEKDAY},? (?:the )?)?\b{_DAY} (?:of )?{_MONTH}(?:,? {_YEAR})?\b"),
    # [Wednesday,] March 14, 2026 | [Wednesday,] March 14 | Wednesday (March 14)
    re.compile(rf"(?:{_WEEKDAY},? \(?)?\b{_MONTH} {_DAY}\b(?!:)(?:,? {_YEAR}\b)?"),
)
# Words before a date that make it a reference point, not the article's event.
_REFERENCE_WORDS = re.compile(
    r"\b(?:since|until|till|before|after|from|between|through|to|by|of|as of|dated|"
    r"ago|last|earlier|prior to|ahead of|back in|as early as|expires?|expiring|deadline|"
    r"born|died)\s+(?:on\s+)?(?:\w+day,?\s*)?(?:the\s+)?$",
    re.IGNORECASE,
)
_QUOTE_OPEN = '"\u201c\u00ab'
_QUOTE_CLOSE = '"\u201d\u00bb'


@dataclass(frozen=True, slots=True)
class StatedDate:
    """A date found in the text, where it was and how it was written."""

    day: date
    start: int
    end: int
    text: str


def stated_dates(text: str, *, imported: date) -> list[StatedDate]:
    """Every date near the start of `text` that may be the article's own, in text order."""
    opening = text[:OPENING_CHARS]
    found: dict[int, StatedDate] = {}
    for pattern in _PATTERNS:
        for match in pattern.finditer(opening):
            if match.start() in found or _is_reference(opening, match.start()):
                continue
            day = _resolve(match, imported)
            if day is None or day > imported:
                continue
            found[match.start()] = StatedDate(day, match.start(), match.end(), match.group(0))
    return [found[start] for start in sorted(found)]


def stated_date(text: str, *, imported: date) -> StatedDate | None:
    """The article's own date as its opening states it (its first statement of that
    date), or None (see the module)."""
    dates = stated_dates(text, imported=imported)
    if not dates:
        return None
    counts = Counter(found.day for found in dates)
    first: dict[date, StatedDate] = {}
    for found in dates:
        first.setdefault(found.day, found)
    ranked = sorted(counts, key=lambda day: (-counts[day], first[day].start))
    best = ranked[0]
    for other in ranked[1:]:
        if counts[other] == counts[best] and abs(other - best) > timedelta(days=AGREEMENT_DAYS):
            return None
    return first[best]


def _resolve(match: re.Match[str], imported: date) -> date | None:
    month = _MONTHS[match["month"]]
    day = int(match["day"])
    if match["year"]:
        found = _date(int(match["year"]), month, day)
        stated_weekday = _WEEKDAYS.get(match["weekday"] or "")
        if found is not None and stated_weekday is not None and found.weekday() != stated_weekday:
            return None  # "Monday, 3 March 2026" was a Tuesday: a typo, but which part?
        return found
    if not match["weekday"]:
        return None  # a day and month alone: which year is a guess
    weekday = _WEEKDAYS[match["weekday"]]
    for year in range(imported.year, imported.year - WEEKDAY_YEARS_BACK - 1, -1):
        candidate = _date(year, month, day)
        if candidate is not None and candidate <= imported and candidate.weekday() == weekday:
            return candidate
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None  # 31 April


def _is_reference(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 40) : start]
    if _REFERENCE_WORDS.search(before):
        return True
    return _inside_quotes(text[line_start:start])


def _inside_quotes(before: str) -> bool:
    """Whether a quotation opened earlier in the paragraph is still open."""
    opened = sum(before.count(mark) for mark in _QUOTE_OPEN if mark != '"')
    closed = sum(before.count(mark) for mark in _QUOTE_CLOSE if mark != '"')
    straight = before.count('"')
    return opened > closed or straight % 2 == 1
