"""One Entity per real actor: the extractor's names resolved against the alias table.

The alias table is the memory of who is who, and analysts own it: a merge moves aliases
to the surviving entity, a rename keeps the old spelling as an alias, so every later
article follows the analysts. The machine only adds what is missing: new actors, and new
spellings of known ones.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    Model,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone

from articles.models import (
    Article,
    Entity,
    EntityAlias,
    EntityApart,
    EntityJoin,
    EntityKind,
    Mention,
    ReviewStatus,
    Story,
)
from articles.names import identity_key, normalise_alias
from articles.nlp import identity
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
        # The machine's earlier joins into the merged entity are the survivor's now.
        EntityJoin.objects.filter(entity=merged).update(entity=into)
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
        if isinstance(model, str) or model in (EntityAlias, EntityJoin) or not relation.one_to_many:
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


# --- the machine's second pass: one identity per actor across articles ------------------
#
# `entities_resolve` sees one chunk's names and joins only what the alias table already
# knows. `entities_reconcile` runs once the chunk's articles have their stories, and uses
# what the data holds as evidence:
# - one kind per name: a name stored under two of PERSON, ORG, GPE, LOC and NORP gets one,
#   by the gazetteer, then a demonym of it among the entities ("Velmoran" makes "Velmora"
#   a place), then the majority of its mentions;
# - person names in one story: full names that `nlp.identity.compare` says meet
#   (transliterations, accents, a middle name, name order) become one; a surname alone
#   joins the one full name of the story it is the surname of, and stays apart when the
#   story has two (relatives);
# - full person names in different stories: only when the names meet and the two are
#   mentioned beside at least MIN_SHARED_COMPANY of the same other actors (co-occurring
#   names), and each has no other such candidate.
# Every join is recorded (EntityJoin, with its reason) and shown on the entity's page; an
# analyst's merge is in the alias table already, and an analyst's split (EntityApart) is
# never undone.

_NAME_KINDS = ("PERSON", "ORG", "GPE", "LOC", "NORP")
# Which kind wins a tie of mentions: places and organisations over people, since the
# model mistakes an unknown country for a person far more often than the reverse.
_TIE_ORDER = {"GPE": 0, "ORG": 1, "LOC": 2, "NORP": 3, "PERSON": 4}
_DEMONYM_ENDINGS = ("n", "an", "ian", "ese", "i", "er", "ish")


@dataclass(slots=True)
class _Known:
    pk: int
    name: str
    kind: str
    mentions: int
    normalised: str = ""
    spellings: set[str] = field(default_factory=set)


def entities_reconcile(*, article_ids: Iterable[int]) -> list[EntityJoin]:
    """Join the entities of these articles' stories that name one actor, and give every
    name they use one kind. Returns the joins made (none when nothing is left to join).

    Call after `stories_assign` for the same articles, before `statements_link`, so
    that the statements find one speaker. Runs under the "entities" lock.
    """
    ids = list(article_ids)
    if not ids:
        return []
    joins: list[EntityJoin] = []
    with transaction.atomic(), serialised("entities"):
        apart = _apart_pairs()
        for find in (_one_kind_per_name, _people_of_stories, _people_by_company):
            # Each pass reads what the one before it wrote: its joins are applied first.
            planned = _Joins()
            find(ids, apart, planned)
            joins += planned.apply()
    return joins


def _apart_pairs() -> set[tuple[str, str]]:
    return set(EntityApart.objects.values_list("first", "second"))


def _kept_apart(a: _Known, b: _Known, apart: set[tuple[str, str]]) -> bool:
    if not apart:
        return False
    return any(
        (min(x, y), max(x, y)) in apart
        for x in a.spellings | {a.normalised}
        for y in b.spellings | {b.normalised}
    )


def _known(entity_ids: Iterable[int]) -> dict[int, _Known]:
    """The entities, with their mention counts (rejected mentions aside) and spellings:
    two queries."""
    rows = (
        Entity.objects.filter(pk__in=set(entity_ids))
        .annotate(n=Count("mentions", filter=~Q(mentions__status=ReviewStatus.REJECTED)))
        .values_list("pk", "name", "kind", "n")
    )
    known = {pk: _Known(pk, name, kind, n, normalise_alias(name)) for pk, name, kind, n in rows}
    for entity_id, normalised in EntityAlias.objects.filter(entity_id__in=known).values_list(
        "entity_id", "normalised"
    ):
        known[entity_id].spellings.add(normalised)
    return known


def _one_kind_per_name(
    article_ids: list[int], apart: set[tuple[str, str]], joins: "_Joins"
) -> None:
    names = set(
        Mention.objects.filter(article_id__in=article_ids, entity__kind__in=_NAME_KINDS)
        .values_list("entity__name", flat=True)
        .distinct()
    )
    normalised = {normalise_alias(n) for n in names}
    if not normalised:
        return
    same_name = EntityAlias.objects.filter(normalised__in=normalised, kind__in=_NAME_KINDS)
    holders: defaultdict[str, set[int]] = defaultdict(set)
    for entity_id, spelling in same_name.values_list("entity_id", "normalised"):
        holders[spelling].add(entity_id)
    clashing = {n: ids for n, ids in holders.items() if len(ids) > 1}
    if not clashing:
        return
    known = _known(i for ids in clashing.values() for i in ids)
    demonyms = _demonyms(clashing)
    for spelling, ids in sorted(clashing.items()):
        group = [known[i] for i in ids if i in known and known[i].normalised == spelling]
        if len({e.kind for e in group}) < 2:
            continue
        kind, evidence = _kind_by_evidence(spelling, group, demonyms)
        group.sort(key=lambda e: (e.kind != kind, -e.mentions, e.pk))
        survivor = group[0]
        if survivor.kind != kind:
            # The joins decided so far are written first, so that the new kind meets the
            # aliases as it would have had each join been written when it was decided.
            joins.apply()
            _change_kind(survivor, kind)
        for other in group[1:]:
            if _kept_apart(survivor, other, apart):
                continue
            reason = f"the same name, seen as {other.kind} and as {kind}; kept {kind}: {evidence}"
            joins.add(other, survivor, reason=reason, similarity=1.0, story_id=None)


def _demonyms(clashing: Mapping[str, set[int]]) -> set[str]:
    """The demonyms of these names that some entity goes by ("velmoran")."""
    wanted = set()
    for spelling in clashing:
        stem = spelling[:-1] if spelling[-1:] in "aeiou" else spelling
        for end in _DEMONYM_ENDINGS:
            wanted |= {spelling + end, stem + end}
    return set(
        EntityAlias.objects.filter(normalised__in=wanted)
        .exclude(kind="PERSON")
        .values_list("normalised", flat=True)
    )


def _kind_by_evidence(spelling: str, group: list[_Known], demonyms: set[str]) -> tuple[str, str]:
    # Here, not at the top: the gazetteer imports spaCy (half a second), which the CLI and
    # the web processes importing the services need not pay.
    from articles.nlp import gazetteer

    gaz_kinds = set(gazetteer.load().by_alias.get(spelling, {}))
    if len(gaz_kinds) == 1:
        kind = next(iter(gaz_kinds))
        return kind, f"the gazetteer names it a {kind}"
    stem = spelling[:-1] if spelling[-1:] in "aeiou" else spelling
    found = sorted(
        d for d in demonyms if any(d in (spelling + e, stem + e) for e in _DEMONYM_ENDINGS)
    )
    if found and " " not in spelling:
        return "GPE", f"its demonym {found[0]!r} is named too"
    counts: Counter[str] = Counter()
    for entity in group:
        counts[entity.kind] += entity.mentions
    kind = min(counts, key=lambda k: (-counts[k], _TIE_ORDER.get(k, 9)))
    against = ", ".join(f"{n} as {k}" for k, n in counts.most_common() if k != kind)
    return kind, f"most mentions ({counts[kind]} as {kind}; {against})"


def _change_kind(entity: _Known, kind: str) -> None:
    """The entity, and its aliases, take `kind`; a spelling the kind already has is the
    other entity's (dropped here, merged later by its own join)."""
    taken = set(
        EntityAlias.objects.filter(kind=kind, normalised__in=entity.spellings)
        .exclude(entity_id=entity.pk)
        .values_list("normalised", flat=True)
    )
    EntityAlias.objects.filter(entity_id=entity.pk, normalised__in=taken).delete()
    now = timezone.now()
    EntityAlias.objects.filter(entity_id=entity.pk).update(kind=kind, updated_at=now)
    Entity.objects.filter(pk=entity.pk).update(kind=kind, updated_at=now)
    entity.kind = kind


