"""Resolving the extractor's names to entities: the alias table decides, and analysts
own it, so their merges and renames win over what the machine would have made."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Entity, EntityAlias
from articles.services.entities import Actor, entities_resolve
from tests.factories import EntityAliasFactory, EntityFactory

pytestmark = pytest.mark.django_db


def resolve(name: str, *spellings: str, kind: str = "PERSON") -> int:
    return entities_resolve(actors=[Actor(name, kind, set(spellings))])[(name, kind)]


def test_a_new_actor_gets_one_entity_and_an_alias_per_spelling():
    first = resolve("Yury Ushakov", "Yury Ushakov", "Ushakov")
    assert Entity.objects.get(pk=first).name == "Yury Ushakov"
    aliases = set(EntityAlias.objects.filter(entity_id=first).values_list("normalised", flat=True))
    assert aliases == {"yury ushakov", "ushakov"}
    # Another spelling of the same person, by transliteration, finds the same entity.
    assert resolve("Yuri Ushakov", "Yuri Ushakov") == first
    assert Entity.objects.count() == 1


def test_an_analysts_rename_is_what_later_articles_follow():
    entity = EntityFactory(name="Vladimir Putin")
    EntityAliasFactory(entity=entity, alias="Vladimir Putin")
    entity.name = "Vladimir V. Putin"  # renamed by an analyst; the old spelling stays an alias
    entity.save()
    assert resolve("Vladimir Putin", "Putin", "Vladimir Putin") == entity.pk
    assert Entity.objects.count() == 1
    assert Entity.objects.get().name == "Vladimir V. Putin"


def test_an_analysts_merge_is_what_later_articles_follow():
    kept = EntityFactory(name="Recep Tayyip Erdoğan")
    EntityAliasFactory(entity=kept, alias="Recep Tayyip Erdoğan")
    machine_made = EntityFactory(name="Tayyip Erdogan")
    alias = EntityAliasFactory(entity=machine_made, alias="Tayyip Erdogan")
    # The merge moves the aliases to the entity that stays.
    EntityAlias.objects.filter(pk=alias.pk).update(entity=kept)
    machine_made.delete()
    assert resolve("Tayyip Erdogan", "Tayyip Erdogan", "Erdogan") == kept.pk
    assert Entity.objects.count() == 1


def test_an_alias_an_analyst_gave_another_actor_is_not_taken_back():
    # The analyst says "Wang" in this corpus is Wang Yi, not the machine's guess.
    wang_yi = EntityFactory(name="Wang Yi")
    EntityAliasFactory(entity=wang_yi, alias="Wang")
    assert resolve("Wang", "Wang") == wang_yi.pk
    assert EntityAlias.objects.get(normalised="wang").entity_id == wang_yi.pk


def test_short_single_names_are_not_folded_by_identity_key():
    li = resolve("Li", "Li")
    assert resolve("Ly", "Ly") != li


def test_resolving_many_actors_costs_the_same_queries_as_one():
    def actors(n: int, prefix: str) -> list[Actor]:
        return [Actor(f"{prefix} Person {i}", "PERSON", {f"{prefix} Person {i}"}) for i in range(n)]

    # The lock (an advisory lock on PostgreSQL), the alias lookup, the entity insert and
    # the alias insert, with the transaction's own statements: the same for 1 or 40.
    with CaptureQueriesContext(connection) as one:
        entities_resolve(actors=actors(1, "Alpha"))
    with CaptureQueriesContext(connection) as many:
        entities_resolve(actors=actors(40, "Beta"))
    assert len(many.captured_queries) == len(one.captured_queries) <= 8
    assert Entity.objects.count() == 41
