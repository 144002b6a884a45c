"""One Entity per real actor: the extractor's names resolved against the alias table.

The alias table is the memory of who is who, and analysts own it: a merge moves aliases
to the surviving entity, a rename keeps the old spelling as an alias, so every later
article follows the analysts. The machine only adds what is missing: new actors, and new
spellings of known ones.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from articles.models import Entity, EntityAlias
from articles.names import identity_key, normalise_alias
from articles.services.locks import serialised

# Identity keys fold spellings together; on short single names ("Li", "Ly") that folds
# different people, so keys are trusted only from this many characters on.
MIN_KEY_CHARS = 6


@dataclass(slots=True)
class Actor:
    """An actor as the extractor names it: canonical name, kind and every spelling."""

    name: str
    kind: str
    spellings: set[str] = field(default_factory=set)


def _key_is_safe(normalised: str) -> bool:
    return " " in normalised or len(normalised) >= MIN_KEY_CHARS


def entities_resolve(*, actors: Iterable[Actor]) -> dict[tuple[str, str], int]:
    """Entity ids for (canonical name, kind), creating entities and aliases as needed.

    Looks an actor up by its canonical name's alias, then by a full-name spelling, then
    by identity key ("Yuri Ushakov" finds "Yury Ushakov"); creates it only when all fail.
    Three queries however many actors (lookup, entity inserts, alias inserts), serialised
    so that two workers do not create the same actor twice.
    """
    wanted: dict[tuple[str, str], Actor] = {}
    for actor in actors:
        merged = wanted.setdefault((actor.name, actor.kind), Actor(actor.name, actor.kind))
        merged.spellings |= actor.spellings | {actor.name}
    if not wanted:
        return {}
    with transaction.atomic(), serialised("entities"):
        by_name, by_key = _aliases_of(wanted.values())
        resolved: dict[tuple[str, str], int] = {}
        missing: list[Actor] = []
        for actor in wanted.values():
            entity_id = _find(actor, by_name, by_key)
            if entity_id is None:
                missing.append(actor)
            else:
                resolved[(actor.name, actor.kind)] = entity_id
        created = Entity.objects.bulk_create(
            [Entity(name=actor.name[:300], kind=actor.kind) for actor in missing]
        )
        for actor, entity in zip(missing, created, strict=True):
            resolved[(actor.name, actor.kind)] = entity.pk
        new_aliases: dict[tuple[str, str], EntityAlias] = {}
        for actor in wanted.values():
            entity_id = resolved[(actor.name, actor.kind)]
            for spelling in sorted(actor.spellings):
                normalised = normalise_alias(spelling)[:300]
                if not normalised or (actor.kind, normalised) in by_name:
                    continue
                new_aliases.setdefault(
                    (actor.kind, normalised),
                    EntityAlias(
                        entity_id=entity_id,
                        alias=spelling[:300],
                        normalised=normalised,
                        key=identity_key(normalised),
                        kind=actor.kind,
                    ),
                )
        # A spelling another worker added meanwhile is theirs; conflicts are skipped.
        EntityAlias.objects.bulk_create(list(new_aliases.values()), ignore_conflicts=True)
    return resolved


def _aliases_of(
    actors: Iterable[Actor],
) -> tuple[dict[tuple[str, str], int], Mapping[tuple[str, str], set[int]]]:
    names: set[str] = set()
    keys: set[str] = set()
    kinds: set[str] = set()
    for actor in actors:
        kinds.add(actor.kind)
        for spelling in actor.spellings:
            normalised = normalise_alias(spelling)
            names.add(normalised)
            if _key_is_safe(normalised):
                keys.add(identity_key(normalised))
    rows = EntityAlias.objects.filter(
        Q(normalised__in=names) | Q(key__in=keys), kind__in=kinds
    ).values_list("kind", "normalised", "key", "entity_id")
    by_name: dict[tuple[str, str], int] = {}
    by_key: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for kind, normalised, key, entity_id in rows:
        by_name[(kind, normalised)] = entity_id
        if key and _key_is_safe(normalised):
            by_key[(kind, key)].add(entity_id)
    return by_name, by_key


def _find(
    actor: Actor,
    by_name: Mapping[tuple[str, str], int],
    by_key: Mapping[tuple[str, str], set[int]],
) -> int | None:
    canonical = normalise_alias(actor.name)
    if (actor.kind, canonical) in by_name:
        return by_name[(actor.kind, canonical)]
    # Full names before short ones: "Vladimir Putin" decides, "Putin" only if alone.
    spellings = sorted(
        (normalise_alias(s) for s in actor.spellings),
        key=lambda s: (-len(s.split()), -len(s), s),
    )
    found = {by_name[(actor.kind, s)] for s in spellings if (actor.kind, s) in by_name}
    full = {by_name[(actor.kind, s)] for s in spellings if " " in s and (actor.kind, s) in by_name}
    if len(full) == 1:
        return full.pop()
    if not full and len(found) == 1:
        return found.pop()
    for spelling in [canonical, *spellings]:
        if not _key_is_safe(spelling):
            continue
        candidates = by_key.get((actor.kind, identity_key(spelling)), set())
        if len(candidates) == 1:
            return next(iter(candidates))
    return None
