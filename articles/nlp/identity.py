"""Whether two spellings of a person's name name one person, and why. Plain Python.

General rules, no table of names:
- Spellings are compared word by word after folding accents, case, doubled letters and
  common transliteration swaps (`names.identity_key`: Tomás/Tomas, Nuur/Nur,
  Hasan/Hassan, Dmitry/Dmitri).
- Two words that still differ are transliterations of one name when they share their
  consonant skeleton, their first and their last letter, and are alike as strings
  (Yusuf/Yousef, Muhammad/Mohammed, Aleksandr/Alexander). A different last letter is
  how related names differ (Mark/Mary, Maria/Mario, Jan/Jana, Alexander/Alexandra),
  so it keeps them apart; so does a different consonant.
- Full names meet when their surnames and their given names meet; a middle name may be
  present in one and absent in the other, but two different middle names, or a
  generational suffix ("Jr") on one side only, keep them apart. Given name and surname
  swapped ("Jinping Xi") also meet.
- A surname alone ("Demir") is only a candidate: it meets a full name whose surname it
  is, and the caller decides with evidence (one story, one such full name in it).
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from articles.names import identity_key

_VOWELS = frozenset("aeiouy")
# Words before a name that are not part of it (the extractor drops most; these are the
# ones that reach the alias table through analysts or older suggestions).
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Words shorter than this are compared by key only: skeletons of "Li" and "Lu" are one.
MIN_FUZZY_CHARS = 4
# How alike (rapidfuzz Indel normalised similarity, on folded keys) two transliterations
# of one word must be, on top of the skeleton rule.
MIN_WORD_SIMILARITY = 0.6


@dataclass(frozen=True, slots=True)
class Decision:
    """`meet` says whether two names may name one person; `reason` says why (or why
    not), in words an analyst reads; `similarity` is the folded names' similarity."""

    meet: bool
    reason: str
    similarity: float
    surname_only: bool = False


@dataclass(frozen=True, slots=True)
class _Name:
    words: tuple[str, ...]  # identity keys, titles and suffixes out
    suffix: str
    written: tuple[str, ...]  # the same words case-folded, accents kept


# Letters that NFKD does not take apart into a base letter and a mark.
_LETTERS = str.maketrans(
    {
        "\u0131": "i",  # dotless i
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ħ": "h",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
    }
)
# The vowel classes transliterations swap within: o/u (Mukhtar/Mokhtar), e/i.
_VOWEL_CLASS = str.maketrans({"o": "u", "e": "i", "y": "i"})


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold().translate(_LETTERS))
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


# Pure and called for every pair a join compares: the same names recur across chunks.
@functools.lru_cache(maxsize=100_000)
def parse(name: str) -> _Name:
    written = [
        "".join(ch for ch in w.casefold() if ch.isalnum())
        for w in name.replace("-", " ").replace(".", ". ").split()
    ]
    written = [w for w in written if w]
    words = [_fold(w) for w in written]
    while len(words) > 1 and words[0] in _HONORIFICS:
        words, written = words[1:], written[1:]
    suffix = ""
    if len(words) > 2 and words[-1] in _SUFFIXES:
        suffix = words.pop()
        written.pop()
    return _Name(tuple(identity_key(w) for w in words), suffix, tuple(written))


def skeleton(key: str) -> str:
    """The word's first letter and its consonants: "iusuf" and "iousef" are "isf"."""
    return key[:1] + "".join(ch for ch in key[1:] if ch not in _VOWELS)


