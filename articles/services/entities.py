"""One Entity per real actor: the extractor's names resolved against the alias table.

The alias table is the memory of who is who, and analysts own it: a merge moves aliases
to the surviving entity, a rename keeps the old spelling as an alias, so every later
article follows the analysts. The machine only adds what is missing: new actors, and new
spellings of known ones.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q
from django.utils import timezone

from articles.models import Entity, EntityAlias, EntityKind, Mention
from articles.names import identity_key, normalise_alias
from articles.services.locks import serialised
from newsdesk.guards import WriteRefused, check_if_match, require_annotator

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


# --- analysts' writes: create, rename, merge ------------------------------------------
#
# Every one runs under the "entities" lock that `entities_resolve` takes, so the alias
# table does not change under the extractor's feet (nor the extractor's under theirs),
# and records the analyst in the history of every row it changes.


def _clean_name(name: str) -> tuple[str, str]:
    """The name as stored (single spaces) and as the alias table compares it."""
    cleaned = " ".join((name or "").split())[:300]
    normalised = normalise_alias(cleaned)[:300]
    if not normalised:
        raise WriteRefused("name", "An entity needs a name (some letters or digits).")
    return cleaned, normalised


def _valid_kind(kind: str) -> str:
    if kind not in EntityKind.values:
        raise WriteRefused("kind", f"kind must be one of {', '.join(EntityKind.values)}.")
    return kind


def _alias(entity: Entity, spelling: str, normalised: str) -> EntityAlias:
    return EntityAlias(
        entity=entity,
        alias=spelling[:300],
        normalised=normalised,
        # NFKD can lengthen a spelling (Hangul syllables become letters): cut to fit.
        key=identity_key(normalised)[:300],
        kind=entity.kind,
    )


def _recorded(model: type[Model], rows: list[Any], *, user: Any, when: datetime) -> None:
    """History records ("~") of rows changed by a queryset update, which simple-history
    does not see: one insert however many rows."""
    model.history.bulk_history_create(  # type: ignore[attr-defined]
        rows, update=True, default_user=user, default_date=when
    )


def _saved(row: Model, user: Any) -> None:
    # The ORM's save (not guards.created_with_history, PostgreSQL's alone): entities are
    # written rarely, and every database runs these writes.
    row._history_user = user  # type: ignore[attr-defined]
    row.save()


def _deleted(rows: list[Any], user: Any) -> None:
    """Delete rows a merge cannot keep, each with its history record in the analyst's
    name. One at a time, but rare: places and spellings both entities had."""
    for row in rows:
        row._history_user = user
        row.delete()


@transaction.atomic
def entity_create(*, user: Any, name: str, kind: str, description: str = "") -> tuple[Entity, bool]:
    """An analyst's new entity, named `name` (which becomes its first alias), or the
    entity of this kind that already goes by that name: one identity per actor. Returns
    the entity and whether it was created."""
    require_annotator(user)
    cleaned, normalised = _clean_name(name)
    kind = _valid_kind(kind)
    with serialised("entities"):
        existing = (
            Entity.objects.filter(aliases__kind=kind, aliases__normalised=normalised).first()
            # An entity that never got an alias (made by hand) still has its name.
            or Entity.objects.filter(kind=kind, name__iexact=cleaned).order_by("pk").first()
        )
        if existing is not None:
            return existing, False
        entity = Entity(name=cleaned, kind=kind, description=description or "")
        _saved(entity, user)
        _saved(_alias(entity, cleaned, normalised), user)
    return entity, True


@transaction.atomic
def entity_update(
    *, user: Any, entity_id: int, changes: dict[str, Any], if_match: str | None = None
) -> Entity:
    """Rename an entity, change its kind or its description (`changes` holds only the
    fields given). A rename keeps the old name as an alias and makes the new one an
    alias; a name or kind that another entity of the kind already goes by is refused
    (merge the two instead). The entity's aliases follow its kind."""
    require_annotator(user)
    with serialised("entities"):
        entity = Entity.objects.select_for_update().filter(pk=entity_id).first()
        if entity is None:
            raise Entity.DoesNotExist(f"There is no entity {entity_id}.")
        check_if_match(entity, if_match)
        old_name, old_kind = entity.name, entity.kind
        if "kind" in changes:
            entity.kind = _valid_kind(changes["kind"])
        if "name" in changes:
            entity.name = _clean_name(changes["name"])[0]
        if "description" in changes:
            entity.description = changes["description"] or ""
        aliases = list(EntityAlias.objects.filter(entity=entity))
        # Checks first, so that a refusal has written nothing.
        if entity.kind != old_kind:
            _refuse_taken(entity, [a.normalised for a in aliases], "kind")
        missing: dict[str, str] = {}
        if entity.name != old_name or entity.kind != old_kind:
            missing = _names_to_keep(entity, old_name, aliases)
        now = timezone.now()
        if entity.kind != old_kind:
            EntityAlias.objects.filter(entity=entity).update(kind=entity.kind, updated_at=now)
            for alias in aliases:
                alias.kind, alias.updated_at = entity.kind, now
            _recorded(EntityAlias, aliases, user=user, when=now)
        for normalised, spelling in missing.items():
            _saved(_alias(entity, spelling, normalised), user)
        entity._history_user = user  # type: ignore[attr-defined]
        entity.save()
    return entity