def _people_of_stories(
    article_ids: list[int], apart: set[tuple[str, str]], joins: "_Joins"
) -> None:
    stories = set(
        Article.objects.filter(pk__in=article_ids, story__isnull=False).values_list(
            "story_id", flat=True
        )
    )
    if not stories:
        return
    rows = (
        Mention.objects.filter(article__story_id__in=stories, entity__kind="PERSON")
        .exclude(status=ReviewStatus.REJECTED)
        .values_list("article__story_id", "entity_id")
        .distinct()
    )
    by_story: defaultdict[int, set[int]] = defaultdict(set)
    for story_id, entity_id in rows:
        by_story[story_id].add(entity_id)
    known = _known(i for ids in by_story.values() for i in ids)
    labels = dict(Story.objects.filter(pk__in=by_story).values_list("pk", "label"))
    gone: dict[int, int] = {}  # joined entity -> survivor
    for story_id in sorted(by_story):
        present = {_survivor(i, gone) for i in by_story[story_id] if i in known}
        people = [identity.Person(i, known[i].name, known[i].mentions) for i in present]
        label = labels.get(story_id, "")
        where = f"in the story “{label}”" if label else "in one story"
        for join in identity.join_people(
            people, apart=lambda a, b: _kept_apart(known[a.id], known[b.id], apart)
        ):
            merged, into = known[join.merged.id], known[join.into.id]
            decision = join.decision
            if decision.surname_only:
                reason = f"{decision.reason}, and the only person of that surname {where}"
            else:
                reason = f"{decision.reason} (similarity {decision.similarity:.2f}), both {where}"
            joins.add(
                merged, into, reason=reason, similarity=decision.similarity, story_id=story_id
            )
            gone[merged.pk] = into.pk


