"""PostgreSQL renders the annotation feed's pages (annotations.w3c_sql) exactly as the
Python reference (annotations.w3c) does: every kind, every filter, every cursor."""

import json

import pytest
from django.db import connection

from annotations import selectors, w3c, w3c_sql
from tests.api.world import People, World
from tests.factories import (
    EntityFactory,
    MentionFactory,
    NoteFactory,
    QuoteFactory,
    StanceFactory,
    polarity,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"


@pytest.fixture
def varied(world: World, people: People) -> World:
    """Rows with every optional part both present and absent."""
    author = people.users["analyst_b"]
    QuoteFactory(article=world.article, text="Foreign Minister Anna Keller", cue="", speaker=None)
    StanceFactory(
        article=world.article,
        text="welcomed the talks",
        holder=world.keller,
        target_entity=world.ushakov,
        target_text="",
        polarity=polarity("support"),
        note="Warm words.",
        created_by=author,
    )
    NoteFactory(article=world.article, text="On a quote.", quote=world.own_quote, created_by=author)
    for n in range(5):
        MentionFactory(
            article=world.article, text="Anna Keller", entity=EntityFactory(name=f"K{n}")
        )
    return world


def python_page(filters, after, size):
    rows, position = selectors.annotation_page(filters, after, size)
    return [w3c.RENDER[kind](BASE, row) for kind, row in rows], position


def sql_page(filters, after, size):
    documents, position = w3c_sql.annotation_page(filters, after, size, BASE)
    return [{"@context": w3c.context(BASE), **json.loads(d)} for d in documents], position


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kinds": ("quote",)},
        {"kinds": ("stance", "note")},
        {"status": "suggested"},
        {"status": "confirmed"},
        {"status": "rejected"},
        {"origin": "machine"},
        {"origin": "analyst"},
        {"created_by": "analyst-a"},
        {"created_by": "nobody"},
    ],
    ids=str,
)
def test_every_page_is_the_same_in_sql_and_in_python(filters, varied, people):
    if connection.vendor != "postgresql":
        pytest.skip("the SQL renderer is PostgreSQL's")
    feed = selectors.FeedFilters(**filters)
    after = None
    pages = 0
    while True:
        expected, expected_next = python_page(feed, after, 3)
        rendered, rendered_next = sql_page(feed, after, 3)
        assert rendered == expected
        assert rendered_next == expected_next
        pages += 1
        if expected_next is None:
            break
        after = expected_next
    assert pages >= 1


def test_article_and_updated_since_filters_are_the_same_in_sql(varied, people):
    if connection.vendor != "postgresql":
        pytest.skip("the SQL renderer is PostgreSQL's")
    since = sorted(q.updated_at for q in varied.article.quote_set.all())[1]
    for feed in (
        selectors.FeedFilters(article=varied.article.pk),
        selectors.FeedFilters(article=varied.article.pk + 1000),
        selectors.FeedFilters(updated_since=since),
    ):
        assert sql_page(feed, None, 100) == python_page(feed, None, 100)