def _refuse_taken(entity: Entity, spellings: list[str], field: str) -> None:
    """Refuse (on `field`) spellings another entity of `entity`'s kind goes by."""
    taken = (
        EntityAlias.objects.filter(kind=entity.kind, normalised__in=spellings)
        .exclude(entity=entity)
        .select_related("entity")
        .order_by("pk")
        .first()
    )
    if taken is not None:
        raise WriteRefused(
            field,
            f"{taken.entity.name!r} (entity {taken.entity_id}, {entity.kind}) already goes "
            f"by {taken.alias!r}; merge the two entities instead.",
        )


def _names_to_keep(entity: Entity, old_name: str, aliases: list[EntityAlias]) -> dict[str, str]:
    """The entity's new and old names that are not yet aliases of it (normalised ->
    spelling). The new name must not be another entity's; an old name that is (an
    earlier merge or rename gave it away) stays theirs."""
    new_name = normalise_alias(entity.name)[:300]
    _refuse_taken(entity, [new_name], "name")
    own = {alias.normalised for alias in aliases}
    wanted = {new_name: entity.name}
    old = normalise_alias(old_name)[:300]
    if old and old not in wanted:
        wanted[old] = old_name
    given_away = set(
        EntityAlias.objects.filter(kind=entity.kind, normalised=old)
        .exclude(entity=entity)
        .values_list("normalised", flat=True)
    )
    return {n: s for n, s in wanted.items() if n not in own and n not in given_away}


@transaction.atomic
def entity_merge(*, user: Any, entity_id: int, into_id: int) -> Entity:
    """Merge entity `entity_id` into `into_id`: the survivor takes over every mention,
    quote (as speaker), stance (as holder or target), statement (as speaker) and alias of
    the merged entity, and its name as an alias; then the merged entity is deleted (its
    tombstone goes to the deleted feed). A mention the survivor already has at the same
    place is dropped, as is an alias the survivor's kind already has; an alias of
    another kind takes the survivor's. Every changed row gets a history record in the
    analyst's name. Both entities are locked, in id order, for the whole merge."""
    require_annotator(user)
    if entity_id == into_id:
        raise WriteRefused("into", "An entity cannot be merged into itself; choose another.")
    with serialised("entities"):
        locked = {
            entity.pk: entity
            for entity in Entity.objects.select_for_update()
            .filter(pk__in=[entity_id, into_id])
            .order_by("pk")
        }
        merged = locked.get(entity_id)
        if merged is None:
            raise Entity.DoesNotExist(f"There is no entity {entity_id}.")
        into = locked.get(into_id)
        if into is None:
            raise WriteRefused("into", f"There is no entity {into_id}.")
        now = timezone.now()
        _drop_duplicate_mentions(merged, into, user=user)
        for model, fields in _pointing_at_entities().items():
            _repoint(model, fields, merged, into, user=user, when=now)
        _move_aliases(merged, into, user=user, when=now)
        merged._history_user = user  # type: ignore[attr-defined]
        merged.delete()
        # Its aliases changed: a client syncing entities by updated_at sees it again.
        into._history_user = user  # type: ignore[attr-defined]
        into.save(update_fields=["updated_at"])
    return into