def _survivor(entity_id: int, gone: Mapping[int, int]) -> int:
    while entity_id in gone:
        entity_id = gone[entity_id]
    return entity_id


@dataclass(slots=True)
class _AliasRow:
    """An alias as a pass of joins moves it: `row` is the stored one (None for a name
    alias a join makes), `entity`/`kind` where it is now, `dropped` once a join found its
    spelling taken in the survivor's kind."""

    row: EntityAlias | None
    entity: int
    kind: str
    normalised: str
    spelling: str
    dropped: bool = False


class _Joins:
    """The machine's merges a pass decides, written together: one statement per table
    for all of them, whatever their number, in place of one analyst's merge each.

    `add` records a join (merge `merged` into `into`, the analysts' merge without an
    analyst) when it is decided and updates the entities as the pass sees them; `apply`
    writes every join recorded since the last `apply`, with the outcome of writing them
    one by one in that order (the same mentions dropped, the same aliases moved,
    dropped and made, every joined entity's earlier joins and its rows with the last
    survivor of a chain), each changed row with one history record, and an EntityJoin
    with its reason per join."""

    def __init__(self) -> None:
        self.steps: list[tuple[int, int, EntityJoin]] = []

    def add(
        self,
        merged: _Known,
        into: _Known,
        *,
        reason: str,
        similarity: float | None,
        story_id: int | None,
    ) -> None:
        join = EntityJoin(
            entity_id=into.pk,
            joined_name=merged.name,
            joined_kind=merged.kind,
            # What a split gives back: the spellings the survivor did not have already.
            spellings=sorted((merged.spellings | {merged.normalised}) - into.spellings),
            reason=reason,
            similarity=similarity,
            story_id=story_id,
        )
        self.steps.append((merged.pk, into.pk, join))
        into.spellings |= merged.spellings | {merged.normalised}
        into.mentions += merged.mentions

    def apply(self) -> list[EntityJoin]:
        steps, self.steps = self.steps, []
        if not steps:
            return []
        final: dict[int, int] = {}  # joined entity -> the survivor at the end of the chain
        for merged, into, _ in steps:
            final[merged] = into
        for merged in final:
            final[merged] = _survivor(merged, final)
        survivors = set(final.values())
        # Locked in id order (an analyst's merge locks its two the same way), so that a
        # worker storing mentions of these entities is waited for.
        entities = {
            e.pk: e
            for e in Entity.objects.select_for_update()
            .filter(pk__in=final.keys() | survivors)
            .order_by("pk")
        }
        now = timezone.now()
        _join_mentions(steps, final, when=now)
        for model, fields in _pointing_at_entities().items():
            _repoint_all(model, fields, final, when=now)
        _join_aliases(steps, entities, final, when=now)
        EntityJoin.objects.filter(entity_id__in=list(final)).update(
            entity_id=_case("entity_id", final)
        )
        joins = [join for _, _, join in steps]
        for join in joins:
            join.entity_id = final.get(join.entity_id, join.entity_id)
        EntityJoin.objects.bulk_create(joins)
        gone = [entities[pk] for pk in sorted(final)]
        Entity.objects.filter(pk__in=list(final))._raw_delete(Entity.objects.db)
        _record_deleted(Entity, gone, when=now)
        kept = [entities[pk] for pk in sorted(survivors)]
        Entity.objects.filter(pk__in=survivors).update(updated_at=now)
        for entity in kept:
            entity.updated_at = now
        _recorded(Entity, kept, user=None, when=now)
        return joins