def _first_vowels(key: str) -> str:
    start = 0
    while start < len(key) and key[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(key) and key[end] in _VOWELS:
        end += 1
    return key[start:end].translate(_VOWEL_CLASS)


def word_similarity(a: str, b: str) -> float:
    return Indel.normalized_similarity(a, b)


def same_word(a: str, b: str) -> tuple[bool, str]:
    """Whether two folded words (identity keys) are spellings of one name, and how."""
    if a == b:
        return True, "same spelling"
    if len(a) == 1 or len(b) == 1:
        return (a[0] == b[0], "an initial")
    if min(len(a), len(b)) < MIN_FUZZY_CHARS:
        return False, "short names spelled differently"
    if a[0] != b[0] or a[-1] != b[-1]:
        return False, "different names"
    if skeleton(a) != skeleton(b):
        return False, "different consonants"
    if not set(_first_vowels(a)) & set(_first_vowels(b)):
        # Marek/Mirek: transliteration keeps the first vowel's class.
        return False, "different first vowels"
    if word_similarity(a, b) < MIN_WORD_SIMILARITY:
        return False, "too unlike"
    return True, "a transliteration apart"


def _similarity(a: _Name, b: _Name) -> float:
    return round(Indel.normalized_similarity(" ".join(a.words), " ".join(b.words)), 2)


def _middles_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    return len(a) == len(b) and all(same_word(x, y)[0] for x, y in zip(a, b, strict=True))


def _full(a: _Name, b: _Name) -> Decision:
    similarity = _similarity(a, b)
    if a.suffix != b.suffix:
        return Decision(False, "a generational suffix on one side only", similarity)
    orders = (
        (a.words[0], a.words[-1], b.words[0], b.words[-1], ""),
        (a.words[0], a.words[-1], b.words[-1], b.words[0], "name order swapped, "),
    )
    for given_a, surname_a, given_b, surname_b, order in orders:
        surname, how_surname = same_word(surname_a, surname_b)
        if not surname:
            continue
        given, how_given = same_word(given_a, given_b)
        if not given:
            return Decision(False, "shared surname, different given names", similarity)
        if not _middles_agree(a.words[1:-1], b.words[1:-1]):
            return Decision(False, "different middle names", similarity)
        parts = [f"{order}surname {'the same' if how_surname == 'same spelling' else how_surname}"]
        if how_given != "same spelling":
            parts.append(f"given names {how_given}")
        if len(a.words) != len(b.words):
            parts.append("a middle name on one side only")
        else:
            middle = [same_word(x, y)[1] for x, y in zip(a.words[1:-1], b.words[1:-1], strict=True)]
            if any(how != "same spelling" for how in middle):
                parts.append("middle names a transliteration apart")
        ends_differ = {a.written[0], a.written[-1]} != {b.written[0], b.written[-1]}
        middles_differ = len(a.words) == len(b.words) and set(a.written) != set(b.written)
        if (ends_differ or middles_differ) and not any("translit" in p for p in parts):
            parts.append("spelled alike once accents and doubled letters are folded")
        return Decision(True, ", ".join(parts), similarity)
    return Decision(False, "different surnames", similarity)


def compare(a: str, b: str) -> Decision:
    """Whether person names `a` and `b` may name one person."""
    x, y = parse(a), parse(b)
    if not x.words or not y.words:
        return Decision(False, "no name", 0.0)
    if len(x.words) == 1 and len(y.words) == 1:
        same, how = same_word(x.words[0], y.words[0])
        return Decision(same and len(x.words[0]) > 1, how, _similarity(x, y), surname_only=True)
    if len(x.words) == 1 or len(y.words) == 1:
        short, full = (x, y) if len(x.words) == 1 else (y, x)
        word = short.words[0]
        if len(word) < 2:
            return Decision(False, "an initial alone", 0.0)
        same, how = same_word(word, full.words[-1])
        if same and how != "an initial":
            detail = "" if how == "same spelling" else f" ({how})"
            return Decision(True, f"surname only{detail}", _similarity(x, y), surname_only=True)
        return Decision(False, "not the surname", _similarity(x, y), surname_only=True)
    return _full(x, y)


def surname_key(name: str) -> str:
    """The folded last word of a name: where candidates for a join are looked up."""
    words = parse(name).words
    return words[-1] if words else ""


@dataclass(frozen=True, slots=True)
class Person:
    """A person entity as the joiner sees it: the caller's id, its name, how often it is
    mentioned (the better-attested spelling stays the name)."""

    id: int
    name: str
    mentions: int = 1


@dataclass(frozen=True, slots=True)
class Join:
    merged: Person
    into: Person
    decision: Decision


def _never(a: Person, b: Person) -> bool:
    return False


def join_people(
    people: Iterable[Person], *, apart: Callable[[Person, Person], bool] = _never
) -> list[Join]:
    """The joins that make the persons of one story (or one article) one per actor, in
    the order to apply them.

    Full names first, fullest and most mentioned first: each joins the one earlier name
    it meets, and stays alone when it meets none or several (it could be either). Then a
    surname alone joins the one full name of the story it is the surname of; with two
    (relatives, namesakes) it joins neither. `apart(a, b)` is the analysts' veto.
    """
    ordered = sorted(people, key=lambda p: (-len(p.name.split()), -p.mentions, p.id))
    words = {p.id: len(parse(p.name).words) for p in ordered}
    kept: list[Person] = []
    undecided: list[Person] = []
    joins: list[Join] = []
    for person in (p for p in ordered if words[p.id] >= 2):
        meets = [
            (other, decision)
            for other in kept
            if (decision := compare(other.name, person.name)).meet and not apart(other, person)
        ]
        if not meets:
            kept.append(person)
        elif len(meets) > 1:
            undecided.append(person)
        else:
            other, decision = meets[0]
            into, merged = other, person
            if (person.mentions, len(person.name)) > (other.mentions, len(other.name)):
                kept[kept.index(other)] = person
                into, merged = person, other
            joins.append(Join(merged, into, decision))
    for person in (p for p in ordered if words[p.id] == 1):
        meets = [
            (other, decision)
            for other in [*kept, *undecided]
            if (decision := compare(person.name, other.name)).meet
        ]
        if len(meets) == 1 and meets[0][0] in kept and not apart(meets[0][0], person):
            joins.append(Join(person, meets[0][0], meets[0][1]))
    return joins