def _pointing_at_entities() -> dict[type[Model], tuple[str, ...]]:
    """Every model's foreign keys to Entity, whichever app declares them (mentions here,
    speakers, holders and targets in the apps built on this one), but the aliases, which
    a merge moves by their own rule. History records point with hidden relations, so they
    are not among them: they keep what was true when they were written."""
    pointing: dict[type[Model], tuple[str, ...]] = {}
    for relation in Entity._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str) or model is EntityAlias or not relation.one_to_many:
            continue
        pointing[model] = (*pointing.get(model, ()), relation.field.name)
    return pointing


def _drop_duplicate_mentions(merged: Entity, into: Entity, *, user: Any) -> None:
    """The merged entity's mentions where the survivor is already mentioned (same article,
    same span): moving them would repeat the survivor's."""
    same_place = Mention.objects.filter(
        entity=into, article_id=OuterRef("article_id"), start=OuterRef("start"), end=OuterRef("end")
    )
    _deleted(list(Mention.objects.filter(Exists(same_place), entity=merged)), user)


def _repoint(
    model: type[Model],
    fields: tuple[str, ...],
    merged: Entity,
    into: Entity,
    *,
    user: Any,
    when: datetime,
) -> None:
    """Point `model`'s `fields` at the survivor where they point at the merged entity: a
    read, an UPDATE per field and one insert of history records, however many rows."""
    pointing = Q()
    for name in fields:
        pointing |= Q(**{name: merged})
    rows: list[Any] = list(model._default_manager.filter(pointing))
    if not rows:
        return
    for name in fields:
        model._default_manager.filter(**{name: merged}).update(**{name: into, "updated_at": when})
    for row in rows:
        for name in fields:
            if getattr(row, f"{name}_id") == merged.pk:
                setattr(row, f"{name}_id", into.pk)
        row.updated_at = when
    _recorded(model, rows, user=user, when=when)


def _move_aliases(merged: Entity, into: Entity, *, user: Any, when: datetime) -> None:
    """The merged entity's aliases, and its name, become the survivor's, in the
    survivor's kind; a spelling that kind already has (the survivor's or another
    entity's) is dropped, not duplicated."""
    aliases = list(EntityAlias.objects.filter(entity=merged))
    name = normalise_alias(merged.name)[:300]
    taken = set(
        EntityAlias.objects.filter(
            kind=into.kind, normalised__in=[name, *(a.normalised for a in aliases)]
        )
        .exclude(entity=merged)
        .values_list("normalised", flat=True)
    )
    moved = [alias for alias in aliases if alias.normalised not in taken]
    dropped = [alias for alias in aliases if alias.normalised in taken]
    _deleted(dropped, user)
    if moved:
        EntityAlias.objects.filter(pk__in=[a.pk for a in moved]).update(
            entity=into, kind=into.kind, updated_at=when
        )
        for alias in moved:
            alias.entity_id, alias.kind, alias.updated_at = into.pk, into.kind, when
        _recorded(EntityAlias, moved, user=user, when=when)
    if name and name not in taken and name not in {a.normalised for a in moved}:
        _saved(_alias(into, merged.name, name), user)
