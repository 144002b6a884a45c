"""The machine's first pass over newly imported articles, stored as suggestions.

`suggestions_create` is the default `settings.INGEST_EXTRACTOR`: the import calls it with
the ids of the articles a chunk has just committed. It runs the extractor over their
bodies (one `nlp.pipe` pass), resolves the names to entities, stores Mentions and Quotes
(origin machine, status suggested) and story terms with one bulk insert per table in one
transaction for the whole chunk (a transaction per article if that fails), then groups
the articles into stories and their quotes into statements.

Once per article: an article already extracted (`extracted_at`, set in the transaction
that stores its suggestions) is left as it is, so a redelivered chunk changes nothing.
Only an admin's re-extraction (`again=True`) runs it again, and then the new findings are
matched against the stored suggestions: an unchanged suggestion keeps its row and id, a
changed one is updated in place, and only an untouched suggestion no longer found is
deleted, so a syncing client sees what changed rather than everything deleted and made
anew. Whatever an analyst made, confirmed or rejected, and a suggested quote someone has
tagged, noted or taken a stance on, is never changed, and no suggestion is made again at
its place.

One article's failure is its own: if the chunk's pass fails, each article is extracted
alone, and an article that still fails gets its reason recorded (`article_extraction_fail`)
while the others get their suggestions.
"""

import logging
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotations.models import Quote, Stance
from annotations.services import statements_link
from annotations.services.stance_suggestions import stance_suggestions_store
from articles.anchoring import text_quote_selector
from articles.models import Article, ArticleTerm, Entity, Mention, Origin, ReviewStatus
from articles.nlp import Extraction
from articles.nlp.extract import extract
from articles.services.entities import Actor, entities_reconcile, entities_resolve
from articles.services.extraction import article_extraction_fail, failure_reason
from articles.services.locks import serialised
from articles.services.stories import stories_assign
from newsdesk.bulk import copy_insert, copy_rows

logger = logging.getLogger(__name__)

# Errors that go away on their own: raised, so that the task is retried, never recorded
# as the article's failure.
TRANSIENT_ERRORS = (InterfaceError, OperationalError)

# The fields of a machine quote that a re-extraction may update in place.
QUOTE_FIELDS = ("kind", "cue", "cue_start", "cue_end", "speaker_id", "speaker_start", "speaker_end")


@dataclass(frozen=True, slots=True)
class SuggestionCounts:
    articles: int
    mentions: int
    quotes: int
    # Article id -> the reason its extraction failed.
    failed: dict[int, str] = field(default_factory=dict)


def _actors(extractions: Iterable[Extraction]) -> list[Actor]:
    actors: dict[tuple[str, str], Actor] = {}
    for extraction in extractions:
        for mention in extraction.entities:
            actor = actors.setdefault(
                (mention.canonical, mention.kind), Actor(mention.canonical, mention.kind)
            )
            actor.spellings.add(mention.text)
    return list(actors.values())


def _extract_each(
    articles: list[Article],
) -> tuple[list[tuple[Article, Extraction]], dict[int, str]]:
    """The chunk in one pass; if that fails, each article alone, so that one bad article
    costs only its own suggestions."""
    try:
        return list(zip(articles, extract(a.body for a in articles), strict=True)), {}
    except Exception:
        if len(articles) == 1:
            logger.exception("Extraction failed on article %s", articles[0].pk)
        else:
            logger.exception("Extraction failed on a chunk; extracting its articles one by one")
    done: list[tuple[Article, Extraction]] = []
    failed: dict[int, str] = {}
    for article in articles:
        try:
            (extraction,) = extract([article.body])
        except Exception as error:
            if len(articles) > 1:
                logger.exception("Extraction failed on article %s", article.pk)
            failed[article.pk] = failure_reason(error)
        else:
            done.append((article, extraction))
    return done, failed


def suggestions_create(*, article_ids: Sequence[int], again: bool = False) -> SuggestionCounts:
    """Extract, store and link the machine suggestions of these articles.

    Articles already extracted are skipped unless `again`. Articles whose extraction or
    storing fails are recorded as failed (their reason on the article) and counted in
    `failed`; the others are stored and linked all the same.
    """
    articles = Article.objects.filter(pk__in=article_ids).order_by("pk")
    if not again:
        articles = articles.filter(extracted_at__isnull=True)
    todo = list(articles.only("pk", "body"))
    if not todo:
        return SuggestionCounts(0, 0, 0)
    extracted, failed = _extract_each(todo)
    entity_ids = entities_resolve(actors=_actors(e for _, e in extracted))
    stored, mentions, quotes = _store_each(extracted, entity_ids, again=again, failed=failed)
    for article_id, reason in failed.items():
        article_extraction_fail(article_id=article_id, reason=reason)
    if stored:
        stories_assign(article_ids=stored)
        # After the stories: a lone surname or a spelling variant joins its actor by the
        # evidence of the story it is in.
        entities_reconcile(article_ids=stored)
        statements_link(article_ids=stored)
    return SuggestionCounts(len(stored), mentions, quotes, failed)


