"""Every list endpoint costs the same few queries for a page of 3 rows or of 60.

With token auth, every request starts with one query: the token joined with its user and
the user's role (newsdesk.authentication). The rest is named per endpoint below.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.world import People, World
from tests.factories import (
    ArticleFactory,
    EntityAliasFactory,
    EntityFactory,
    MentionFactory,
    NoteFactory,
    QuoteFactory,
    StanceFactory,
    StatementFactory,
    StoryFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

AUTH = 1  # token + user + role
# Every synced list (all but the vocabulary) first takes the pull's snapshot, with the
# database's clock and the pruning horizon, in one query (newsdesk.sync).
SYNC = 1
# Queries after AUTH, per endpoint, whatever the number of rows on the page.
EXPECTED = {
    "articles": SYNC + 1,  # the page, outlet joined
    "entities": SYNC + 2,  # the page; aliases (one prefetch)
    "stories": SYNC + 1,  # the page, article counts in the same query
    "mentions": SYNC + 1,  # the page, entity joined
    "quotes": SYNC + 2,  # the page, speaker and users joined; tags (one prefetch)
    "statements": SYNC + 2,  # the page, speaker joined; variants with article and outlet
    "stances": SYNC + 1,  # the page, holder, target, polarity and author joined
    "notes": SYNC + 1,  # the page, author joined
    "deleted": SYNC + 1,  # the page
    "annotations": SYNC + 1,  # the page of stored documents (annotations.w3c_sql)
    "vocabulary": 1,  # the whole vocabulary
}


def grow(world: World, people: People, n: int) -> None:
    """n more rows of every kind, each with its relations filled in."""
    author = people.users["analyst_b"]
    tag = TagFactory(slug="sanctions")
    for i in range(n):
        story = StoryFactory()
        article = ArticleFactory(body=world.article.body, story=story, content_hash=f"{i:064d}")
        entity = EntityFactory(name=f"Person {i}")
        EntityAliasFactory(entity=entity, alias=f"P. {i}")
        MentionFactory(article=article, text="Yury Ushakov", entity=entity)
        quote = QuoteFactory(
            article=article,
            text="A joint statement",
            speaker=entity,
            created_by=author,
            reviewed_by=author,
            statement=StatementFactory(speaker=entity, story=story),
        )
        quote.tags.add(tag)
        StanceFactory(
            article=article,
            text="welcomed the talks",
            holder=entity,
            target_entity=world.keller,
            created_by=author,
        )
        NoteFactory(article=article, created_by=author)
        article.delete() if i % 5 == 4 else None  # and a few tombstones


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_a_list_costs_the_same_queries_for_few_rows_or_many(endpoint, world, people):
    client = people.client("api_client")
    url = f"/api/v1/{endpoint}/?page_size=100"
    few = count(client, url)
    grow(world, people, 60)
    many = count(client, url)
    assert many == few == AUTH + EXPECTED[endpoint]


def test_a_detail_costs_auth_and_one_query(world, people):
    client = people.client("api_client")
    # The article with its source file in a subquery.
    assert count(client, f"/api/v1/articles/{world.article.pk}/") == AUTH + 1
    # The annotation's stored document.
    assert count(client, f"/api/v1/annotations/quote-{world.machine_quote.pk}/") == AUTH + 1