def _case(column: str, mapping: Mapping[int, int]) -> Case:
    """`column`, mapped: a CASE over the joined entities' ids."""
    return Case(
        *(When(**{column: old}, then=Value(new)) for old, new in mapping.items()),
        default=F(column),
        output_field=BigIntegerField(),
    )


def _record_deleted(model: type[Model], rows: list[Any], *, when: datetime) -> None:
    """History records ("-") of rows deleted in bulk (the machine's, no user): what
    simple-history writes for a delete() of each, in one insert."""
    history = model.history.model  # type: ignore[attr-defined]
    history.objects.bulk_create(
        [
            history(
                history_date=when,
                history_user=None,
                history_change_reason="",
                history_type="-",
                **{f.attname: getattr(row, f.attname) for f in history.tracked_fields},
            )
            for row in rows
        ]
    )


def _join_mentions(
    steps: list[tuple[int, int, EntityJoin]], final: Mapping[int, int], *, when: datetime
) -> None:
    """Drop the joined entities' mentions where their survivor is already mentioned (same
    article, same span), as the joins one by one would: only such places are read."""
    involved = list(final.keys() | set(final.values()))
    same_place = Mention.objects.filter(
        entity_id__in=involved,
        article_id=OuterRef("article_id"),
        start=OuterRef("start"),
        end=OuterRef("end"),
    ).exclude(pk=OuterRef("pk"))
    rows = list(Mention.objects.filter(Exists(same_place), entity_id__in=involved))
    if not rows:
        return
    holder: dict[tuple[int, int, int, int], Mention] = {}  # (entity, place) -> mention
    for row in rows:
        holder[(row.entity_id, row.article_id, row.start, row.end)] = row
    dropped: list[Mention] = []
    for merged, into, _ in steps:
        for key in [k for k in holder if k[0] == merged]:
            row = holder.pop(key)
            if (into, *key[1:]) in holder:
                dropped.append(row)
            else:
                holder[(into, *key[1:])] = row
    if dropped:
        Mention.objects.filter(pk__in=[m.pk for m in dropped])._raw_delete(Mention.objects.db)
        _record_deleted(Mention, dropped, when=when)


