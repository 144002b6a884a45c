"""body[start:end] == exact for every stored span, on real news text (the seeds corpus):
curly quotes, bullets and non-ASCII included."""

import hashlib
from pathlib import Path

import pytest

from annotations.models import Note, Quote, Stance
from articles.anchoring import text_quote_selector
from articles.models import Article, Mention
from tests.factories import EntityFactory, polarity

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
NAMES = ("Xi Jinping", "Vladimir Putin", "Ushakov", "Kremlin", "Beijing", "Moscow")

pytestmark = pytest.mark.django_db


def _spans(body: str, needle: str):
    start = body.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = body.find(needle, start + 1)


def _selector_fields(body: str, start: int, end: int) -> dict:
    s = text_quote_selector(body, start, end)
    return {"start": start, "end": end, "exact": s.exact, "prefix": s.prefix, "suffix": s.suffix}


@pytest.fixture
def seed_articles():
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 5, f"expected the five seed articles in {SEEDS}"
    articles = []
    for path in paths:
        body = path.read_text(encoding="utf-8")
        articles.append(
            Article.objects.create(
                title=path.stem,
                body=body,
                raw_text=body,
                content_hash=hashlib.sha256(body.encode()).hexdigest(),
            )
        )
    return articles


def test_every_stored_span_points_at_its_exact_text(seed_articles):
    entity = EntityFactory(name="Any actor")
    support = polarity("support")
    made = 0
    for article in seed_articles:
        for name in NAMES:
            for start, end in _spans(article.body, name):
                fields = _selector_fields(article.body, start, end)
                Mention.objects.create(article=article, entity=entity, **fields)
                Note.objects.create(article=article, text=f"{name} here", **fields)
                made += 2
        # Quotes and stances over curly-quoted speech, the text the seeds quote most.
        for start, end in _spans(article.body, "international relations entering"):
            fields = _selector_fields(article.body, start, end)
            quote = Quote.objects.create(article=article, cue="said", **fields)
            Stance.objects.create(
                article=article,
                quote=quote,
                holder=entity,
                target_text="a new era",
                polarity=support,
                **fields,
            )
            made += 2
    assert made > 100

    checked = 0
    for model in (Mention, Quote, Stance, Note):
        for span in model.objects.select_related("article").exclude(start=None):
            body = span.article.body
            assert body[span.start : span.end] == span.exact
            assert body[max(0, span.start - 32) : span.start] == span.prefix
            assert body[span.end : span.end + 32] == span.suffix
            checked += 1
    assert checked == made