@dataclass(slots=True)
class _Stored:
    """What an article holds before its pass: mentions as (pk, entity, start, end, origin,
    status), quotes (the untouched machine suggestions' pks apart), story terms."""

    mentions: list[tuple[int, int, int, int, str, str]] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    untouched: set[int] = field(default_factory=set)
    terms: dict[str, float] = field(default_factory=dict)


def _stored_state(article_ids: Sequence[int]) -> dict[int, _Stored]:
    """Four queries, however many articles."""
    state: dict[int, _Stored] = {}
    if not article_ids:
        return state
    for row in Mention.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "pk", "entity_id", "start", "end", "origin", "status"
    ):
        state.setdefault(row[0], _Stored()).mentions.append(row[1:])
    quotes = Quote.objects.filter(article_id__in=article_ids)
    for quote in quotes.only("pk", "article_id", "start", "end", "origin", "status", *QUOTE_FIELDS):
        state.setdefault(quote.article_id, _Stored()).quotes.append(quote)
    # A quote someone built on stays; the machine's own stance suggestions on it do not
    # count as building on it.
    built_on = Stance.objects.filter(quote=OuterRef("pk")).exclude(
        origin=Origin.MACHINE, status=ReviewStatus.SUGGESTED
    )
    for article_id, pk in (
        quotes.filter(**_machine_suggested(), notes__isnull=True, tags__isnull=True)
        .filter(~Exists(built_on))
        .values_list("article_id", "pk")
    ):
        state[article_id].untouched.add(pk)
    for article_id, term, weight in ArticleTerm.objects.filter(
        article_id__in=article_ids
    ).values_list("article_id", "term", "weight"):
        state.setdefault(article_id, _Stored()).terms[term] = weight
    return state


def _store_each(
    extracted: list[tuple[Article, Extraction]],
    entity_ids: dict[tuple[str, str], int],
    *,
    again: bool,
    failed: dict[int, str],
) -> tuple[list[int], int, int]:
    """The chunk's findings in one transaction; if that fails, each article's in its
    own, and an article that still fails goes into `failed`. Returns the ids stored and
    how many mentions and quotes were made."""
    try:
        return _store(extracted, entity_ids, again=again)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        if len(extracted) == 1:
            logger.exception("Storing the suggestions of article %s failed", extracted[0][0].pk)
            failed[extracted[0][0].pk] = failure_reason(error)
            return [], 0, 0
        logger.exception("Storing a chunk's suggestions failed; storing each article alone")
    stored: list[int] = []
    mentions = quotes = 0
    for item in extracted:
        made = _store_each([item], entity_ids, again=again, failed=failed)
        stored += made[0]
        mentions += made[1]
        quotes += made[2]
    return stored, mentions, quotes


class _EntityGone(Exception):
    """An entity the chunk's names resolved to was joined to another meanwhile."""


def _store(
    extracted: list[tuple[Article, Extraction]],
    entity_ids: dict[tuple[str, str], int],
    *,
    again: bool,
) -> tuple[list[int], int, int]:
    """Store these articles' findings and mark them extracted, in one transaction: a
    handful of statements for the whole chunk. Articles found marked extracted meanwhile
    are left out, unless this is a re-extraction.

    The chunk's entities are held with a row lock (FOR KEY SHARE), not the "entities"
    lock: an automatic join or an analyst's merge, which deletes the joined entity, waits
    for this transaction only if it joins one of these entities, and the other worker's
    passes go on meanwhile. If one of them is gone already (joined since the lookup), the
    store starts again under the "entities" lock, resolving the names anew."""
    try:
        return _store_held(extracted, entity_ids, again=again, serialise=False)
    except _EntityGone:
        return _store_held(extracted, entity_ids, again=again, serialise=True)