def _repoint_all(
    model: type[Model], fields: tuple[str, ...], final: Mapping[int, int], *, when: datetime
) -> None:
    """`_repoint` for every join of a pass: a read, an UPDATE per field and one insert of
    history records, however many joins and rows."""
    pointing = Q()
    for name in fields:
        pointing |= Q(**{f"{name}_id__in": list(final)})
    rows: list[Any] = list(model._default_manager.filter(pointing))
    if not rows:
        return
    for name in fields:
        column = f"{name}_id"
        model._default_manager.filter(**{f"{column}__in": list(final)}).update(
            **{column: _case(column, final), "updated_at": when}
        )
    for row in rows:
        for name in fields:
            old = getattr(row, f"{name}_id")
            setattr(row, f"{name}_id", final.get(old, old))
        row.updated_at = when
    _recorded(model, rows, user=None, when=when)


def _join_aliases(
    steps: list[tuple[int, int, EntityJoin]],
    entities: Mapping[int, Entity],
    final: Mapping[int, int],
    *,
    when: datetime,
) -> None:
    """`_move_aliases` of each join in order, worked out in memory over the spellings
    involved, then written: the drops in one DELETE, the moves in one UPDATE, the names
    that become aliases in one INSERT (each with its history records)."""
    mine = list(EntityAlias.objects.filter(entity_id__in=list(final)))
    names = {pk: normalise_alias(entities[pk].name)[:300] for pk in final}
    spellings = {a.normalised for a in mine} | set(names.values())
    owner: dict[tuple[str, str], int] = {}  # (kind, normalised) -> entity
    for entity_id, kind, normalised in EntityAlias.objects.filter(
        normalised__in=spellings
    ).values_list("entity_id", "kind", "normalised"):
        owner[(kind, normalised)] = entity_id
    aliases = [_AliasRow(a, a.entity_id, a.kind, a.normalised, a.alias) for a in mine]
    kinds = {pk: entity.kind for pk, entity in entities.items()}
    for merged, into, _ in steps:
        kind = kinds[into]
        own = [a for a in aliases if a.entity == merged and not a.dropped]
        taken = {
            n
            for n in {names[merged], *(a.normalised for a in own)}
            if owner.get((kind, n), merged) != merged
        }
        for alias in own:
            owner.pop((alias.kind, alias.normalised), None)
            if alias.normalised in taken:
                alias.dropped = True
            else:
                alias.entity, alias.kind = into, kind
                owner[(kind, alias.normalised)] = into
        name = names[merged]
        if name and name not in taken and not any(a.normalised == name for a in own):
            aliases.append(_AliasRow(None, into, kind, name, entities[merged].name))
            owner[(kind, name)] = into
    dropped = [a.row for a in aliases if a.row is not None and a.dropped]
    if dropped:
        EntityAlias.objects.filter(pk__in=[a.pk for a in dropped])._raw_delete(
            EntityAlias.objects.db
        )
        _record_deleted(EntityAlias, dropped, when=when)
    moved = [a for a in aliases if a.row is not None and not a.dropped]
    if moved:
        EntityAlias.objects.filter(pk__in=[a.row.pk for a in moved if a.row]).update(
            entity_id=_case("entity_id", final),
            kind=Case(
                *(When(entity_id=old, then=Value(kinds[new])) for old, new in final.items()),
                default=F("kind"),
                output_field=CharField(),
            ),
            updated_at=when,
        )
        rows = []
        for alias in moved:
            assert alias.row is not None
            alias.row.entity_id, alias.row.kind, alias.row.updated_at = (
                alias.entity,
                alias.kind,
                when,
            )
            rows.append(alias.row)
        _recorded(EntityAlias, rows, user=None, when=when)
    made = [
        EntityAlias(
            entity_id=a.entity,
            alias=a.spelling[:300],
            normalised=a.normalised,
            key=identity_key(a.normalised)[:300],
            kind=a.kind,
        )
        for a in aliases
        if a.row is None and not a.dropped
    ]
    if made:
        EntityAlias.objects.bulk_create(made)
        EntityAlias.history.bulk_history_create(made, default_date=when)


# --- analysts over the machine: split a join, keep two actors apart ---------------------


def _apart(user: Any, kind: str, a: str, b: str) -> None:
    first, second = sorted((normalise_alias(a)[:300], normalise_alias(b)[:300]))
    if first and second and first != second:
        EntityApart.objects.get_or_create(
            first=first, second=second, defaults={"kind": kind, "created_by": user}
        )


