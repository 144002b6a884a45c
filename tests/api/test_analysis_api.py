"""/api/v1/analysis/: who may read it, its formats, its refusals, its schema and its cost.

The five endpoints (stance matrix, network, events, timeline, sources) are read-only
figures over the selection: every role reads them, anonymous callers get 401, a bad
parameter is a 400 naming it, a write method is a 405 that changes nothing, and every
endpoint costs the same few queries for a handful of stances or for hundreds.
"""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Stance
from tests.api.world import ROLES, People, World, snapshot, supporting_stance, token_client
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analysis"
ENDPOINTS = ("stance-matrix", "network", "events", "timeline", "sources")
# Each endpoint's formats and their Content-Type; the first is the default.
FORMATS = {
    "stance-matrix": {"json": "application/json", "csv": "text/csv; charset=utf-8"},
    "network": {
        "json": "application/json",
        "graphml": "application/graphml+xml; charset=utf-8",
        "gexf": "application/gexf+xml; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
    },
    "events": {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"},
    "timeline": {"json": "application/json", "csv": "text/csv; charset=utf-8"},
    "sources": {"json": "application/json", "csv": "text/csv; charset=utf-8"},
}
READERS = {"anonymous": 401, "analyst_a": 200, "analyst_b": 200, "api_client": 200, "admin": 200}


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def errors_of(response) -> dict:
    """The refusal's body: JSON, or the one CSV row a CSV endpoint answers it in."""
    text = body_of(response).decode()
    if response["Content-Type"].startswith("text/csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 1, text
        return rows[0]
    return json.loads(text.splitlines()[0])


@pytest.fixture
def scene(world: World, people: People) -> World:
    """The API world, and a stance with an entity target (Keller supports Ushakov), so
    that every figure has an entity on both ends."""
    supporting_stance(world, people.users["analyst_a"])
    return world


# --- who may read -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_permission_matrix(endpoint, role, scene, people):
    before = snapshot()
    response = people.client(role).get(f"{BASE}/{endpoint}/")
    body_of(response)
    assert response.status_code == READERS[role], (endpoint, role, body_of(response)[:300])
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_user_without_a_role_reads_no_figures(endpoint, scene):
    client = token_client(UserFactory(username="nobody", password=None))
    response = client.get(f"{BASE}/{endpoint}/")
    body_of(response)
    assert response.status_code == 403
    assert "no role" in json.loads(body_of(response))["detail"]


# --- formats ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "fmt"),
    [(endpoint, fmt) for endpoint, formats in FORMATS.items() for fmt in formats],
)
def test_every_format_answers_with_its_content_type(endpoint, fmt, scene, people):
    client = people.client("api_client")
    response = client.get(f"{BASE}/{endpoint}/", {"format": fmt})
    content = body_of(response)
    assert response.status_code == 200, content[:300]
    assert response["Content-Type"] == FORMATS[endpoint][fmt]
    assert content
    if fmt == "json":
        assert isinstance(json.loads(content), dict)
    elif fmt == "jsonl":
        assert all(json.loads(line) for line in content.decode().splitlines())
    elif fmt == "csv":
        assert next(csv.reader(io.StringIO(content.decode())))
    else:
        assert content.startswith(b"<?xml")
    if fmt not in ("json",):
        assert response["Content-Disposition"].startswith('attachment; filename="')


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_default_format_is_the_first_offered(endpoint, scene, people):
    response = people.client("api_client").get(f"{BASE}/{endpoint}/")
    body_of(response)
    assert response.status_code == 200
    assert response["Content-Type"] == next(iter(FORMATS[endpoint].values()))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unknown_format_is_a_404_as_elsewhere_in_the_api(endpoint, scene, people):
    client = people.client("api_client")
    elsewhere = client.get("/api/v1/quotes/", {"format": "xml"}).status_code
    assert elsewhere == 404
    for fmt in ("xml", "yaml", *({"json", "jsonl", "jsonld"} - set(FORMATS[endpoint]))):
        response = client.get(f"{BASE}/{endpoint}/", {"format": fmt})
        assert response.status_code == elsewhere, (endpoint, fmt)


# --- refusals ---------------------------------------------------------------------------


BAD = [
    ("stance-matrix", {"holders": "0"}, "holders"),
    ("stance-matrix", {"targets": "201"}, "targets"),
    ("stance-matrix", {"sort": "random"}, "sort"),
    ("stance-matrix", {"layer": "everything"}, "layer"),
    ("stance-matrix", {"from": "2026-05-01", "to": "2026-04-01"}, "to"),
    ("network", {"mode": "one-mode"}, "mode"),
    ("network", {"normalization": "jaccard"}, "normalization"),
    ("network", {"mode": "conflict", "normalization": "prominence"}, "normalization"),
    ("network", {"limit": "1001"}, "limit"),
    ("network", {"outlet": "x"}, "outlet"),
    ("events", {"side": "both"}, "side"),
    ("events", {"holder": "t:sanctions"}, "holder"),
    ("events", {"target": "12"}, "target"),
    ("events", {"actors": "e1,e2,e3"}, "actors"),
    ("events", {"relation": "conflict"}, "relation"),
    ("events", {"layer": "analyst"}, "analyst"),
    ("timeline", {"interval": "year"}, "interval"),
    ("timeline", {"actor": "0"}, "actor"),
    ("timeline", {"actor": "abc"}, "actor"),
    ("timeline", {"from": "2026-02-30"}, "from"),
    ("timeline", {"story": str(2**63)}, "story"),
    ("sources", {"limit": "201"}, "limit"),
    ("sources", {"limit": "-1"}, "limit"),
    ("sources", {"status": "finished"}, "status"),
    ("sources", {"analyst": "3"}, "analyst"),
    ("sources", {"q": "x" * 301}, "q"),
]


@pytest.mark.parametrize(("endpoint", "params", "field"), BAD)
def test_a_bad_parameter_is_a_400_naming_it(endpoint, params, field, scene, people):
    before = snapshot()
    response = people.client("analyst_b").get(f"{BASE}/{endpoint}/", params)
    assert response.status_code == 400, body_of(response)[:300]
    assert field in errors_of(response)
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_events_refusal_is_in_the_asked_format(fmt, scene, people):
    response = people.client("api_client").get(f"{BASE}/events/", {"side": "x", "format": fmt})
    assert response.status_code == 400
    assert "side" in errors_of(response)


@pytest.mark.parametrize(("fmt", "header"), [("csv", "statement,"), ("jsonl", "")])
def test_a_tie_of_actors_with_no_shared_target_is_an_empty_event_list(fmt, header, scene, people):
    # Schemathesis found it: Django knows such a selection is empty and compiles no SQL
    # for it, which the COPY of the stream took for a server error (500).
    response = people.client("api_client").get(
        f"{BASE}/events/",
        {"actors": "e999999998,e999999999", "relation": "conflict", "format": fmt},
    )
    assert response.status_code == 200
    body = body_of(response).decode()
    assert body.startswith(header)
    assert body.count("\n") == (1 if header else 0), body


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_empty_parameter_is_a_400_as_elsewhere_in_the_api(endpoint, scene, people):
    client = people.client("api_client")
    elsewhere = client.get("/api/v1/quotes/", {"updated_since": ""})
    assert elsewhere.status_code == 400
    response = client.get(f"{BASE}/{endpoint}/", {"to": ""})
    assert response.status_code == 400
    assert "to" in errors_of(response)


# --- read-only --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_write_methods_are_405_and_change_nothing(endpoint, method, scene, people):
    stance = Stance.objects.order_by("pk").first()
    before = (Stance.objects.count(), stance.updated_at, snapshot())
    for role in ("analyst_a", "admin"):
        response = getattr(people.client(role), method)(
            f"{BASE}/{endpoint}/", {"holder": stance.holder_id}, format="json"
        )
        assert response.status_code == 405, (role, body_of(response)[:300])
    stance.refresh_from_db()
    assert (Stance.objects.count(), stance.updated_at, snapshot()) == before


# --- the OpenAPI schema -----------------------------------------------------------------


SELECTION = {"q", "outlet", "entity", "speaker", "story", "batch", "status", "from", "to"}
OWN = {
    "stance-matrix": {"holders", "targets", "sort"},
    "network": {"mode", "normalization", "limit"},
    "events": {"holder", "target", "side", "actors", "relation"},
    "timeline": {"actor", "interval"},
    "sources": {"limit"},
}
ENUMS = {
    "stance-matrix": {"sort": {"total", "net", "support", "oppose", "name"}},
    "network": {
        "mode": {"two-mode", "congruence", "conflict"},
        "normalization": {"no", "average", "jaccard", "cosine", "activity", "prominence"},
    },
    "events": {"side": {"support", "oppose", "other"}, "relation": {"congruence", "conflict"}},
    "timeline": {"interval": {"day", "week", "month"}},
    "sources": {},
}


def test_the_schema_lists_the_five_paths_with_their_parameters(scene, people):
    response = people.client("api_client").get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for endpoint in ENDPOINTS:
        operations = paths[f"{BASE}/{endpoint}/"]
        assert set(operations) - {"parameters"} == {"get"}, endpoint
        operation = operations["get"]
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        expected = SELECTION | {"layer", "analyst", "format"} | OWN[endpoint]
        assert set(parameters) == expected, endpoint
        assert set(parameters["layer"]["schema"]["enum"]) == {
            "all", "suggestions", "confirmed", "analyst", "gold",
        }  # fmt: skip
        # An empty ?format= is the default format.
        formats = set(FORMATS[endpoint]) | {""}
        assert set(parameters["format"]["schema"]["enum"]) == formats, endpoint
        for name, values in ENUMS[endpoint].items():
            assert set(parameters[name]["schema"]["enum"]) == values, (endpoint, name)
        for name in ("outlet", "story", "analyst"):
            assert parameters[name]["schema"]["type"] == "integer"
        assert parameters["from"]["schema"]["format"] == "date"
        content = operation["responses"]["200"]["content"]
        assert set(content) == {t.split(";")[0] for t in FORMATS[endpoint].values()}, endpoint
        assert {"400", "401"} <= set(operation["responses"])


# --- cost -------------------------------------------------------------------------------


AUTH = 1  # the token joined with its user and the user's role (newsdesk.authentication)
# Queries after AUTH, whatever the number of stances, actors, articles and outlets.
COST = {
    # one scan of the selection (totals, top holders, top targets, cells); their names
    ("stance-matrix", "json"): 2,
    ("stance-matrix", "csv"): 2,
    # one scan (the top holders, one more than drawn, and their tallies); the holders'
    # names; the drawn targets' names
    ("network", "json"): 3,
    ("network", "graphml"): 3,
    # one scan; the holders' names (targets need no names one-mode)
    ("network-congruence", "json"): 2,
    # the statements go out through PostgreSQL's COPY on the raw cursor, which Django's
    # query log does not see: nothing else is read
    ("events", "csv"): 0,
    ("events", "jsonl"): 0,
    # the actor exists; their quotes per period; their stances per period and side
    ("timeline", "json"): 3,
    ("timeline", "csv"): 3,
    # articles per outlet and period
    ("timeline-coverage", "json"): 1,
    # quotes per speaker and outlet; the top speakers' names; their outlets' names
    ("sources", "json"): 3,
    ("sources", "csv"): 3,
}


def grow(world: World, people: People, n: int) -> None:
    """n more articles in new outlets and stories, each with new actors quoted, and their
    stances on entities and topics, on each side, by the machine, analysts and gold."""
    author = people.users["analyst_b"]
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    slugs = ["support", "oppose", "neutral", "mixed"]
    for i in range(n):
        article = ArticleFactory(
            body=world.article.body,
            content_hash=f"{i:064d}",
            outlet=OutletFactory(name=f"Outlet grown {i}"),
            story=StoryFactory(),
            published_at=start + timedelta(days=3 * i),
        )
        actor = EntityFactory(name=f"Actor {i}")
        QuoteFactory(article=article, text="A joint statement", speaker=actor, origin="machine")
        QuoteFactory(
            article=article,
            text="her government welcomed the talks",
            speaker=world.keller,
            origin="analyst",
            status="confirmed",
            created_by=author,
        )
        for holder, target in ((actor, world.keller), (world.keller, actor), (actor, None)):
            StanceFactory(
                article=article,
                text="opposed any new sanctions",
                holder=holder,
                target_entity=target,
                target_text="" if target else f"topic {i % 7}",
                polarity=polarity(slugs[(i + (target is None)) % 4]),
                origin=["machine", "analyst", "gold"][i % 3],
                status="suggested" if i % 3 == 0 else "confirmed",
                created_by=author if i % 3 == 1 else None,
            )


URLS = {
    "stance-matrix": f"{BASE}/stance-matrix/",
    "network": f"{BASE}/network/",
    "network-congruence": f"{BASE}/network/?mode=congruence",
    "events": f"{BASE}/events/",
    "timeline": f"{BASE}/timeline/?interval=week&actor={{keller}}",
    "timeline-coverage": f"{BASE}/timeline/?interval=month",
    "sources": f"{BASE}/sources/",
}


def cost(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        content = body_of(response)  # a streamed export reads its rows here
    assert response.status_code == 200, content[:300]
    return len(queries)


@pytest.mark.parametrize(("endpoint", "fmt"), sorted(COST))
def test_an_endpoint_costs_the_same_queries_for_few_stances_or_many(endpoint, fmt, scene, people):
    client = people.client("analyst_b")  # an analyst: the blind rule is part of the cost
    url = URLS[endpoint].format(keller=scene.keller.pk)
    url += ("&" if "?" in url else "?") + f"format={fmt}"
    few = cost(client, url)
    grow(scene, people, 40)
    many = cost(client, url)
    assert many == few == AUTH + COST[(endpoint, fmt)]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_last_day_of_the_calendar_is_no_server_error(endpoint, scene, people):
    client = people.client("api_client")
    client.raise_request_exception = False
    response = client.get(f"{BASE}/{endpoint}/", {"to": "9999-12-31"})
    body_of(response)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "to" in errors_of(response)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_options_describes_an_endpoint(endpoint, scene, people):
    # A view's `options` attribute would shadow DRF's OPTIONS handler (a 500 once).
    response = people.client("api_client").options(f"{BASE}/{endpoint}/")
    assert response.status_code == 200
    assert "text/csv" in response.content.decode()  # every endpoint renders CSV
