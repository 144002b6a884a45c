"""Correcting a mention the machine suggested: another entity, another span (offsets or
the text with its context), or both. Any analyst may; the corrected mention is confirmed
in their name. Every refusal leaves the data as it was."""

import pytest

from articles.models import Mention
from tests.api.world import BODY, ROLES, People, World, snapshot, span
from tests.factories import MentionFactory

pytestmark = pytest.mark.django_db

# Any analyst (a suggestion is no one's) and admins; the api-client reads only.
EXPECTED = {"anonymous": 401, "analyst_a": 200, "analyst_b": 200, "api_client": 403,
            "admin": 200}  # fmt: skip


def url(mention: Mention) -> str:
    return f"/api/v1/mentions/{mention.pk}/"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "payload",
    [
        lambda w: {"entity": w.keller.pk},
        lambda w: span(w.article, "Ushakov"),
        lambda w: {"exact": "Yury Ushakov", "prefix": "aide ", "entity": w.ushakov.pk},
    ],
    ids=["entity", "offsets", "selector"],
)
def test_mention_correction_permissions(payload, role, world: World, people: People):
    before = snapshot()
    response = people.client(role).patch(url(world.machine_mention), payload(world), format="json")
    assert response.status_code == EXPECTED[role], (role, response.content[:300])
    if EXPECTED[role] >= 400:
        assert snapshot() == before
    else:
        assert snapshot() != before


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_mentions_are_not_created_replaced_or_deleted_here(method, world, people):
    before = snapshot()
    target = "/api/v1/mentions/" if method == "post" else url(world.machine_mention)
    payload = {
        "article": world.article.pk,
        "entity": world.keller.pk,
        **span(world.article, "Moscow"),
    }
    response = getattr(people.client("admin"), method)(target, payload, format="json")
    assert response.status_code == 405
    assert snapshot() == before


def test_a_corrected_entity_confirms_the_mention_in_the_correctors_name(world, people):
    analyst = people.users["analyst_b"]
    response = people.client("analyst_b").patch(
        url(world.machine_mention), {"entity": world.keller.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["entity"], body["status"], body["origin"]) == (
        {"id": world.keller.pk, "name": "Anna Keller"},
        "confirmed",
        "machine",
    )
    assert response["ETag"]
    mention = Mention.objects.get(pk=world.machine_mention.pk)
    assert (mention.reviewed_by, mention.exact) == (analyst, "Yury Ushakov")
    assert mention.reviewed_at is not None
    latest = mention.history.first()
    assert (latest.history_type, latest.history_user, latest.entity_id) == (
        "~",
        analyst,
        world.keller.pk,
    )


def test_a_span_is_corrected_by_offsets_or_by_its_text(world, people):
    client = people.client("analyst_a")
    narrowed = client.patch(
        url(world.machine_mention), span(world.article, "Ushakov"), format="json"
    )
    assert narrowed.status_code == 200, narrowed.content
    assert (narrowed.json()["start"], narrowed.json()["exact"]) == (
        BODY.index("Ushakov"),
        "Ushakov",
    )
    # "Ushakov" twice: the second, by what follows it.
    moved = client.patch(
        url(world.machine_mention), {"exact": "Ushakov", "suffix": " said."}, format="json"
    )
    assert moved.status_code == 200, moved.content
    mention = Mention.objects.get(pk=world.machine_mention.pk)
    assert mention.start == BODY.index("Ushakov said.")
    assert mention.prefix == BODY[mention.start - 32 : mention.start]
    assert mention.status == "confirmed"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"exact": "Ushakov"}, "exact"),  # twice, and nothing says which
        ({"exact": "Vladimir Putin"}, "exact"),
        ({"start": 0, "end": 7, "exact": "Kremlim"}, "exact"),
        ({"start": 0, "exact": "Kremlin"}, "end"),
        ({"end": 100_000, "start": 0, "exact": "Kremlin"}, "end"),
        ({"prefix": "aide "}, "exact"),
        ({"entity": 999_999}, "entity"),
        ({"entity": None}, "entity"),
        ({"entity": "12"}, "entity"),
    ],
)
def test_a_bad_correction_is_a_400_naming_the_field(payload, field, world, people):
    before = snapshot()
    response = people.client("analyst_a").patch(url(world.machine_mention), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_a_correction_that_repeats_another_mention_is_refused(world, people):
    MentionFactory(article=world.article, text="Anna Keller", entity=world.keller)
    before = snapshot()
    response = people.client("analyst_a").patch(
        url(world.machine_mention),
        {"entity": world.keller.pk, **span(world.article, "Anna Keller")},
        format="json",
    )
    assert response.status_code == 400
    assert "already has a mention of this entity" in response.json()["entity"][0]
    assert snapshot() == before


def test_a_stale_correction_is_412_and_changes_nothing(world, people):
    client = people.client("analyst_a")
    etag = client.get(url(world.machine_mention))["ETag"]
    accepted = client.post(f"{url(world.machine_mention)}accept/", HTTP_IF_MATCH=etag)
    assert accepted.status_code == 200
    before = snapshot()
    stale = client.patch(
        url(world.machine_mention), {"entity": world.keller.pk}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    assert snapshot() == before
    fresh = client.patch(
        url(world.machine_mention),
        {"entity": world.keller.pk},
        format="json",
        HTTP_IF_MATCH=accepted["ETag"],
    )
    assert fresh.status_code == 200


def test_correcting_a_mention_that_does_not_exist_is_404(world, people):
    before = snapshot()
    response = people.client("analyst_a").patch(
        "/api/v1/mentions/999999/", {"entity": world.keller.pk}, format="json"
    )
    assert response.status_code == 404
    assert snapshot() == before