@transaction.atomic
def entities_keep_apart(*, user: Any, entity_id: int, other_id: int) -> None:
    """Record that two entities name different actors: no automatic join will ever make
    them one (an analyst's merge still may)."""
    require_annotator(user)
    if entity_id == other_id:
        raise WriteRefused("other", "An entity is not apart from itself; choose another.")
    with serialised("entities"):
        found = {e.pk: e for e in Entity.objects.filter(pk__in=[entity_id, other_id])}
        if len(found) != 2:
            raise Entity.DoesNotExist(f"There is no entity {entity_id} or {other_id}.")
        _apart(user, found[entity_id].kind, found[entity_id].name, found[other_id].name)


@transaction.atomic
def entity_split(*, user: Any, join_id: int) -> Entity:
    """Undo one automatic join: the joined name becomes an entity again, with the
    spellings it brought and the mentions (and quotes, as speaker) written in them; and
    the two names are kept apart from then on, so no later pass joins them again."""
    require_annotator(user)
    with serialised("entities"):
        join = EntityJoin.objects.select_related("entity").filter(pk=join_id).first()
        if join is None:
            raise EntityJoin.DoesNotExist(f"There is no automatic join {join_id}.")
        survivor = join.entity
        spellings = set(join.spellings) - {normalise_alias(survivor.name)}
        entity = Entity(name=join.joined_name, kind=join.joined_kind)
        _saved(entity, user)
        now = timezone.now()
        aliases = list(EntityAlias.objects.filter(entity=survivor, normalised__in=spellings))
        if aliases:
            EntityAlias.objects.filter(pk__in=[a.pk for a in aliases]).update(
                entity=entity, kind=entity.kind, updated_at=now
            )
            for alias in aliases:
                alias.entity_id, alias.kind, alias.updated_at = entity.pk, entity.kind, now
            _recorded(EntityAlias, aliases, user=user, when=now)
        if not any(a.normalised == normalise_alias(entity.name) for a in aliases):
            taken = EntityAlias.objects.filter(
                kind=entity.kind, normalised=normalise_alias(entity.name)
            ).exists()
            if not taken:
                _saved(_alias(entity, entity.name, normalise_alias(entity.name)[:300]), user)
        mentions = [
            m
            for m in Mention.objects.filter(entity=survivor).only("pk", "exact", "entity_id")
            if normalise_alias(m.exact) in spellings
        ]
        if mentions:
            Mention.objects.filter(pk__in=[m.pk for m in mentions]).update(
                entity=entity, updated_at=now
            )
            for mention in mentions:
                mention.entity_id, mention.updated_at = entity.pk, now
            _recorded(
                Mention,
                list(Mention.objects.filter(pk__in=[m.pk for m in mentions])),
                user=user,
                when=now,
            )
        _give_back_speakers(survivor, entity, spellings, user=user, when=now)
        _apart(user, entity.kind, entity.name, survivor.name)
        join.delete()
        survivor._history_user = user  # type: ignore[attr-defined]
        survivor.save(update_fields=["updated_at"])
    return entity


def _give_back_speakers(
    survivor: Entity, entity: Entity, spellings: set[str], *, user: Any, when: datetime
) -> None:
    """Quotes whose speaker span is written in one of `spellings` speak for `entity`."""
    for relation in Entity._meta.related_objects:
        model = relation.related_model
        if relation.field.name != "speaker" or isinstance(model, str):
            continue
        fields = {f.name for f in model._meta.get_fields()}
        if not {"speaker_start", "speaker_end", "article"} <= fields:
            continue
        rows = list(
            model._default_manager.filter(speaker=survivor, speaker_start__isnull=False).annotate(
                speaker_text=Substr(
                    "article__body", F("speaker_start") + 1, F("speaker_end") - F("speaker_start")
                )
            )
        )
        moved = [r for r in rows if normalise_alias(r.speaker_text) in spellings]
        if not moved:
            continue
        model._default_manager.filter(pk__in=[r.pk for r in moved]).update(
            speaker=entity, updated_at=when
        )
        for row in moved:
            row.speaker_id, row.updated_at = entity.pk, when
        _recorded(model, moved, user=user, when=when)


