"""Seeded synthetic coverage for the API benchmark: plain Python, no ORM, no database.

Bodies are sentences drawn from a fixed vocabulary written for this project, with entity
names placed in them and direct quotes of the form `"...," said Name.`; every span the
generator stores is an offset pair into the body it built, with its TextQuoteSelector
from `articles.anchoring`, so the database triggers accept every row.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from articles.anchoring import TextQuoteSelector, text_quote_selector


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _split(
    """
    talks ministers summit delegation agreement ceasefire sanctions border trade envoy
    officials government foreign minister spokesperson embassy council resolution vote
    proposal negotiations framework security cooperation partners allies region neighbours
    dialogue statement visit capital meeting conference treaty accord pledge commitment
    troops withdrawal aid shipment corridor grain energy pipeline tariffs exports imports
    currency loan package reform election parliament cabinet coalition opposition leader
    president premier chancellor secretary ambassador consul mission observers monitors
    report week month year morning evening weekend on in at for with against about after
    before during over under between among across toward the a an this that these those
    its their our his her new old next last first second third several many few more less
    early late recent further wider closer strong weak firm careful cautious public private
    joint bilateral regional global economic military political diplomatic humanitarian
    maritime coastal northern southern eastern western central urgent formal informal
    said says added noted stressed called urged warned argued insisted rejected welcomed
    backed criticised announced confirmed denied suggested expected planned agreed signed
    extended renewed suspended resumed delayed postponed hosted attended discussed reviewed
    and but or while as because although since if unless whether not also still only
    again already soon later today tomorrow yesterday would could should might must will
    may can has have had was were is are be been being do did does
    """
)

_FIRST = _split(
    "Adela Borin Casimir Dalia Edmund Farah Galen Hesper Ilario Jorun Kestrel Liora Matteo "
    "Nadira Orrin Petra Quillon Rasmus Selin Tobiah Ulla Varek Wenna Xaver Yesim Zoran "
    "Amara Bastian Corin Delphine Emrys Filippa Gideon Halvard Isolde Joaquin Kalina "
    "Leontes Mirela Nestor Odile Pavlo Rhiannon Stellan Teodora Ulrik Vesna"
)
_LAST = _split(
    "Arvelo Brannock Castellane Dravik Eskeland Forsberg Galanis Hollinger Ibarrola "
    "Jankovic Kirrane Lindqvist Marchetti Novotny Okonkwo Paredes Quennell Rostami "
    "Sandoval Tavernier Umarov Valtonen Whitlock Yilmazer Zaragoza Achterberg Bellamy "
    "Corvino Dunmore Ellingsen Ferreira Gorecki Haddadi Ivanescu Jovanovski Kowalczyk "
    "Lamberti Mendoza Nakagawa Oyelaran Pelletier Rautio Stavrou Tremblay"
)
_PLACE_HEAD = _split("Vel Cor Ost Mar Tal Bre Sil Ard Kes Lun Dor Fen Gal Har Ith Jor")
_PLACE_TAIL = _split("avia onia estan aria una oria enia ador ica anth")
_ORG_FORMS = (
    "Ministry of Foreign Affairs of {}",
    "{} Defence Council",
    "{} Trade Commission",
    "Parliament of {}",
    "{} News Agency",
)
CUES = ("said", "told reporters", "warned", "argued", "added", "insisted")
POLARITIES = ("support", "oppose", "neutral", "mixed")


@dataclass(frozen=True, slots=True)
class NameSpan:
    start: int
    end: int
    entity: int  # index into the entity list


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    start: int
    end: int
    speaker: NameSpan
    cue: str
    cue_start: int
    cue_end: int


@dataclass(frozen=True, slots=True)
class ArticleText:
    title: str
    body: str
    names: tuple[NameSpan, ...]  # every name in the body, the quotes' speakers included
    quotes: tuple[QuoteSpan, ...]
    sentences: tuple[tuple[int, int], ...]  # plain sentences (not quotes), period included


def entities(count: int) -> list[tuple[str, str]]:
    """`count` distinct (name, kind) pairs: people, places and organisations."""
    places = [head + tail for head in _PLACE_HEAD for tail in _PLACE_TAIL]
    people = [f"{first} {last}" for last in _LAST for first in _FIRST]
    orgs = [form.format(place) for form in _ORG_FORMS for place in places]
    pool = (
        [(name, "GPE") for name in places]
        + [(name, "ORG") for name in orgs]
        + [(name, "PERSON") for name in people]
    )
    if count > len(pool):
        raise ValueError(f"at most {len(pool)} entities, not {count}")
    # Interleave the kinds so that any prefix of the list has all three.
    return sorted(pool, key=lambda item: hash_order(item[0]))[:count]


def hash_order(text: str) -> int:
    """A stable pseudo-random order (Python's str hash is salted per process)."""
    value = 2166136261
    for char in text.encode():
        value = ((value ^ char) * 16777619) & 0xFFFFFFFF
    return value


class _Body:
    """A body under construction: text appended piece by piece, its length tracked."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> int:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def text(self) -> str:
        return "".join(self.parts)


def _words(rng: random.Random, low: int, high: int) -> list[str]:
    return rng.choices(WORDS, k=rng.randint(low, high))


def article_text(
    rng: random.Random,
    *,
    names: Sequence[str],
    cum_weights: Sequence[float],
    mentions: int,
    quotes: int,
    words: tuple[int, int] = (250, 450),
) -> ArticleText:
    """A body of `words` words with `mentions` entity names, `quotes` of them as the
    speakers of direct quotes. Entities are drawn by `cum_weights` (a few are popular)."""
    if quotes > mentions:
        raise ValueError("every quote's speaker is a mention: quotes <= mentions")
    sentence_count = max(rng.randint(*words) // 17, mentions + quotes + 2)
    kinds = ["quote"] * quotes + ["plain"] * (sentence_count - quotes)
    rng.shuffle(kinds)
    plain_slots = [i for i, kind in enumerate(kinds) if kind == "plain"]
    named = set(rng.sample(plain_slots, mentions - quotes))
    picks = iter(rng.choices(range(len(names)), cum_weights=cum_weights, k=mentions))

    body = _Body()
    found: list[NameSpan] = []
    quoted: list[QuoteSpan] = []
    sentences: list[tuple[int, int]] = []
    for i, kind in enumerate(kinds):
        if i:
            body.add("\n\n" if i % 4 == 0 else " ")
        if kind == "quote":
            entity = next(picks)
            body.add('"')
            text = " ".join(_words(rng, 8, 20)).capitalize()
            start = body.add(text)
            cue = rng.choice(CUES)
            body.add(',"' + " ")
            cue_start = body.add(cue)
            body.add(" ")
            name_start = body.add(names[entity])
            body.add(".")
            speaker = NameSpan(name_start, name_start + len(names[entity]), entity)
            found.append(speaker)
            quoted.append(
                QuoteSpan(start, start + len(text), speaker, cue, cue_start, cue_start + len(cue))
            )
            continue
        chunk = _words(rng, 10, 24)
        start = body.length
        if i in named:
            entity = next(picks)
            at = rng.randint(1, len(chunk) - 1)
            head = " ".join(chunk[:at]).capitalize() + " "
            body.add(head)
            name_start = body.add(names[entity])
            found.append(NameSpan(name_start, name_start + len(names[entity]), entity))
            body.add(" " + " ".join(chunk[at:]) + ".")
        else:
            body.add(" ".join(chunk).capitalize() + ".")
        sentences.append((start, body.length))
    title = " ".join(_words(rng, 6, 10)).capitalize()
    return ArticleText(title, body.text(), tuple(found), tuple(quoted), tuple(sentences))


def selector(body: str, start: int, end: int) -> TextQuoteSelector:
    """The selector the database triggers expect for body[start:end]."""
    return text_quote_selector(body, start, end)


def zipf_cum_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative weights 1/rank**exponent: a few actors in most of the news."""
    total = 0.0
    cumulative = []
    for rank in range(1, count + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative
