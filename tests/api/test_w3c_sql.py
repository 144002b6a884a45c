"""The W3C Web Annotation documents PostgreSQL stores (annotations.w3c_sql): exactly these
for a quote, a stance, a note and a mention, valid against the W3C test schemas, kept
fresh when a row or a name it shows changes; and the pages, exports and single
annotations served from them, filter by filter and cursor by cursor."""

import csv
import io
import json
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from annotations import selectors, w3c_sql
from annotations.models import Note, Quote, Stance
from articles.models import Mention
from newsdesk.guards import etag_of
from tests.api.w3c_checker import w3c_check
from tests.api.world import People, World, supporting_stance
from tests.factories import EntityFactory, MentionFactory, NoteFactory, QuoteFactory, polarity

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
CONTEXT = [
    "http://www.w3.org/ns/anno.jsonld",
    {"nd": f"{BASE}api/v1/vocab#", "newsdesk": {"@id": "nd:record", "@type": "@json"}},
]
MACHINE = {"type": "Software", "name": "Newsdesk extractor"}
MODELS = {"mention": Mention, "note": Note, "quote": Quote, "stance": Stance}


def stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def body(value: str, purpose: str) -> dict[str, str]:
    return {"type": "TextualBody", "value": value, "purpose": purpose, "format": "text/plain"}


