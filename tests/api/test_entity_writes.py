"""Analysts' writes on entities: add one (or find the one that already goes by the name),
rename it (the old spelling stays an alias), merge two. Who may, what each leaves in the
history and the deleted feed, and that a refusal changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from annotations.models import Deletion, Quote, Stance, Statement
from articles.models import Entity, EntityAlias, Mention
from articles.services.entities import Actor, entities_resolve
from tests.api.world import ROLES, People, World, snapshot, supporting_stance
from tests.factories import EntityAliasFactory, EntityFactory, MentionFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def everything() -> dict[str, Any]:
    """`snapshot()` and every entity, alias and their history."""
    return {
        **snapshot(),
        "entities": list(
            Entity.objects.order_by("pk").values_list("pk", "name", "kind", "updated_at")
        ),
        "aliases": list(
            EntityAlias.objects.order_by("pk").values_list("pk", "entity_id", "kind", "normalised")
        ),
        "statements": list(Statement.objects.order_by("pk").values_list("pk", "speaker_id")),
        "entity history": [(m.__name__, m.history.count()) for m in (Entity, EntityAlias)],
    }


def aliases_of(entity: Entity | int) -> set[str]:
    return set(EntityAlias.objects.filter(entity=entity).values_list("normalised", flat=True))


# --- who may -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    payload: Callable[[World], dict[str, Any]]
    allowed: int


CASES = [
    Case(
        "create entity",
        "post",
        lambda w: "/api/v1/entities/",
        lambda w: {"name": "Sergei Lavrov", "kind": "PERSON"},
        201,
    ),
    Case(
        "rename entity",
        "patch",
        lambda w: f"/api/v1/entities/{w.ushakov.pk}/",
        lambda w: {"name": "Yuri Ushakov"},
        200,
    ),
    Case(
        "merge entities",
        "post",
        lambda w: f"/api/v1/entities/{w.keller.pk}/merge/",
        lambda w: {"into": w.ushakov.pk},
        200,
    ),
]
# Analysts (either of them: an entity is no one's) and admins; the api-client reads only.
EXPECTED = {"analyst_a": None, "analyst_b": None, "admin": None, "api_client": 403,
            "anonymous": 401}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_entity_write_permissions(case: Case, role: str, world: World, people: People):
    before = everything()
    response = getattr(people.client(role), case.method)(
        case.url(world), case.payload(world), format="json"
    )
    expected = EXPECTED[role] or case.allowed
    assert response.status_code == expected, (case.name, role, response.content[:300])
    if expected >= 400:
        assert everything() == before, f"{case.name} as {role} changed the data"
    else:
        assert everything() != before


@pytest.mark.parametrize(
    ("method", "url"),
    [("put", "/api/v1/entities/{id}/"), ("delete", "/api/v1/entities/{id}/")],
)
def test_entities_are_not_replaced_or_deleted_outright(method, url, world, people):
    before = everything()
    response = getattr(people.client("admin"), method)(
        url.format(id=world.ushakov.pk), {"name": "x", "kind": "PERSON"}, format="json"
    )
    assert response.status_code == 405
    assert everything() == before


# --- create ------------------------------------------------------------------------------


def test_a_new_entity_gets_its_name_as_alias_and_history_in_the_analysts_name(world, people):
    analyst = people.users["analyst_b"]
    response = people.client("analyst_b").post(
        "/api/v1/entities/",
        {"name": "  Sergei   Lavrov ", "kind": "PERSON", "description": "Foreign minister."},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["kind"], body["description"], body["aliases"]) == (
        "Sergei Lavrov",
        "PERSON",
        "Foreign minister.",
        ["Sergei Lavrov"],
    )
    assert response["ETag"]
    entity = Entity.objects.get(pk=body["id"])
    alias = EntityAlias.objects.get(entity=entity)
    assert (alias.normalised, alias.kind) == ("sergei lavrov", "PERSON")
    assert [(h.history_type, h.history_user) for h in entity.history.all()] == [("+", analyst)]
    assert [(h.history_type, h.history_user) for h in alias.history.all()] == [("+", analyst)]
    # The extractor now finds the analyst's entity by that name.
    assert entities_resolve(actors=[Actor("Sergei Lavrov", "PERSON", {"Lavrov"})]) == {
        ("Sergei Lavrov", "PERSON"): entity.pk
    }


def test_a_name_already_taken_in_the_kind_answers_the_existing_entity(world, people):
    client = people.client("analyst_a")
    first = client.post(
        "/api/v1/entities/", {"name": "Sergei Lavrov", "kind": "PERSON"}, format="json"
    )
    assert first.status_code == 201
    before = everything()
    again = client.post(
        "/api/v1/entities/",
        {"name": "SERGEI  lavrov", "kind": "PERSON", "description": "ignored"},
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["description"] == ""
    assert everything() == before
    # Another kind is another identity.
    other = client.post(
        "/api/v1/entities/", {"name": "Sergei Lavrov", "kind": "ORG"}, format="json"
    )
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_an_alias_or_a_name_finds_the_existing_entity(world, people):
    EntityAliasFactory(entity=world.ushakov, alias="Yuri Ushakov")
    client = people.client("analyst_a")
    before = everything()
    by_alias = client.post(
        "/api/v1/entities/", {"name": "Yuri Ushakov", "kind": "PERSON"}, format="json"
    )
    # Keller has no alias at all (made by hand): her name still finds her.
    by_name = client.post(
        "/api/v1/entities/", {"name": "anna keller", "kind": "PERSON"}, format="json"
    )
    assert (by_alias.status_code, by_alias.json()["id"]) == (200, world.ushakov.pk)
    assert (by_name.status_code, by_name.json()["id"]) == (200, world.keller.pk)
    assert everything() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": " ", "kind": "PERSON"}, "name"),
        ({"name": "...", "kind": "PERSON"}, "name"),  # no letters: no alias to make
        ({"name": "x" * 301, "kind": "PERSON"}, "name"),
        ({"name": "Someone", "kind": "ROBOT"}, "kind"),
        ({"name": "Someone"}, "kind"),
        ({"name": 12, "kind": "PERSON"}, "name"),
    ],
)
def test_a_bad_entity_is_a_400_naming_the_field(payload, field, world, people):
    before = everything()
    response = people.client("analyst_a").post("/api/v1/entities/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert everything() == before


# --- rename ------------------------------------------------------------------------------


def test_a_rename_keeps_the_old_name_as_an_alias(world, people):
    EntityAliasFactory(entity=world.ushakov, alias="Yury Ushakov")
    client = people.client("analyst_b")
    url = f"/api/v1/entities/{world.ushakov.pk}/"
    response = client.patch(url, {"name": "Yuri V. Ushakov"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Yuri V. Ushakov"
    assert set(response.json()["aliases"]) == {"Yury Ushakov", "Yuri V. Ushakov"}
    assert aliases_of(world.ushakov) == {"yury ushakov", "yuri v. ushakov"}
    latest = Entity.history.filter(id=world.ushakov.pk).first()
    assert (latest.history_type, latest.name, latest.history_user) == (
        "~",
        "Yuri V. Ushakov",
        people.users["analyst_b"],
    )
    # Later articles that still say "Yury Ushakov" follow the analyst.
    found = entities_resolve(actors=[Actor("Yury Ushakov", "PERSON", {"Yury Ushakov"})])
    assert found == {("Yury Ushakov", "PERSON"): world.ushakov.pk}


def test_a_rename_of_an_entity_without_aliases_records_both_names(world, people):
    response = people.client("analyst_a").patch(
        f"/api/v1/entities/{world.keller.pk}/", {"name": "Anna-Maria Keller"}, format="json"
    )
    assert response.status_code == 200
    assert aliases_of(world.keller) == {"anna keller", "anna-maria keller"}
    assert EntityAlias.history.filter(entity_id=world.keller.pk, history_type="+").count() == 2


def test_a_rename_to_a_name_another_entity_goes_by_is_refused(world, people):
    EntityAliasFactory(entity=world.keller, alias="Anna Keller")
    before = everything()
    response = people.client("analyst_a").patch(
        f"/api/v1/entities/{world.ushakov.pk}/", {"name": "anna keller"}, format="json"
    )
    assert response.status_code == 400
    assert "merge the two entities instead" in response.json()["name"][0]
    assert everything() == before


def test_a_change_of_kind_takes_the_aliases_along(world, people):
    alias = EntityAliasFactory(entity=world.keller, alias="Anna Keller")
    response = people.client("analyst_a").patch(
        f"/api/v1/entities/{world.keller.pk}/",
        {"kind": "ORG", "description": "A think tank after all."},
        format="json",
    )
    assert response.status_code == 200, response.content
    alias.refresh_from_db()
    assert alias.kind == "ORG"
    assert (alias.history.first().history_type, alias.history.first().history_user) == (
        "~",
        people.users["analyst_a"],
    )
    # Another entity of the old kind may now take the spelling; one of the new may not.
    taken = EntityFactory(name="Keller Institute", kind="PERSON")
    EntityAliasFactory(entity=taken, alias="Keller Institute")
    other = EntityFactory(name="Keller Institute", kind="ORG")
    EntityAliasFactory(entity=other, alias="Keller Institute")
    before = everything()
    refused = people.client("analyst_a").patch(
        f"/api/v1/entities/{other.pk}/", {"kind": "PERSON"}, format="json"
    )
    assert refused.status_code == 400
    assert "kind" in refused.json()
    assert everything() == before


def test_a_stale_entity_write_is_412_and_changes_nothing(world, people):
    client = people.client("analyst_a")
    url = f"/api/v1/entities/{world.ushakov.pk}/"
    etag = client.get(url)["ETag"]
    fresh = client.patch(url, {"description": "Aide."}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    before = everything()
    stale = client.patch(url, {"description": "Adviser."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert everything() == before


def test_renaming_an_entity_shows_in_the_annotations_that_name_it(world, people):
    # The feed's triggers bump the annotations that show the entity (annotations.w3c_sql).
    before = Quote.objects.get(pk=world.machine_quote.pk).updated_at
    people.client("analyst_a").patch(
        f"/api/v1/entities/{world.ushakov.pk}/", {"name": "Yuri Ushakov"}, format="json"
    )
    assert Quote.objects.get(pk=world.machine_quote.pk).updated_at > before
    feed = people.client("analyst_a").get(
        f"/api/v1/annotations/?type=quote&article={world.article.pk}"
    )
    speakers = {a["newsdesk"]["id"]: a["newsdesk"].get("speaker") for a in feed.json()["results"]}
    assert speakers[world.machine_quote.pk] == {"id": world.ushakov.pk, "name": "Yuri Ushakov"}


# --- merge -------------------------------------------------------------------------------


@pytest.fixture
def duplicate(world: World, people: People) -> dict[str, Any]:
    """A second entity for Ushakov, as the machine might make it ("Ushakov", an ORG by
    mistake), named by a mention, a quote, a stance (as holder and as target), a
    statement and aliases; one alias and one mention the real Ushakov has too."""
    EntityAliasFactory(entity=world.ushakov, alias="Yury Ushakov")
    EntityAliasFactory(entity=world.ushakov, alias="Ushakov")
    twin = EntityFactory(name="Yuri Ushakov", kind="ORG")
    alias_twin = EntityAliasFactory(entity=twin, alias="Yuri Ushakov")
    alias_shared = EntityAliasFactory(entity=twin, alias="Ushakov")  # PERSON has it too
    # The same place as the real Ushakov's machine mention, and one of its own.
    same_place = MentionFactory(article=world.article, text="Yury Ushakov", entity=twin)
    own_mention = MentionFactory(article=world.article, text="Ushakov said", entity=twin)
    quote = QuoteFactory(article=world.article, text="Ushakov said", speaker=twin, cue="said")
    held = supporting_stance(world, people.users["analyst_a"])
    Stance.objects.filter(pk=held.pk).update(holder=twin)
    received = supporting_stance(world, people.users["analyst_b"])
    Stance.objects.filter(pk=received.pk).update(target_entity=twin)
    statement = world.statement
    Statement.objects.filter(pk=statement.pk).update(speaker=twin)
    return {
        "twin": twin,
        "alias_twin": alias_twin,
        "alias_shared": alias_shared,
        "same_place": same_place,
        "own_mention": own_mention,
        "quote": quote,
        "held": held,
        "received": received,
        "statement": statement,
    }


def test_a_merge_moves_everything_to_the_survivor(world, people, duplicate):
    twin, survivor = duplicate["twin"], world.ushakov
    response = people.client("analyst_b").post(
        f"/api/v1/entities/{twin.pk}/merge/", {"into": survivor.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == survivor.pk
    assert response["ETag"]
    assert not Entity.objects.filter(pk=twin.pk).exists()

    own = Mention.objects.get(pk=duplicate["own_mention"].pk)
    assert own.entity_id == survivor.pk
    # The twin's mention where Ushakov was already mentioned is dropped, not doubled.
    assert not Mention.objects.filter(pk=duplicate["same_place"].pk).exists()
    assert Mention.objects.filter(article=world.article, exact="Yury Ushakov").count() == 1
    assert Quote.objects.get(pk=duplicate["quote"].pk).speaker_id == survivor.pk
    assert Stance.objects.get(pk=duplicate["held"].pk).holder_id == survivor.pk
    assert Stance.objects.get(pk=duplicate["received"].pk).target_entity_id == survivor.pk
    assert Statement.objects.get(pk=duplicate["statement"].pk).speaker_id == survivor.pk

    # Aliases: the twin's own moves (and takes the survivor's kind), the shared one is
    # dropped, and its name is already among them.
    moved = EntityAlias.objects.get(pk=duplicate["alias_twin"].pk)
    assert (moved.entity_id, moved.kind) == (survivor.pk, "PERSON")
    assert not EntityAlias.objects.filter(pk=duplicate["alias_shared"].pk).exists()
    assert aliases_of(survivor) == {"yury ushakov", "ushakov", "yuri ushakov"}
    assert EntityAlias.objects.filter(normalised="ushakov").count() == 1


def test_a_merge_leaves_history_in_the_analysts_name_and_a_tombstone(world, people, duplicate):
    twin, survivor = duplicate["twin"], world.ushakov
    analyst = people.users["analyst_b"]
    people.client("analyst_b").post(
        f"/api/v1/entities/{twin.pk}/merge/", {"into": survivor.pk}, format="json"
    )
    for model, row, field in [
        (Mention, duplicate["own_mention"], "entity_id"),
        (Quote, duplicate["quote"], "speaker_id"),
        (Stance, duplicate["held"], "holder_id"),
        (Stance, duplicate["received"], "target_entity_id"),
        (Statement, duplicate["statement"], "speaker_id"),
        (EntityAlias, duplicate["alias_twin"], "entity_id"),
    ]:
        latest = model.history.filter(id=row.pk).first()
        assert (latest.history_type, latest.history_user) == ("~", analyst), model
        assert getattr(latest, field) == survivor.pk, model
    for model, row in [
        (Mention, duplicate["same_place"]),
        (EntityAlias, duplicate["alias_shared"]),
        (Entity, twin),
    ]:
        latest = model.history.filter(id=row.pk).first()
        assert (latest.history_type, latest.history_user) == ("-", analyst), model
    assert Entity.history.filter(id=survivor.pk).first().history_user == analyst

    assert Deletion.objects.filter(kind="entity", object_id=twin.pk).count() == 1
    assert Deletion.objects.filter(kind="mention", object_id=duplicate["same_place"].pk).exists()
    feed = people.client("api_client").get("/api/v1/deleted/?kind=entity").json()["results"]
    assert [d["object_id"] for d in feed] == [twin.pk]


def test_a_merge_shows_in_the_annotation_feed(world, people, duplicate):
    people.client("analyst_a").post(
        f"/api/v1/entities/{duplicate['twin'].pk}/merge/",
        {"into": world.ushakov.pk},
        format="json",
    )
    feed = people.client("analyst_a").get(f"/api/v1/annotations/?article={world.article.pk}")
    records = {
        (a["newsdesk"]["type"], a["newsdesk"]["id"]): a["newsdesk"] for a in feed.json()["results"]
    }
    ushakov = {"id": world.ushakov.pk, "name": "Yury Ushakov"}
    assert records[("mention", duplicate["own_mention"].pk)]["entity"] == ushakov
    assert records[("quote", duplicate["quote"].pk)]["speaker"] == ushakov
    assert records[("stance", duplicate["held"].pk)]["holder"] == ushakov
    assert records[("stance", duplicate["received"].pk)]["target"] == ushakov


def test_the_merged_entitys_name_becomes_an_alias_of_the_survivor(world, people):
    twin = EntityFactory(name="Ushakov, Yury", kind="PERSON")  # no aliases of its own
    response = people.client("analyst_a").post(
        f"/api/v1/entities/{twin.pk}/merge/", {"into": world.keller.pk}, format="json"
    )
    assert response.status_code == 200
    assert "Ushakov, Yury" in response.json()["aliases"]
    alias = EntityAlias.objects.get(entity=world.keller)
    assert alias.history.get().history_user == people.users["analyst_a"]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (lambda w: {"into": w.ushakov.pk}, "into", "cannot be merged into itself"),
        (lambda w: {}, "into", "required"),
        (lambda w: {"into": 999_999}, "into", "There is no entity 999999"),
        (lambda w: {"into": "2"}, "into", "integer"),
    ],
)
def test_a_bad_merge_is_a_400_and_changes_nothing(payload, field, message, world, people):
    before = everything()
    response = people.client("admin").post(
        f"/api/v1/entities/{world.ushakov.pk}/merge/", payload(world), format="json"
    )
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert everything() == before


def test_merging_an_entity_that_does_not_exist_is_404(world, people):
    before = everything()
    response = people.client("analyst_a").post(
        "/api/v1/entities/999999/merge/", {"into": world.ushakov.pk}, format="json"
    )
    assert response.status_code == 404
    assert everything() == before


def test_merge_is_one_service_exported_with_its_signature(world, people):
    from articles import services

    kept = services.entity_merge(
        user=people.users["admin"], entity_id=world.keller.pk, into_id=world.ushakov.pk
    )
    assert kept == world.ushakov
    assert Stance.objects.get(pk=world.own_stance.pk).holder_id == world.ushakov.pk
