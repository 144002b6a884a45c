"""The annotation documents PostgreSQL keeps (annotations.w3c_sql) are exactly what the
Python reference (annotations.w3c) renders: every kind, every filter, every cursor, and
after every change to a row or to what it shows."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from annotations import selectors, w3c, w3c_sql
from tests.api.world import People, World, supporting_stance
from tests.factories import (
    EntityFactory,
    MentionFactory,
    NoteFactory,
    QuoteFactory,
    polarity,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the stored documents are PostgreSQL's")


BASE = "http://testserver/"


@pytest.fixture
def varied(world: World, people: People) -> World:
    """Rows with every optional part both present and absent."""
    author = people.users["analyst_b"]
    QuoteFactory(article=world.article, text="Foreign Minister Anna Keller", cue="", speaker=None)
    supporting_stance(world, author, note="Warm words.")
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
    items, position = w3c_sql.annotation_page(filters, after, size, BASE)
    return json.loads(f"[{items}]"), position


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
    since = sorted(q.updated_at for q in varied.article.quote_set.all())[1]
    for feed in (
        selectors.FeedFilters(article=varied.article.pk),
        selectors.FeedFilters(article=varied.article.pk + 1000),
        selectors.FeedFilters(updated_since=since),
    ):
        assert sql_page(feed, None, 100) == python_page(feed, None, 100)


def everything() -> list[dict]:
    return sql_page(selectors.FeedFilters(), None, 1000)[0]


def stored_documents() -> int:
    assert w3c_sql.FEED_TABLE == "annotations_feed_document"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM annotations_feed_document")
        return cursor.fetchone()[0]


def test_every_row_has_its_document_and_a_deleted_row_loses_it(varied, people):
    rows = python_page(selectors.FeedFilters(), None, 1000)[0]
    assert stored_documents() == len(rows) > 10
    varied.own_quote.delete()
    assert stored_documents() == len(rows) - 1 - 1  # its note went with it (cascade)
    assert everything() == python_page(selectors.FeedFilters(), None, 1000)[0]


def test_renames_rewrite_the_documents_that_show_them_and_bump_their_sync_time(varied, people):
    """An entity's name or kind, a user's username and a polarity's slug are in other
    rows' annotations: renaming them rewrites those and moves them up the sync order, so
    an incremental pull gets them again, renamed."""
    before = max(a["modified"] for a in everything())
    varied.keller.name = "Anna Keller-Brandt"
    varied.keller.save()
    user = people.users["analyst_a"]
    user.username = "analyst-a-renamed"
    user.save()
    support = polarity("support")
    support.slug = "endorse"
    support.save()
    assert everything() == python_page(selectors.FeedFilters(), None, 1000)[0]
    changed = [a for a in everything() if a["modified"] > before]
    names = json.dumps(changed)
    assert "Anna Keller-Brandt" in names
    assert "analyst-a-renamed" in names
    assert '"endorse"' in names
    shown = [
        a["newsdesk"][role]
        for a in everything()
        for role in ("entity", "speaker", "holder", "target")
        if (a["newsdesk"].get(role) or {}).get("id") == varied.keller.pk
    ]
    assert len(shown) >= 3
    assert {entity["name"] for entity in shown} == {"Anna Keller-Brandt"}
    assert len(changed) < len(everything())  # only those that show a renamed row
    pull = selectors.FeedFilters(updated_since=parse_datetime(before) + timedelta(microseconds=1))
    assert sql_page(pull, None, 1000)[0] == changed


def test_an_unrelated_change_leaves_the_documents_and_sync_times_alone(varied, people):
    before = everything()
    varied.keller.description = "Foreign minister since 2024."
    varied.keller.save()
    people.users["analyst_a"].last_login = timezone.now()
    people.users["analyst_a"].save()
    assert everything() == before


def test_truncating_a_table_drops_its_documents(varied, people):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute("TRUNCATE annotations_note CASCADE")
    assert stored_documents() == len(python_page(selectors.FeedFilters(), None, 1000)[0])


def test_install_rewrites_documents_written_by_another_rendering(varied, people):
    expected = everything()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM annotations_feed_document WHERE rank = 0")
        cursor.execute("COMMENT ON TABLE annotations_feed_document IS 'an older rendering'")
    w3c_sql.install(connection)
    assert everything() == expected
    # Installed again, unchanged: nothing is rewritten (the documents stay as they are).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM annotations_feed_document WHERE rank = 0")
    w3c_sql.install(connection)
    assert stored_documents() < len(expected)


def test_a_control_character_in_a_note_is_not_taken_for_the_address(varied, people):
    """Stored documents mark the server's address with U+0001; a note may contain that
    character too, and stays as written (PostgreSQL writes it escaped)."""
    NoteFactory(
        article=varied.article,
        text=f"odd {w3c_sql.ADDRESS} text",
        created_by=people.users["analyst_a"],
    )
    rendered = everything()
    assert rendered == python_page(selectors.FeedFilters(), None, 1000)[0]
    assert any(a["body"][0]["value"] == f"odd {w3c_sql.ADDRESS} text" for a in rendered)


def test_bulk_updates_and_combined_filters_stay_the_same_in_sql(varied, people):
    """A queryset update (no model save, no signal) rewrites the documents too."""
    Mention = type(varied.article.mention_set.first())
    Mention.objects.filter(article=varied.article).update(status="confirmed", origin="analyst")
    for feed in (
        selectors.FeedFilters(status="confirmed", origin="analyst"),
        selectors.FeedFilters(kinds=("mention", "stance"), article=varied.article.pk),
        selectors.FeedFilters(kinds=("quote",), status="suggested", origin="machine"),
    ):
        assert sql_page(feed, None, 1000) == python_page(feed, None, 1000)


@pytest.mark.parametrize(
    "filters",
    [{}, {"kinds": ("mention",)}, {"status": "suggested"}, {"origin": "analyst"}],
    ids=str,
)
def test_the_jsonl_export_streams_the_stored_documents_in_sync_order(
    filters, varied, people, monkeypatch
):
    monkeypatch.setattr(w3c_sql, "EXPORT_CHUNK", 3)  # several chunks
    feed = selectors.FeedFilters(**filters)
    chunks = list(w3c_sql.annotation_lines(feed, BASE))
    lines = "".join(chunks).splitlines()
    assert [json.loads(line) for line in lines] == python_page(feed, None, 1000)[0]
    assert len(chunks) == -(-len(lines) // 3)


def test_the_api_exports_jsonl_from_the_stored_documents(varied, people):
    with CaptureQueriesContext(connection) as queries:
        response = people.client("api_client").get("/api/v1/annotations/?format=jsonl")
        body = b"".join(response.streaming_content)
    exported = [json.loads(line) for line in body.splitlines()]
    assert exported == python_page(selectors.FeedFilters(), None, 1000)[0]
    # Read from the stored documents, not rendered from the four tables.
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "annotations_feed_document" in read
    assert "annotations_stance" not in read


def test_the_rewrite_command_brings_stale_documents_back(varied, people):
    """Rows written with triggers off (a data-only restore) leave documents stale."""
    from io import StringIO

    from django.core.management import call_command

    expected = everything()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM annotations_feed_document WHERE rank = 2")
        cursor.execute("UPDATE annotations_feed_document SET doc = '{}' WHERE rank = 0")
    out = StringIO()
    call_command("rewrite_annotation_documents", stdout=out)
    assert everything() == expected
    assert out.getvalue() == f"Rewrote {len(expected)} annotation documents.\n"
