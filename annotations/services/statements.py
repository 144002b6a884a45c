"""Statements: the same utterance reported by several outlets, linked across a story."""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from annotations.models import Quote, Statement
from articles.models import Article, ReviewStatus
from articles.nlp import variants
from articles.services.locks import serialised


@dataclass(slots=True)
class _Variant:
    quote: Quote
    story_id: int
    words: list[str]


def statements_link(*, article_ids: Sequence[int]) -> int:
    """Group the direct quotes of these articles' stories into Statements.

    The same utterance reported by several outlets is one Statement: quotes of different
    articles of one story whose quoted words line up (`variants.same_utterance`) and whose
    speakers agree (or one is unknown). A quote joins an existing statement of its story
    when it matches the reference wording, otherwise it may start one with its matches.
    The reference is the wording most variants share (the earliest on a tie); each
    variant's `similarity` is to it. Rejected quotes are left out. Returns the number of
    quotes newly linked. Queries: a fixed handful per call, whatever the number of quotes.
    """
    story_ids = set(
        Article.objects.filter(pk__in=article_ids, story__isnull=False).values_list(
            "story_id", flat=True
        )
    )
    if not story_ids:
        return 0
    with transaction.atomic(), serialised("statements"):
        quotes = list(
            Quote.objects.filter(
                article__story_id__in=story_ids,
                kind__in=(Quote.Kind.DIRECT, Quote.Kind.MIXED),
            )
            .exclude(status=ReviewStatus.REJECTED)
            .select_related("statement")
            .annotate(story=F("article__story_id"))
            .order_by("article_id", "start")
        )
        by_story: defaultdict[int, list[_Variant]] = defaultdict(list)
        for quote in quotes:
            found = variants.quoted_words(quote.exact)
            if len(found) >= variants.MIN_WORDS:
                by_story[quote.story].append(_Variant(quote, quote.story, found))
        changed: list[Quote] = []
        created: list[Statement] = []
        for story_id, items in by_story.items():
            changed.extend(_link_story(story_id, items, created))
        Statement.objects.bulk_create(created)
        Quote.objects.bulk_update(changed, ["statement", "similarity"], batch_size=500)
    return len(changed)


def _compatible(a: Quote, b: Quote) -> bool:
    return a.speaker_id is None or b.speaker_id is None or a.speaker_id == b.speaker_id


def _link_story(story_id: int, items: list[_Variant], created: list[Statement]) -> list[Quote]:
    """Link a story's unlinked quotes; new Statements are appended to `created`, unsaved.
    Statements are keyed by identity here, since the new ones have no id yet."""
    statements: dict[int, Statement] = {}
    members: defaultdict[int, list[_Variant]] = defaultdict(list)
    for item in items:
        statement = item.quote.statement
        if statement is not None:
            statements[id(statement)] = statement
            members[id(statement)].append(item)
    changed: list[Quote] = []
    loose = [item for item in items if item.quote.statement_id is None]
    for item in loose:
        if item.quote.statement is not None:  # taken by a group made earlier in the loop
            continue
        target = _best_statement(item, statements, members)
        if target is not None:
            statement = statements[target]
            reference = variants.words(statement.reference_text)
            item.quote.statement = statement
            item.quote.similarity = variants.align(reference, item.words).similarity
            members[target].append(item)
            changed.append(item.quote)
            continue
        group = [item]
        for other in loose:
            if (
                other is not item
                and other.quote.statement is None
                and other.quote.article_id not in {g.quote.article_id for g in group}
                and _compatible(item.quote, other.quote)
                and variants.same_utterance(item.words, other.words)
            ):
                group.append(other)
        if len(group) < 2:
            continue
        statement = _statement_for(story_id, group)
        created.append(statement)
        statements[id(statement)] = statement
        reference = variants.words(statement.reference_text)
        for member in group:
            member.quote.statement = statement
            member.quote.similarity = variants.align(reference, member.words).similarity
            members[id(statement)].append(member)
            changed.append(member.quote)
    return changed


def _best_statement(
    item: _Variant,
    statements: dict[int, Statement],
    members: dict[int, list[_Variant]],
) -> int | None:
    best, best_score = None, 0.0
    for statement_id, statement in statements.items():
        if any(m.quote.article_id == item.quote.article_id for m in members[statement_id]):
            continue
        if statement.speaker_id and item.quote.speaker_id not in (None, statement.speaker_id):
            continue
        reference = variants.words(statement.reference_text)
        if not variants.same_utterance(reference, item.words):
            continue
        score = variants.overlap(reference, item.words)
        if score > best_score:
            best, best_score = statement_id, score
    return best


def _statement_for(story_id: int, group: list[_Variant]) -> Statement:
    """A new (unsaved) Statement whose reference is the wording most of the group share."""
    wordings = Counter(" ".join(w.casefold() for w in member.words) for member in group)
    top = max(wordings.values())
    reference = next(m for m in group if wordings[" ".join(w.casefold() for w in m.words)] == top)
    speakers = {m.quote.speaker_id for m in group if m.quote.speaker_id is not None}
    return Statement(
        reference_text=variants.quoted_text(reference.quote.exact),
        speaker_id=speakers.pop() if len(speakers) == 1 else None,
        story_id=story_id,
    )
