"""The rows the generator COPYs, table by table, built from `synth`'s texts: plain
Python, no database. Ids of articles and quotes are given (1..n, so that stances can name
their quote); the other tables number their own rows.

Per article: 6 or 7 machine mentions (half each), 2 quotes (3 in 4 the machine's), 1
stance (half of them read from a quote), and a note on every second article.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256

from tests.benchmarks.bench_api import synth

ARTICLES = 100_000
CHUNK = 2_000
# The year the articles are published in; annotations follow their article.
END = datetime(2026, 11, 1, tzinfo=UTC)
YEAR = timedelta(days=365)

OUTLETS = (
    ("Harbour Post", "harbourpost.example", "GB"),
    ("Continental Ledger", "ledger.example", "FR"),
    ("The Meridian Times", "meridiantimes.example", "US"),
    ("Eastern Wire", "easternwire.example", "SG"),
    ("Capital Dispatch", "capitaldispatch.example", "DE"),
    ("Gulf Observer", "gulfobserver.example", "AE"),
    ("Southern Cross Daily", "southerncross.example", "AU"),
    ("Northline Report", "northline.example", "CA"),
)


def mentions_of(article_id: int) -> int:
    return 7 if article_id % 2 == 0 else 6


def by_analyst(article_id: int, index: int) -> bool:
    """Whether an analyst made the quote: the second quote of every odd article."""
    return index == 1 and article_id % 2 == 1


ARTICLE_COLUMNS = (
    "id, created_at, updated_at, title, body, raw_text, url, published_at, language, "
    "content_hash, word_count, outlet_id, minhash, extracted_at, date_stated, extraction_error"
)
MENTION_COLUMNS = (
    'created_at, updated_at, start, "end", exact, prefix, suffix, origin, status, '
    "reviewed_at, article_id, entity_id, reviewed_by_id"
)
QUOTE_COLUMNS = (
    'id, created_at, updated_at, start, "end", exact, prefix, suffix, speaker_start, '
    "speaker_end, cue, cue_start, cue_end, kind, origin, status, reviewed_at, article_id, "
    "created_by_id, reviewed_by_id, speaker_id"
)
STANCE_COLUMNS = (
    'created_at, updated_at, start, "end", exact, prefix, suffix, target_text, note, origin, '
    "status, article_id, created_by_id, holder_id, polarity_id, quote_id, target_entity_id"
)
NOTE_COLUMNS = (
    'created_at, updated_at, text, start, "end", exact, prefix, suffix, article_id, created_by_id'
)
TABLES = {
    "articles_article": ARTICLE_COLUMNS,
    "articles_mention": MENTION_COLUMNS,
    "annotations_quote": QUOTE_COLUMNS,
    "annotations_stance": STANCE_COLUMNS,
    "annotations_note": NOTE_COLUMNS,
}


@dataclass(slots=True)
class Rows:
    """One chunk's rows, table by table, in TABLES order."""

    articles: list[tuple] = field(default_factory=list)
    mentions: list[tuple] = field(default_factory=list)
    quotes: list[tuple] = field(default_factory=list)
    stances: list[tuple] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)

    def by_table(self) -> dict[str, list[tuple]]:
        tables = (self.articles, self.mentions, self.quotes, self.stances, self.notes)
        return dict(zip(TABLES, tables, strict=True))


def _later(rng: random.Random, when: datetime, mean_hours: float) -> datetime:
    return when + timedelta(hours=rng.expovariate(1 / mean_hours))