def _store_held(
    extracted: list[tuple[Article, Extraction]],
    entity_ids: dict[tuple[str, str], int],
    *,
    again: bool,
    serialise: bool,
) -> tuple[list[int], int, int]:
    with transaction.atomic(), serialised("entities") if serialise else nullcontext():
        if serialise:
            _entities_alive(entity_ids)
        # Locked in id order, as a join or a merge locks its entities (FOR UPDATE): the
        # two wait for each other, never deadlock. The deferred foreign keys of the rows
        # stored below need these entities at commit.
        wanted = set(entity_ids.values())
        if _hold_entities(wanted) != wanted and not serialise:
            raise _EntityGone
        # Locked in id order, so that two runs over overlapping chunks (a redelivered
        # task beside a worker's start-up pass) take turns instead of deadlocking; the
        # second finds the articles marked and leaves them.
        locked = Article.objects.select_for_update().filter(pk__in=[a.pk for a, _ in extracted])
        if not again:
            locked = locked.filter(extracted_at__isnull=True)
        mine = set(locked.order_by("pk").values_list("pk", flat=True))
        if not mine:
            return [], 0, 0
        Article.objects.filter(pk__in=mine).update(
            extracted_at=timezone.now(), extraction_error="", extraction_failed_at=None
        )
        state = _stored_state(sorted(mine))
        mentions: list[Mention] = []
        quotes: list[Quote] = []
        terms: list[tuple[int, str, float]] = []
        for article, extraction in extracted:
            if article.pk not in mine:
                continue
            stored = state.get(article.pk) or _Stored()
            mentions += _store_mentions(article, extraction, entity_ids, stored)
            quotes += _store_quotes(article, extraction, entity_ids, stored)
            terms += _store_terms(article, extraction, stored)
        # COPY, not bulk_create: preparing each value through its field cost more than
        # the database's work on these thousands of rows a chunk (newsdesk.bulk).
        copy_insert(mentions)
        copy_insert(quotes)
        stance_suggestions_store(
            found=[
                (article, extraction.stances)
                for article, extraction in extracted
                if article.pk in mine
            ],
            entity_ids=entity_ids,
        )
        copy_rows(ArticleTerm, ("article_id", "term", "weight"), terms)
    return sorted(mine), len(mentions), len(quotes)


def _hold_entities(ids: set[int]) -> set[int]:
    """Row-lock these entities against deletion (FOR KEY SHARE: their updates, and other
    workers holding them too, go on) until the transaction ends; returns those that exist.
    Django's select_for_update has no KEY SHARE."""
    if not ids:
        return set()
    table = connection.ops.quote_name(Entity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",  # noqa: S608
            [sorted(ids)],
        )
        return {pk for (pk,) in cursor.fetchall()}


def _entities_alive(entity_ids: dict[tuple[str, str], int]) -> None:
    """Point `entity_ids` at live entities: a name whose entity was joined to another
    since it was looked up resolves again (to the entity its spellings moved to)."""
    alive = set(Entity.objects.filter(pk__in=set(entity_ids.values())).values_list("pk", flat=True))
    gone = [key for key, pk in entity_ids.items() if pk not in alive]
    if gone:
        entity_ids.update(entities_resolve(actors=[Actor(name, kind) for name, kind in gone]))


def _machine_suggested() -> dict[str, Any]:
    return {"origin": Origin.MACHINE, "status": ReviewStatus.SUGGESTED}


