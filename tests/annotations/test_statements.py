"""The same utterance across outlets is one Statement (annotations.services.statements_link)."""

import hashlib
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Quote, Statement
from annotations.selectors.stories import statement_variants
from annotations.services import statements_link
from articles.models import ReviewStatus
from tests.factories import ArticleFactory, EntityFactory, QuoteFactory, StoryFactory

pytestmark = pytest.mark.django_db

WORDS = "The water quotas will be agreed before the autumn session of the commission"


OUTLETS = itertools.count(1)


def article_with(story, quote: str, *, speaker=None, status=ReviewStatus.SUGGESTED):
    # Each outlet's own report around the quote: distinct bodies, distinct hashes.
    body = (
        f"Report number {next(OUTLETS)}: talks resumed in Geneva on Tuesday. "
        f'"{quote}," the minister said. More follows.'
    )
    article = ArticleFactory(
        story=story, body=body, content_hash=hashlib.sha256(body.encode()).hexdigest()
    )
    text = f'"{quote},"'
    return QuoteFactory(
        article=article,
        text=text,
        speaker=speaker,
        kind=Quote.Kind.DIRECT,
        origin="machine",
        status=status,
    )


def test_one_utterance_in_several_articles_of_a_story_is_one_statement():
    story = StoryFactory()
    minister = EntityFactory(name="Elena Varga")
    first = article_with(story, WORDS, speaker=minister)
    second = article_with(story, WORDS, speaker=None)  # "the minister": speaker unknown
    third = article_with(
        story, WORDS.replace("will be agreed", "will be agreed in advance"), speaker=minister
    )

    assert statements_link(article_ids=[first.article_id, second.article_id, third.article_id]) == 3

    (statement,) = Statement.objects.all()
    assert statement.reference_text == WORDS
    assert statement.speaker == minister
    assert statement.story == story
    rows = {row["quote"].pk: row for row in statement_variants(statement)}
    assert rows[first.pk]["similarity"] == rows[second.pk]["similarity"] == 1.0
    marked = [(d.op, d.text) for d in rows[third.pk]["differences"] if d.op != "equal"]
    assert marked == [("insert", "in advance")]
    third.refresh_from_db()
    assert third.statement == statement
    assert third.similarity == rows[third.pk]["similarity"]


def test_different_speakers_stories_or_a_rejected_quote_do_not_link():
    story, other_story = StoryFactory(), StoryFactory()
    varga, okafor = EntityFactory(name="Elena Varga"), EntityFactory(name="Tomas Okafor")
    mine = article_with(story, WORDS, speaker=varga)
    someone_else = article_with(story, WORDS, speaker=okafor)
    elsewhere = article_with(other_story, WORDS, speaker=varga)
    rejected = article_with(story, WORDS, speaker=varga, status=ReviewStatus.REJECTED)
    ids = [q.article_id for q in (mine, someone_else, elsewhere, rejected)]

    assert statements_link(article_ids=ids) == 0
    assert not Statement.objects.exists()


def test_a_later_article_joins_the_existing_statement_and_a_rerun_changes_nothing():
    story = StoryFactory()
    first, second = article_with(story, WORDS), article_with(story, WORDS)
    statements_link(article_ids=[first.article_id, second.article_id])
    later = article_with(story, WORDS.replace("autumn", "October"))

    assert statements_link(article_ids=[later.article_id]) == 1
    assert statements_link(article_ids=[later.article_id]) == 0
    (statement,) = Statement.objects.all()
    assert set(statement.variants.values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        later.pk,
    }
    assert statement.reference_text == WORDS


def test_linking_costs_the_same_queries_for_few_or_many_quotes():
    def count(n: int) -> int:
        story = StoryFactory()
        quotes = [article_with(story, WORDS) for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            statements_link(article_ids=[q.article_id for q in quotes])
        return len(queries)

    # Stories of the articles, the lock, the quotes, the statement insert, the updates.
    assert count(2) == count(8)