def span(article_id: int, exact: str, prefix: str, suffix: str, start: int, end: int) -> dict:
    return {
        "source": f"{BASE}api/v1/articles/{article_id}/",
        "selector": [
            {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
            {"type": "TextPositionSelector", "start": start, "end": end},
        ],
    }


def head(kind: str, row, motivation: str, creator) -> dict:
    """The keys every annotation starts with, the times as the database stored them."""
    stored = type(row).objects.values("created_at", "updated_at").get(pk=row.pk)
    return {
        "@context": CONTEXT,
        "id": f"{BASE}api/v1/annotations/{kind}-{row.pk}/",
        "type": "Annotation",
        "motivation": motivation,
        "creator": creator,
        "created": stamp(stored["created_at"]),
        "modified": stamp(stored["updated_at"]),
    }


def exactly(expected: dict) -> str:
    """The stored text a document must be: compact JSON, keys in this order."""
    return json.dumps(expected, separators=(",", ":"), ensure_ascii=False)


def stored(kind: str, pk: int) -> str:
    found = w3c_sql.annotation_document(kind, pk, BASE)
    assert found is not None, f"no document for {kind} {pk}"
    return found[0]


def quote_document(world: World, quote: Quote, speaker: str = "Yury Ushakov") -> dict:
    return {
        **head("quote", quote, "classifying", MACHINE),
        "body": [
            body("direct quote", "classifying"),
            body(speaker, "identifying"),
            body("said", "describing"),
        ],
        "target": span(
            world.article.pk,
            "A joint statement on international relations entering a new era",
            'orters in Moscow on Wednesday. "',
            " has been prepared for the talks",
            70,
            133,
        ),
        "newsdesk": {
            "type": "quote",
            "id": quote.pk,
            "article": world.article.pk,
            "kind": "direct",
            "status": "suggested",
            "origin": "machine",
            "speaker": {"id": world.ushakov.pk, "name": speaker},
            "speaker_start": None,
            "speaker_end": None,
            "cue": "said",
            "cue_start": None,
            "cue_end": None,
            "statement": world.statement.pk,
        },
    }


def test_a_quote_is_stored_as_exactly_this_annotation(world: World):
    quote = world.machine_quote
    assert stored("quote", quote.pk) == exactly(quote_document(world, quote))


def test_an_analyst_quote_names_its_author_and_leaves_out_what_it_lacks(world, people):
    quote = QuoteFactory(
        article=world.article,
        text="Ushakov said",
        cue="",
        speaker=None,
        kind="mixed",
        origin="analyst",
        status="confirmed",
        created_by=people.users["analyst_b"],
    )
    assert stored("quote", quote.pk) == exactly(
        {
            **head("quote", quote, "classifying", {"type": "Person", "nickname": "analyst-b"}),
            "body": [body("mixed quote", "classifying")],
            "target": span(
                world.article.pk,
                "Ushakov said",
                's been prepared for the talks," ',
                ". Foreign Minister Anna Keller s",
                168,
                180,
            ),
            "newsdesk": {
                "type": "quote",
                "id": quote.pk,
                "article": world.article.pk,
                "kind": "mixed",
                "status": "confirmed",
                "origin": "analyst",
                "speaker": None,
                "speaker_start": None,
                "speaker_end": None,
                "cue": "",
                "cue_start": None,
                "cue_end": None,
                "statement": None,
            },
        }
    )


def test_a_stance_on_an_entity_with_a_note_is_stored_as_exactly_this(world, people):
    stance = supporting_stance(world, people.users["analyst_b"], note="Warm words.")
    assert stored("stance", stance.pk) == exactly(
        {
            **head("stance", stance, "assessing", {"type": "Person", "nickname": "analyst-b"}),
            "body": [
                body("support", "classifying"),
                body("Anna Keller", "identifying"),
                body("Yury Ushakov", "tagging"),
                body("Warm words.", "commenting"),
            ],
            "target": span(
                world.article.pk,
                "welcomed the talks",
                "Anna Keller said her government ",
                " but opposed any new sanctions.",
                231,
                249,
            ),
            "newsdesk": {
                "type": "stance",
                "id": stance.pk,
                "article": world.article.pk,
                "status": "confirmed",
                "origin": "analyst",
                "polarity": "support",
                "holder": {"id": world.keller.pk, "name": "Anna Keller"},
                "target": {"id": world.ushakov.pk, "name": "Yury Ushakov"},
                "target_text": "",
                "quote": None,
                "note": "Warm words.",
            },
        }
    )


def stance_on_a_topic(world: World, holder: str = "Anna Keller", nickname="analyst-a"):
    stance = world.own_stance
    return {
        **head("stance", stance, "assessing", {"type": "Person", "nickname": nickname}),
        "body": [
            body("oppose", "classifying"),
            body(holder, "identifying"),
            body("new sanctions", "tagging"),
        ],
        "target": span(
            world.article.pk,
            "opposed any new sanctions",
            "vernment welcomed the talks but ",
            ".",
            254,
            279,
        ),
        "newsdesk": {
            "type": "stance",
            "id": stance.pk,
            "article": world.article.pk,
            "status": "confirmed",
            "origin": "analyst",
            "polarity": "oppose",
            "holder": {"id": world.keller.pk, "name": holder},
            "target": None,
            "target_text": "new sanctions",
            "quote": None,
            "note": "",
        },
    }


def test_a_stance_on_a_topic_is_stored_as_exactly_this(world: World):
    assert stored("stance", world.own_stance.pk) == exactly(stance_on_a_topic(world))


def test_notes_on_the_article_and_on_a_span_are_stored_as_exactly_these(world, people):
    whole = world.own_note
    assert stored("note", whole.pk) == exactly(
        {
            **head("note", whole, "commenting", {"type": "Person", "nickname": "analyst-a"}),
            "body": [body("Compare the TASS readout.", "commenting")],
            "target": f"{BASE}api/v1/articles/{world.article.pk}/",
            "newsdesk": {
                "type": "note",
                "id": whole.pk,
                "article": world.article.pk,
                "status": "confirmed",
                "origin": "analyst",
                "quote": None,
                "stance": None,
            },
        }
    )
    on_span = NoteFactory(
        article=world.article,
        text="Ushakov's wording",
        start=168,
        end=180,
        exact="Ushakov said",
        prefix='s been prepared for the talks," ',
        suffix=". Foreign Minister Anna Keller s",
        quote=world.machine_quote,
        created_by=people.users["analyst_b"],
    )
    assert stored("note", on_span.pk) == exactly(
        {
            **head("note", on_span, "commenting", {"type": "Person", "nickname": "analyst-b"}),
            "body": [body("Ushakov's wording", "commenting")],
            "target": span(
                world.article.pk,
                "Ushakov said",
                's been prepared for the talks," ',
                ". Foreign Minister Anna Keller s",
                168,
                180,
            ),
            "newsdesk": {
                "type": "note",
                "id": on_span.pk,
                "article": world.article.pk,
                "status": "confirmed",
                "origin": "analyst",
                "quote": world.machine_quote.pk,
                "stance": None,
            },
        }
    )


def mention_document(world: World, status: str = "suggested", origin: str = "machine") -> dict:
    mention = world.machine_mention
    return {
        **head("mention", mention, "identifying", MACHINE),
        "body": [body("Yury Ushakov", "identifying"), body("PERSON", "classifying")],
        "target": span(
            world.article.pk,
            "Yury Ushakov",
            "Kremlin aide ",
            " spoke to reporters in Moscow on",
            13,
            25,
        ),
        "newsdesk": {
            "type": "mention",
            "id": mention.pk,
            "article": world.article.pk,
            "status": status,
            "origin": origin,
            "entity": {"id": world.ushakov.pk, "name": "Yury Ushakov"},
        },
    }


def test_a_mention_is_stored_as_exactly_this_annotation(world: World):
    assert stored("mention", world.machine_mention.pk) == exactly(mention_document(world))


@pytest.fixture
def varied(world: World, people: People) -> World:
    """Rows with every optional part both present and absent, of several authors."""
    author = people.users["analyst_b"]
    QuoteFactory(article=world.article, text="Foreign Minister Anna Keller", cue="", speaker=None)
    supporting_stance(world, author, note="Warm words.")
    NoteFactory(article=world.article, text="On a quote.", quote=world.own_quote, created_by=author)
    for n in range(5):
        MentionFactory(
            article=world.article, text="Anna Keller", entity=EntityFactory(name=f"K{n}")
        )
    return world


def everything() -> list[dict]:
    items, position = w3c_sql.annotation_page(selectors.FeedFilters(), None, 1000, BASE)
    assert position is None
    return json.loads(f"[{items}]")


def test_every_stored_document_passes_the_w3c_checker(varied, tmp_path):
    documents = everything()
    assert {a["newsdesk"]["type"] for a in documents} == set(selectors.KINDS)
    result = w3c_check(documents, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "all annotations pass"


def test_renames_rewrite_the_documents_that_show_them_and_bump_their_sync_time(
    world, people, tmp_path
):
    """An entity's name or kind, a user's username and a polarity's slug are in other
    rows' annotations: renaming them rewrites those (and moves them up the sync order,
    so an incremental pull gets them again), and leaves the others as they were."""
    untouched = stored("mention", world.machine_mention.pk)
    before = max(a["modified"] for a in everything())
    world.keller.name = "Anna Keller-Brandt"
    world.keller.save()
    user = people.users["analyst_a"]
    user.username = "analyst-a-renamed"
    user.save()
    oppose = polarity("oppose")
    oppose.slug = "against"
    oppose.save()
    expected = stance_on_a_topic(world, holder="Anna Keller-Brandt", nickname="analyst-a-renamed")
    expected["body"][0] = body("against", "classifying")
    expected["newsdesk"]["polarity"] = "against"
    assert stored("stance", world.own_stance.pk) == exactly(expected)
    assert expected["modified"] > before
    own_quote = json.loads(stored("quote", world.own_quote.pk))
    assert own_quote["creator"] == {"type": "Person", "nickname": "analyst-a-renamed"}
    assert own_quote["newsdesk"]["speaker"] == {"id": world.keller.pk, "name": "Anna Keller-Brandt"}
    assert stored("mention", world.machine_mention.pk) == untouched
    assert stored("quote", world.machine_quote.pk) == exactly(
        quote_document(world, world.machine_quote)
    )
    changed = [a for a in everything() if a["modified"] > before]
    assert sorted((a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in changed) == [
        ("note", world.own_note.pk),
        ("quote", world.own_quote.pk),
        ("stance", world.own_stance.pk),
    ]
    since = parse_datetime(before) + timedelta(microseconds=1)
    response = people.client("api_client").get(
        "/api/v1/annotations/", {"updated_since": since.isoformat()}
    )
    assert response.json()["results"] == changed
    assert w3c_check(changed, tmp_path).returncode == 0


def test_an_unrelated_change_leaves_the_documents_and_sync_times_alone(varied, people):
    before = everything()
    varied.keller.description = "Foreign minister since 2024."
    varied.keller.save()
    people.users["analyst_a"].last_login = timezone.now()
    people.users["analyst_a"].save()
    assert everything() == before


def test_a_queryset_update_rewrites_the_documents_too(world: World):
    """No model save, no signal: the trigger rewrites the document, with the database's
    time of the update."""
    before = stored("mention", world.machine_mention.pk)
    Mention.objects.filter(pk=world.machine_mention.pk).update(status="confirmed", origin="analyst")
    after = stored("mention", world.machine_mention.pk)
    assert after != before
    assert after == exactly(mention_document(world, status="confirmed", origin="analyst"))


def test_a_control_character_in_a_note_is_not_taken_for_the_address(world, people):
    """Stored documents mark the server's address with U+0001; a note may contain that
    character too, and stays as written (PostgreSQL writes it escaped)."""
    note = NoteFactory(
        article=world.article,
        text=f"odd {w3c_sql.ADDRESS} text",
        created_by=people.users["analyst_a"],
    )
    document = stored("note", note.pk)
    assert "\\u0001" in document
    assert json.loads(document)["body"][0]["value"] == f"odd {w3c_sql.ADDRESS} text"
    assert json.loads(document)["id"] == f"{BASE}api/v1/annotations/note-{note.pk}/"


def feed_rows() -> list[dict]:
    """Every annotation's row as the feed's filters and order see it, read from the four
    tables (the oracle the pages are checked against)."""
    rows = []
    for kind, model in MODELS.items():
        fields = ["pk", "updated_at", "article_id", "created_by__username"]
        fields += [f for f in ("status", "origin") if hasattr(model, f)]
        for row in model.objects.values(*fields):
            rows.append(
                {
                    "key": (row["updated_at"], selectors.RANK[kind], row["pk"]),
                    "kind": kind,
                    "id": row["pk"],
                    "article": row["article_id"],
                    "created_by": row["created_by__username"],
                    "status": row.get("status", "confirmed"),
                    "origin": row.get("origin", "analyst"),
                }
            )
    return sorted(rows, key=lambda row: row["key"])


def wanted(filters: dict) -> list[tuple[str, int]]:
    kinds = filters.get("type", ",".join(selectors.KINDS)).split(",")
    return [
        (row["kind"], row["id"])
        for row in feed_rows()
        if row["kind"] in kinds
        and all(row[name] == value for name, value in filters.items() if name != "type")
    ]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"type": "quote"},
        {"type": "stance,note"},
        {"status": "suggested"},
        {"status": "confirmed"},
        {"status": "rejected"},
        {"origin": "machine"},
        {"origin": "analyst"},
        {"created_by": "analyst-a"},
        {"created_by": "nobody"},
        {"type": "quote", "status": "suggested", "origin": "machine"},
    ],
    ids=str,
)
def test_pages_list_what_the_filters_select_in_sync_order(filters, varied, people):
    client = people.client("api_client")
    seen, pages = [], 0
    response = client.get("/api/v1/annotations/", {**filters, "page_size": 3})
    while True:
        page = response.json()
        seen += [(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in page["results"]]
        assert [exactly(a) for a in page["results"]] == [
            stored(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in page["results"]
        ]
        pages += 1
        if page["next"] is None:
            break
        response = client.get(page["next"])
    assert seen == wanted(filters)
    assert pages == max(1, -(-len(seen) // 3))


def test_the_article_filter_and_updated_since_select_from_the_stored_documents(varied, people):
    client = people.client("api_client")
    other = QuoteFactory()  # in another article
    rows = feed_rows()
    ids = {(row["kind"], row["id"]) for row in rows if row["article"] == varied.article.pk}
    listed = client.get("/api/v1/annotations/", {"article": varied.article.pk}).json()["results"]
    assert {(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in listed} == ids
    assert ("quote", other.pk) not in ids
    since = rows[len(rows) // 2]["key"][0]
    listed = client.get("/api/v1/annotations/", {"updated_since": since.isoformat()}).json()
    assert [(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in listed["results"]] == [
        (row["kind"], row["id"]) for row in rows if row["key"][0] >= since
    ]


def test_the_jsonld_page_is_an_annotation_page_of_the_same_documents(varied, people):
    client = people.client("api_client")
    plain = client.get("/api/v1/annotations/").json()
    page = client.get("/api/v1/annotations/?format=jsonld").json()
    assert page["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert page["type"] == "AnnotationPage"
    assert page["id"] == f"{BASE}api/v1/annotations/?format=jsonld"
    assert page["items"] == plain["results"]


@pytest.mark.parametrize("filters", [{}, {"type": "mention"}, {"status": "suggested"}], ids=str)
def test_the_jsonl_export_streams_the_stored_documents_in_sync_order(
    filters, varied, people, monkeypatch
):
    monkeypatch.setattr(w3c_sql, "EXPORT_CHUNK", 3)  # several chunks
    with CaptureQueriesContext(connection) as queries:
        response = people.client("api_client").get(
            "/api/v1/annotations/", {**filters, "format": "jsonl"}
        )
        lines = b"".join(response.streaming_content).decode().splitlines()
    keys = [(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in map(json.loads, lines)]
    assert keys == wanted(filters)
    assert lines == [stored(*key) for key in wanted(filters)]
    # Read from the stored documents, not rendered from the four tables.
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "annotations_feed_document" in read
    assert "annotations_stance" not in read


def test_the_csv_export_flattens_the_stored_documents(varied, people):
    response = people.client("api_client").get("/api/v1/annotations/?format=csv&type=quote")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [("quote", int(row["id"])) for row in rows] == wanted({"type": "quote"})
    machine = next(row for row in rows if int(row["id"]) == varied.machine_quote.pk)
    document = quote_document(varied, varied.machine_quote)
    assert machine == {
        "kind": "quote",
        "article": str(varied.article.pk),
        "article title": varied.article.title,
        "start": "70",
        "end": "133",
        "exact": "A joint statement on international relations entering a new era",
        "speaker": "Yury Ushakov",
        "cue": "said",
        "holder": "",
        "target": "",
        "polarity": "",
        "note": "",
        "status": "suggested",
        "origin": "machine",
        "creator": "",
        "created": document["created"],
        "modified": document["modified"],
        "id": str(varied.machine_quote.pk),
        "quote kind": "direct",
        "entity": "",
        "entity kind": "",
    }
    note = people.client("api_client").get("/api/v1/annotations/?format=csv&type=note")
    notes = list(csv.DictReader(io.StringIO(b"".join(note.streaming_content).decode())))
    whole = next(row for row in notes if int(row["id"]) == varied.own_note.pk)
    assert (whole["start"], whole["end"], whole["exact"], whole["creator"]) == (
        "",
        "",
        "",
        "analyst-a",
    )


@pytest.mark.parametrize("kind", selectors.KINDS)
def test_a_single_annotation_is_its_stored_document_with_its_row_s_etag(kind, varied, people):
    row = MODELS[kind].objects.order_by("pk").first()
    client = people.client("api_client")
    response = client.get(f"/api/v1/annotations/{kind}-{row.pk}/")
    assert response.status_code == 200
    assert response.content.decode() == stored(kind, row.pk)
    assert response["ETag"] == etag_of(row)
    as_jsonld = client.get(f"/api/v1/annotations/{kind}-{row.pk}/?format=jsonld")
    assert as_jsonld["Content-Type"].startswith("application/ld+json")
    assert as_jsonld.content == response.content
    assert client.get(f"/api/v1/annotations/{kind}-999999999/").status_code == 404


def stored_documents() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM annotations_feed_document")
        return cursor.fetchone()[0]


def test_every_row_has_its_document_and_a_deleted_row_loses_it(varied):
    rows = len(feed_rows())
    assert stored_documents() == rows > 10
    varied.own_quote.delete()
    assert stored_documents() == rows - 1 - 1  # its note went with it (cascade)
    assert w3c_sql.annotation_document("quote", varied.own_quote.pk, BASE) is None
    assert [(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in everything()] == wanted({})


def test_truncating_a_table_drops_its_documents(varied):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute("TRUNCATE annotations_note CASCADE")
    assert stored_documents() == len(feed_rows())


def test_install_rewrites_documents_written_by_another_rendering(varied):
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


def test_the_rewrite_command_brings_stale_documents_back(varied):
    """Rows written with triggers off (a data-only restore) leave documents stale."""
    expected = everything()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM annotations_feed_document WHERE rank = 2")
        cursor.execute("UPDATE annotations_feed_document SET doc = '{}' WHERE rank = 0")
    out = StringIO()
    call_command("rewrite_annotation_documents", stdout=out)
    assert everything() == expected
    assert out.getvalue() == f"Rewrote {len(expected)} annotation documents.\n"


def test_a_document_s_modified_time_is_the_database_s_time_of_the_write(world: World):
    """The row's updated_at is the database's clock at the write (a trigger sets it),
    whatever time the writer put there, and the document says the same."""
    long_ago = timezone.now() - timedelta(days=400)
    Quote.objects.filter(pk=world.machine_quote.pk).update(cue="said", updated_at=long_ago)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        (database_now,) = cursor.fetchone()
    row = Quote.objects.get(pk=world.machine_quote.pk)
    assert database_now - timedelta(seconds=5) < row.updated_at <= database_now
    assert json.loads(stored("quote", row.pk))["modified"] == stamp(row.updated_at)