def _store_mentions(
    article: Article,
    extraction: Extraction,
    entity_ids: dict[tuple[str, str], int],
    stored_before: _Stored,
) -> list[Mention]:
    """The mentions to create, those not stored yet; a stored suggestion at the same span keeps its
    id (its entity updated if the name now resolves elsewhere); an untouched suggestion
    no longer found goes."""
    body = article.body
    kept: set[tuple[int, int, int]] = set()  # what analysts made or reviewed
    suggested: dict[tuple[int, int], list[tuple[int, int]]] = {}  # span -> [(pk, entity)]
    for pk, entity_id, start, end, origin, status in stored_before.mentions:
        if (origin, status) == (Origin.MACHINE, ReviewStatus.SUGGESTED):
            suggested.setdefault((start, end), []).append((pk, entity_id))
        else:
            kept.add((entity_id, start, end))
    new: list[Mention] = []
    moved: dict[int, int] = {}  # pk -> new entity id
    for found in extraction.entities:
        entity_id = entity_ids[(found.canonical, found.kind)]
        if (entity_id, found.start, found.end) in kept:
            continue
        kept.add((entity_id, found.start, found.end))
        stored = suggested.get((found.start, found.end))
        if stored:
            same = next((s for s in stored if s[1] == entity_id), None)
            pk, old_entity = same or stored[0]
            stored.remove((pk, old_entity))
            if old_entity != entity_id:
                moved[pk] = entity_id
            continue
        selector = text_quote_selector(body, found.start, found.end)
        new.append(
            Mention(
                article=article,
                entity_id=entity_id,
                start=found.start,
                end=found.end,
                exact=selector.exact,
                prefix=selector.prefix,
                suffix=selector.suffix,
                **_machine_suggested(),
            )
        )
    gone = [pk for stored in suggested.values() for pk, _ in stored]
    if gone:
        # One DELETE (what Django's own fast delete runs): `delete()` would load every
        # row and write a history row for each. The tombstone triggers still fire.
        Mention.objects.filter(pk__in=gone)._raw_delete(Mention.objects.db)
    # One UPDATE per entity the moved mentions now name, not one per mention.
    by_entity: dict[int, list[int]] = {}
    for pk, entity_id in moved.items():
        by_entity.setdefault(entity_id, []).append(pk)
    now = timezone.now()
    for entity_id, pks in by_entity.items():
        Mention.objects.filter(pk__in=pks).update(entity_id=entity_id, updated_at=now)
    return new


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def _store_quotes(
    article: Article,
    extraction: Extraction,
    entity_ids: dict[tuple[str, str], int],
    stored_before: _Stored,
) -> list[Quote]:
    """The quotes to create, those not stored yet; a stored untouched suggestion at the same span,
    or else the one overlapping it most, keeps its id and is updated in place where the
    new finding differs; an untouched suggestion no longer found goes."""
    body = article.body
    kept: set[tuple[int, int]] = set()  # spans an analyst made, reviewed or built on
    stored: dict[int, Quote] = {}
    for quote in stored_before.quotes:
        if quote.pk in stored_before.untouched:
            stored[quote.pk] = quote
        else:
            kept.add((quote.start, quote.end))
    by_span = {(q.start, q.end): q for q in stored.values()}
    wanted: list[tuple[Any, dict[str, Any]]] = []
    for found in extraction.quotes:
        if (found.start, found.end) in kept:
            continue
        kept.add((found.start, found.end))
        speaker = (
            entity_ids.get((found.speaker, found.speaker_kind or "")) if found.speaker else None
        )
        values = {
            "kind": found.kind,
            "cue": found.cue[:100],
            "cue_start": found.cue_start,
            "cue_end": found.cue_end,
            "speaker_id": speaker,
            "speaker_start": found.speaker_start,
            "speaker_end": found.speaker_end,
        }
        wanted.append((found, values))
    matched: dict[int, tuple[Any, dict[str, Any]]] = {}
    unmatched: list[tuple[Any, dict[str, Any]]] = []
    for found, values in wanted:
        same = by_span.get((found.start, found.end))
        if same is not None and same.pk not in matched:
            matched[same.pk] = (found, values)
        else:
            unmatched.append((found, values))
    new: list[Quote] = []
    for found, values in unmatched:
        # A changed span of the same quote: the stored suggestion it overlaps most.
        span = (found.start, found.end)
        candidates = [
            q
            for q in stored.values()
            if q.pk not in matched and _overlap(span, (q.start, q.end)) > 0
        ]
        if candidates:
            best = max(candidates, key=lambda q: (_overlap(span, (q.start, q.end)), -q.pk))
            matched[best.pk] = (found, values)
            continue
        selector = text_quote_selector(body, found.start, found.end)
        new.append(
            Quote(
                article=article,
                start=found.start,
                end=found.end,
                exact=selector.exact,
                prefix=selector.prefix,
                suffix=selector.suffix,
                **values,
                **_machine_suggested(),
            )
        )
    gone = [pk for pk in stored if pk not in matched]
    if gone:
        Quote.objects.filter(pk__in=gone)._raw_delete(Quote.objects.db)
    now = timezone.now()
    for pk, (found, values) in matched.items():
        quote = stored[pk]
        changes = {name: value for name, value in values.items() if getattr(quote, name) != value}
        if (quote.start, quote.end) != (found.start, found.end):
            selector = text_quote_selector(body, found.start, found.end)
            changes.update(
                start=found.start,
                end=found.end,
                exact=selector.exact,
                prefix=selector.prefix,
                suffix=selector.suffix,
            )
        if changes:
            Quote.objects.filter(pk=pk).update(**changes, updated_at=now)
    return new


def _store_terms(
    article: Article, extraction: Extraction, stored_before: _Stored
) -> list[tuple[int, str, float]]:
    """The story terms to create, as (article, term, weight) rows (forty-odd an article:
    no model instances): all of them, unless they are those stored already."""
    terms = {term[:100]: weight for term, weight in extraction.terms.items()}
    stored = stored_before.terms
    if stored == terms:
        return []
    if stored:
        ArticleTerm.objects.filter(article=article)._raw_delete(ArticleTerm.objects.db)
    return [(article.pk, term, weight) for term, weight in terms.items()]
