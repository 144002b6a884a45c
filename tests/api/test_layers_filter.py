"""`?layer=` on quotes, stances and the W3C feed, and `export_articles --layer`: one
layer at a time (the machine's suggestions, analysts' work, the adjudicated gold)."""

import io
import json

import pytest
from django.core.management import call_command

from tests.api.world import World
from tests.factories import QuoteFactory, StanceFactory, polarity

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(world: World, people):
    admin = people.users["admin"]
    quote = QuoteFactory(
        article=world.article,
        text="her government welcomed the talks",
        speaker=world.keller,
        kind="indirect",
        origin="gold",
        status="confirmed",
        created_by=admin,
    )
    stance = StanceFactory(
        article=world.article,
        text="opposed any new sanctions",
        holder=world.keller,
        target_text="new sanctions",
        polarity=polarity("oppose"),
        origin="gold",
        created_by=admin,
    )
    return quote, stance


def test_layer_gold_lists_only_gold(world, people, gold):
    client = people.client("analyst_a")
    quotes = client.get("/api/v1/quotes/", {"layer": "gold"}).json()["results"]
    assert [q["id"] for q in quotes] == [gold[0].pk]
    assert quotes[0]["origin"] == "gold"
    stances = client.get("/api/v1/stances/", {"layer": "gold"}).json()["results"]
    assert [s["id"] for s in stances] == [gold[1].pk]
    machine = client.get("/api/v1/quotes/", {"layer": "machine"}).json()["results"]
    assert [q["id"] for q in machine] == [world.machine_quote.pk]


def test_feed_layer_gold_in_every_format(world, people, gold):
    client = people.client("api_client")
    page = client.get("/api/v1/annotations/", {"layer": "gold"}).json()["results"]
    assert {(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in page} == {
        ("quote", gold[0].pk),
        ("stance", gold[1].pk),
    }
    lines = b"".join(
        client.get("/api/v1/annotations/", {"layer": "gold", "format": "jsonl"}).streaming_content
    ).splitlines()
    assert len(lines) == 2
    answer = client.get("/api/v1/annotations/", {"layer": "gold", "origin": "machine"})
    assert answer.status_code == 400
    assert "layer" in answer.json()


def test_export_layer_gold(world, gold):
    out = io.StringIO()
    call_command("export_articles", "--layer", "gold", stdout=out)
    (record,) = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [q["id"] for q in record["quotes"]] == [gold[0].pk]
    assert [s["id"] for s in record["stances"]] == [gold[1].pk]
