"""Formats: W3C Web Annotation JSON-LD checked by ../shared/tools/check_w3c_annotation.py,
and CSV and JSONL exports streamed row by row."""

import csv
import io
import json

import pytest

from annotations import w3c_sql
from articles.anchoring import text_quote_selector
from tests.api.w3c_checker import w3c_check
from tests.api.world import People, World, supporting_stance
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_kind(world: World, people: People) -> World:
    """Besides `world`'s mention, quotes, stance and span-less note: a note on a span and
    a stance on an entity with a note of its own."""
    where = world.article.body.index("Ushakov said")
    selector = text_quote_selector(world.article.body, where, where + len("Ushakov said"))
    NoteFactory(
        article=world.article,
        text="Ushakov's wording",
        start=where,
        end=where + len("Ushakov said"),
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        created_by=people.users["analyst_b"],
    )
    supporting_stance(world, people.users["analyst_b"], note="Warm, for now.")
    return world


def test_a_jsonld_page_of_every_kind_passes_the_w3c_checker(every_kind, people, tmp_path):
    response = people.client("api_client").get("/api/v1/annotations/?format=jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    page = response.json()
    assert page["type"] == "AnnotationPage"
    kinds = sorted(a["newsdesk"]["type"] for a in page["items"])
    assert kinds == ["mention", "note", "note", "quote", "quote", "stance", "stance"]
    result = w3c_check(page, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "all annotations pass"


def test_the_accept_header_asks_for_jsonld_too(world, people):
    response = people.client("api_client").get(
        "/api/v1/annotations/", HTTP_ACCEPT="application/ld+json"
    )
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.json()["type"] == "AnnotationPage"


def test_an_annotation_says_what_and_where(world: World, people: People, tmp_path):
    quote = world.machine_quote
    annotation = (
        people.client("api_client").get(f"/api/v1/annotations/quote-{quote.pk}/?format=jsonld")
    ).json()
    assert annotation["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert annotation["id"] == f"http://testserver/api/v1/annotations/quote-{quote.pk}/"
    assert annotation["creator"] == {"type": "Software", "name": "Newsdesk extractor"}
    target = annotation["target"]
    assert target["source"] == f"http://testserver/api/v1/articles/{world.article.pk}/"
    quote_selector, position = target["selector"]
    assert quote_selector["exact"] == world.article.body[position["start"] : position["end"]]
    assert (quote_selector["prefix"], quote_selector["suffix"]) == (quote.prefix, quote.suffix)
    assert {"value": "Yury Ushakov", "purpose": "identifying"}.items() <= annotation["body"][
        1
    ].items()
    assert annotation["newsdesk"]["status"] == "suggested"
    assert w3c_check(annotation, tmp_path).returncode == 0


def test_jsonl_streams_one_valid_annotation_per_line(every_kind, people, tmp_path):
    response = people.client("api_client").get("/api/v1/annotations/?format=jsonl")
    assert response.status_code == 200
    assert response.streaming, "a generator, not a body built in memory"
    assert response["Content-Type"].startswith("application/jsonl")
    lines = b"".join(response.streaming_content).decode().splitlines()
    annotations = [json.loads(line) for line in lines]
    assert len(annotations) == 7
    assert w3c_check(annotations, tmp_path).returncode == 0


def test_csv_of_annotations_has_one_row_each_and_a_fixed_header(every_kind, people):
    response = people.client("api_client").get("/api/v1/annotations/?format=csv&type=quote,note")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["kind"] for r in rows) == ["note", "note", "quote", "quote"]
    assert list(rows[0]) == list(w3c_sql.CSV_COLUMNS)


@pytest.mark.parametrize(
    "endpoint", ["articles", "entities", "stories", "mentions", "quotes", "statements", "stances"]
)
def test_every_list_exports_as_csv_and_jsonl_with_the_filters(endpoint, world, people):
    client = people.client("api_client")
    paged = client.get(f"/api/v1/{endpoint}/?page_size=1000").json()["results"]
    jsonl = client.get(f"/api/v1/{endpoint}/?format=jsonl")
    assert jsonl.streaming
    rows = [json.loads(line) for line in b"".join(jsonl.streaming_content).splitlines()]
    assert rows == paged, "the export lists what the pages list, in the same order"
    exported = client.get(f"/api/v1/{endpoint}/?format=csv")
    table = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [int(r["id"]) for r in table] == [r["id"] for r in paged]


def test_filters_apply_to_exports(world, people):
    response = people.client("api_client").get("/api/v1/quotes/?format=jsonl&origin=machine")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [r["id"] for r in rows] == [world.machine_quote.pk]
    response = people.client("api_client").get("/api/v1/annotations/?format=jsonl&type=stance")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [r["newsdesk"]["id"] for r in rows] == [world.own_stance.pk]


def test_text_from_the_article_is_data_not_markup(world, people):
    from tests.factories import ArticleFactory, QuoteFactory

    article = ArticleFactory(body='He said "<script>alert(1)</script>" and left.')
    QuoteFactory(article=article, text='"<script>alert(1)</script>"')
    response = people.client("api_client").get(f"/api/v1/quotes/?article={article.pk}")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["results"][0]["exact"] == '"<script>alert(1)</script>"'
