"""The machine's stance suggestions through the API: reviewed like suggested quotes
(accept, reject, correct), listed by origin and status. Every refusal changes nothing."""

import pytest

from annotations.models import Stance
from articles.models import Origin, ReviewStatus
from tests.api.world import ROLES, People, World, snapshot
from tests.factories import StanceFactory, polarity

pytestmark = pytest.mark.django_db

# Any analyst (or admin) reviews or corrects a suggestion; only an admin deletes one.
REVIEW = {"anonymous": 401, "analyst_a": 200, "analyst_b": 200, "api_client": 403, "admin": 200}
DELETE = {"anonymous": 401, "analyst_a": 403, "analyst_b": 403, "api_client": 403, "admin": 204}


@pytest.fixture
def suggestion(world: World) -> Stance:
    return StanceFactory(
        article=world.article,
        text="welcomed the talks",
        holder=world.keller,
        target_entity=world.ushakov,
        target_text="",
        polarity=polarity("support"),
        origin=Origin.MACHINE,
        status=ReviewStatus.SUGGESTED,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "action", "payload", "expected", "status"),
    [
        ("post", "accept/", None, REVIEW, ReviewStatus.CONFIRMED),
        ("post", "reject/", None, REVIEW, ReviewStatus.REJECTED),
        ("patch", "", {"polarity": "mixed"}, REVIEW, ReviewStatus.CONFIRMED),
        ("delete", "", None, DELETE, None),
    ],
    ids=["accept", "reject", "correct", "delete"],
)
def test_stance_suggestion_review_matrix(
    role, method, action, payload, expected, status, suggestion, people: People
):
    before = snapshot()
    client = people.client(role)
    url = f"/api/v1/stances/{suggestion.pk}/{action}"
    response = getattr(client, method)(url, payload, format="json")
    assert response.status_code == expected[role], response.content[:300]
    if response.status_code >= 400:
        assert snapshot() == before
        return
    if method == "delete":
        assert not Stance.objects.filter(pk=suggestion.pk).exists()
        return
    body = response.json()
    assert (body["status"], body["origin"]) == (status, "machine")
    assert body["reviewed_by"] == people.users[role].username
    assert response["ETag"]
    suggestion.refresh_from_db()
    assert suggestion.status == status


def test_a_stale_review_is_refused_and_changes_nothing(suggestion, people):
    client = people.client("analyst_b")
    before = snapshot()
    response = client.post(
        f"/api/v1/stances/{suggestion.pk}/accept/", HTTP_IF_MATCH='"stale"', format="json"
    )
    assert response.status_code == 412
    assert snapshot() == before


def test_stances_are_listed_by_origin_and_status(world, suggestion, people):
    client = people.client("api_client")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/stances/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("origin=machine") == [suggestion.pk]
    assert ids("status=suggested") == [suggestion.pk]
    assert ids("origin=analyst") == [world.own_stance.pk]
    assert ids("status=confirmed") == [world.own_stance.pk]
    row = client.get(f"/api/v1/stances/{suggestion.pk}/").json()
    assert {key: row[key] for key in ("origin", "status", "reviewed_by", "reviewed_at")} == {
        "origin": "machine",
        "status": "suggested",
        "reviewed_by": None,
        "reviewed_at": None,
    }
    assert client.get("/api/v1/stances/?status=pending").status_code == 400


def test_the_feed_shows_a_stance_suggestions_review_status(world, suggestion, people):
    client = people.client("api_client")
    response = client.get(f"/api/v1/annotations/stance-{suggestion.pk}/")
    assert response.status_code == 200
    document = response.json()
    assert document["newsdesk"]["status"] == "suggested"
    assert document["newsdesk"]["origin"] == "machine"
    people.client("analyst_a").post(f"/api/v1/stances/{suggestion.pk}/reject/")
    document = client.get(f"/api/v1/annotations/stance-{suggestion.pk}/").json()
    assert document["newsdesk"]["status"] == "rejected"