# Other actors two spellings of one person must both be mentioned beside, across stories.
MIN_SHARED_COMPANY = 2


def _people_by_company(
    article_ids: list[int], apart: set[tuple[str, str]], joins: "_Joins"
) -> None:
    """Full person names of these articles that meet a full name of another story, with
    the company they keep as evidence. Four queries; the joins are written together."""
    present = set(
        Mention.objects.filter(article_id__in=article_ids, entity__kind="PERSON")
        .exclude(status=ReviewStatus.REJECTED)
        .values_list("entity_id", flat=True)
    )
    names = dict(Entity.objects.filter(pk__in=present).values_list("pk", "name"))
    surnames = {
        pk: identity.surname_key(name) for pk, name in names.items() if len(name.split()) >= 2
    }
    if not surnames:
        return
    # The last word of each stored spelling's key: one pass over the PERSON aliases, a
    # hash probe each, however many surnames the chunk has.
    last_word = Func(F("key"), Value("^.* "), Value(""), function="regexp_replace")
    others = dict(
        EntityAlias.objects.filter(kind="PERSON")
        .annotate(last_word=last_word)
        .filter(last_word__in=set(surnames.values()), key__contains=" ")
        .values_list("entity_id", "entity__name")
    )
    # Bucketed by surname once: each name is compared only with those sharing its surname.
    by_surname: dict[str, list[tuple[int, str]]] = {}
    for other, other_name in others.items():
        if len(other_name.split()) >= 2:
            by_surname.setdefault(identity.surname_key(other_name), []).append((other, other_name))
    candidates = {
        pk: [
            other
            for other, other_name in by_surname.get(surname, ())
            if other != pk and identity.compare(names[pk], other_name).meet
        ]
        for pk, surname in surnames.items()
    }
    candidates = {pk: found for pk, found in candidates.items() if len(found) == 1}
    if not candidates:
        return
    involved = set(candidates) | {found[0] for found in candidates.values()}
    company = _company(involved)
    known = _known(involved)
    gone: set[int] = set()
    for pk, (other,) in sorted(candidates.items()):
        if pk in gone or other in gone or pk not in known or other not in known:
            continue
        shared = (company[pk] & company[other]) - {pk, other}
        if len(shared) < MIN_SHARED_COMPANY or _kept_apart(known[pk], known[other], apart):
            continue
        into, merged = known[other], known[pk]
        if (merged.mentions, len(merged.name)) > (into.mentions, len(into.name)):
            into, merged = merged, into
        decision = identity.compare(into.name, merged.name)
        beside = ", ".join(sorted(company_names(shared))[:3])
        reason = (
            f"{decision.reason} (similarity {decision.similarity:.2f}), in different stories "
            f"but both mentioned beside {len(shared)} of the same actors ({beside})"
        )
        joins.add(merged, into, reason=reason, similarity=decision.similarity, story_id=None)
        gone.add(merged.pk)


def _company(entity_ids: set[int]) -> dict[int, set[int]]:
    """Entity id -> the other entities mentioned in the articles it is mentioned in."""
    articles: defaultdict[int, set[int]] = defaultdict(set)
    for entity_id, article_id in (
        Mention.objects.filter(entity_id__in=entity_ids)
        .exclude(status=ReviewStatus.REJECTED)
        .values_list("entity_id", "article_id")
        .distinct()
    ):
        articles[entity_id].add(article_id)
    beside: defaultdict[int, set[int]] = defaultdict(set)
    for article_id, entity_id in (
        Mention.objects.filter(article_id__in={a for ids in articles.values() for a in ids})
        .exclude(status=ReviewStatus.REJECTED)
        .values_list("article_id", "entity_id")
        .distinct()
    ):
        beside[article_id].add(entity_id)
    return {pk: {e for a in articles.get(pk, set()) for e in beside[a]} - {pk} for pk in entity_ids}


def company_names(entity_ids: set[int]) -> list[str]:
    return list(Entity.objects.filter(pk__in=entity_ids).values_list("name", flat=True))