def chunk_rows(
    rng: random.Random,
    first_id: int,
    names: list[str],
    cum_weights: list[float],
    annotators: list[int],
    polarities: dict[str, int],
) -> Rows:
    """The rows of articles first_id.. (CHUNK of them, or up to ARTICLES), with their
    annotations: `annotators` are user ids, `polarities` slug -> id."""
    rows = Rows()
    for article_id in range(first_id, min(first_id + CHUNK, ARTICLES + 1)):
        text = synth.article_text(
            rng, names=names, cum_weights=cum_weights, mentions=mentions_of(article_id), quotes=2
        )
        body = text.body
        outlet = rng.randrange(len(OUTLETS))
        published = END - YEAR + timedelta(seconds=rng.random() * YEAR.total_seconds())
        imported = _later(rng, published, 2)
        rows.articles.append(
            (
                article_id, imported, imported, text.title, body, "",
                f"https://{OUTLETS[outlet][1]}/{published:%Y/%m}/{article_id}",
                published, "en", sha256(body.encode()).hexdigest(), len(body.split()),
                outlet + 1, b"", imported, "", "",
            )
        )  # fmt: skip
        machine = imported + timedelta(seconds=rng.uniform(5, 300))
        for name in text.names:
            rows.mentions.append(_mention(rng, article_id, body, name, machine, annotators))
        quote_ids = [2 * (article_id - 1) + index + 1 for index in range(len(text.quotes))]
        for index, quote in enumerate(text.quotes):
            author = rng.choice(annotators) if by_analyst(article_id, index) else None
            created = _later(rng, imported, 24) if author else machine
            rows.quotes.append(
                _quote(rng, article_id, body, quote, quote_ids[index], created, author, annotators)
            )
        # Half the stances are read from a quote (its speaker holds them), half from a
        # sentence between two of the article's actors.
        holder, target = (name.entity for name in rng.sample(text.names, 2))
        quote_id = None
        if article_id % 2 == 0:
            index = rng.randrange(len(text.quotes))
            quote_id = quote_ids[index]
            holder = text.quotes[index].speaker.entity
            start, end = text.quotes[index].start, text.quotes[index].end
        else:
            start, end = rng.choice(text.sentences)
        if target == holder:
            target = (holder + 1) % len(names)
        s = synth.selector(body, start, end)
        created = _later(rng, imported, 36)
        edited = _later(rng, created, 12) if rng.random() < 0.2 else created
        polarity = polarities[rng.choices(synth.POLARITIES, weights=(4, 4, 2, 1))[0]]
        note = "" if rng.random() < 0.7 else " ".join(rng.choices(synth.WORDS, k=12))
        rows.stances.append(
            (
                created, edited, start, end, s.exact, s.prefix, s.suffix, "", note, "analyst",
                "confirmed", article_id, rng.choice(annotators), holder + 1, polarity, quote_id,
                target + 1,
            )
        )  # fmt: skip
        if article_id % 2 == 0:
            rows.notes.append(_note(rng, article_id, text, imported, annotators))
    return rows


def _mention(
    rng: random.Random,
    article_id: int,
    body: str,
    name: synth.NameSpan,
    created: datetime,
    annotators: list[int],
) -> tuple:
    s = synth.selector(body, name.start, name.end)
    roll = rng.random()
    status = "suggested" if roll < 0.8 else "confirmed" if roll < 0.95 else "rejected"
    reviewed = None if status == "suggested" else _later(rng, created, 36)
    return (
        created, reviewed or created, name.start, name.end, s.exact, s.prefix, s.suffix,
        "machine", status, reviewed, article_id, name.entity + 1,
        rng.choice(annotators) if reviewed else None,
    )  # fmt: skip


def _quote(
    rng: random.Random,
    article_id: int,
    body: str,
    quote: synth.QuoteSpan,
    quote_id: int,
    created: datetime,
    author: int | None,
    annotators: list[int],
) -> tuple:
    """An analyst's quote (`author`), or the machine's, which a third of the time an
    analyst has reviewed since."""
    reviewed = _later(rng, created, 48) if not author and rng.random() < 0.3 else None
    status = "confirmed" if author or reviewed else "suggested"
    s = synth.selector(body, quote.start, quote.end)
    return (
        quote_id, created, reviewed or created, quote.start, quote.end, s.exact, s.prefix,
        s.suffix, quote.speaker.start, quote.speaker.end, quote.cue, quote.cue_start,
        quote.cue_end, "direct", "analyst" if author else "machine", status, reviewed,
        article_id, author, rng.choice(annotators) if reviewed else None,
        quote.speaker.entity + 1,
    )  # fmt: skip


def _note(
    rng: random.Random,
    article_id: int,
    text: synth.ArticleText,
    imported: datetime,
    annotators: list[int],
) -> tuple:
    created = _later(rng, imported, 48)
    words = " ".join(rng.choices(synth.WORDS, k=rng.randint(5, 25))).capitalize() + "."
    span: tuple = (None, None, "", "", "")  # a note on the article as a whole
    if rng.random() >= 0.2:
        start, end = rng.choice(text.sentences)
        s = synth.selector(text.body, start, end)
        span = (start, end, s.exact, s.prefix, s.suffix)
    return (created, created, words, *span, article_id, rng.choice(annotators))
