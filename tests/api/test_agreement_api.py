"""GET /api/v1/agreement/: who may read it, its figures, its CSV, and a query count that
does not grow with the number of articles."""

import csv
import io

import pytest
from django.core.management import call_command

from annotations.models import Quote, Stance
from newsdesk import roles
from tests.annotations.agreement_world import assign, cast, coded_article, lead_user
from tests.api.world import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreement/"


@pytest.fixture
def coded(people):
    """Two articles coded by analysts A and B (tests/annotations/agreement_world.py)."""
    a, b = people.users["analyst_a"], people.users["analyst_b"]
    people_cast = cast()
    return [coded_article(a, b, people_cast) for _ in range(2)]


def snapshot():
    return (Quote.objects.count(), Stance.objects.count())


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("analyst_a", 403),
        ("analyst_b", 403),
        ("api_client", 200),
        ("admin", 200),
    ],
)
def test_who_may_read_agreement(people, coded, role, status):
    before = snapshot()
    response = people.client(role).get(URL)
    assert response.status_code == status
    assert snapshot() == before
    if status == 200:
        assert response.json()["overall"]["units"] == 12


def test_a_lead_may_read_agreement(coded):
    response = token_client(lead_user()).get(URL, {"article": coded[0].pk})
    assert response.status_code == 200
    body = response.json()
    assert body["selected"] == 1
    assert body["compared"] == 1
    overall = body["overall"]
    assert (overall["units"], overall["agreed"], overall["disagreed"], overall["missing"]) == (
        6,
        2,
        4,
        2,
    )
    speaker = next(f for f in overall["fields"] if f["field"] == "speaker")
    assert speaker["kappa"] == pytest.approx(1 / 13)
    assert speaker["alpha"] == pytest.approx(2 / 23)
    assert {d["field"] for d in body["disagreements"]} == {"speaker", "unit", "polarity"}
    first = body["disagreements"][0]
    assert first["links"]["adjudicate"] == f"/adjudicate/{coded[0].pk}/"
    assert all(
        link.startswith(f"/articles/{coded[0].pk}/#") for link in first["links"]["reader"].values()
    )
    assert body["articles"][0]["links"]["reader"] == f"/articles/{coded[0].pk}/"


def test_an_analyst_who_leads_may_read_but_one_who_does_not_may_not(coded):
    plain = UserFactory(role=roles.ANALYST, password=None)
    assert token_client(plain).get(URL).status_code == 403
    assert token_client(lead_user(password=None)).get(URL).status_code == 200


def test_a_lead_does_not_see_the_articles_they_code_blind_until_done(coded):
    lead = lead_user(password=None)
    blind = assign(coded[0], lead, done=False)  # blind is the default mode
    client = token_client(lead)
    body = client.get(URL).json()
    assert [a["key"] for a in body["articles"]] == [coded[1].pk]
    assert {d["article"] for d in body["disagreements"]} == {coded[1].pk}
    blind.done_at = blind.created_at
    blind.save(update_fields=["done_at"])
    body = client.get(URL).json()
    assert {a["key"] for a in body["articles"]} == {coded[0].pk, coded[1].pk}
    # Admins code nothing blind: they always see everything.
    admin = UserFactory(role=roles.ADMIN, password=None)
    assign(coded[1], admin, done=False)
    assert token_client(admin).get(URL).json()["compared"] == 2


def test_bad_parameters_are_refused(people, coded):
    client = people.client("admin")
    assert client.get(URL, {"article": "1,x"}).status_code == 400
    assert client.get(URL, {"story": "0"}).status_code == 400
    assert client.get(URL, {"from": "yesterday"}).status_code == 400
    assert client.get(URL, {"open": "maybe"}).status_code == 400


def test_open_counts_unfinished_work_only_when_asked(people, coded):
    unfinished = UserFactory(role=roles.ANALYST, password=None)
    assign(coded[0], unfinished, done=False)
    client = people.client("admin")
    for value, coders in (("0", 2), ("false", 2), ("1", 3), ("true", 3)):
        body = client.get(URL, {"article": coded[0].pk, "open": value}).json()
        assert len(body["articles"][0]["coders"]) == coders, value


def test_csv_has_one_row_per_scope_and_field(people, coded):
    response = people.client("admin").get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # Scopes: overall, 2 stories, 1 pair, 2 articles; per scope 6 fields and 2 span rows.
    assert len(rows) == 6 * 8
    overall_speaker = next(r for r in rows if (r["scope"], r["field"]) == ("overall", "speaker"))
    assert (overall_speaker["units"], overall_speaker["agreed"]) == ("8", "2")
    assert {r["scope"] for r in rows} == {"overall", "story", "pair", "article"}
    spans = [r for r in rows if r["field"] == "span"]
    assert all(r["alpha_u"] for r in spans if r["kind"] == "quote")


@pytest.mark.parametrize("n", [2, 8])
def test_agreement_costs_the_same_queries_for_2_or_8_articles(people, django_assert_num_queries, n):
    a, b = people.users["analyst_a"], people.users["analyst_b"]
    people_cast = cast()
    for _ in range(n):
        coded_article(a, b, people_cast)
    client = people.client("admin")
    # 1 the token with its user and role, 2 the articles selected (story joined), 3 their
    # live finished assignments (analyst joined), 4 the analysts' quotes, 5 the machine
    # quotes they accepted (decisions joined), 6 the analysts' stances, 7 the machine
    # stances they accepted.
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert response.json()["compared"] == n
    with django_assert_num_queries(7):
        client.get(URL, {"format": "csv"})


def test_the_endpoint_is_in_the_openapi_schema(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text(encoding="utf-8")
    assert "/api/v1/agreement/:" in schema
    assert "Agreement between analysts" in schema
