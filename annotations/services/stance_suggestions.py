"""The machine's stance suggestions of one article, stored beside its quotes and mentions.

`stance_suggestions_store` is called by `suggestions._store`, inside its transaction and
with the article's row locked, once the article's quotes are in. It makes the article's
suggested stances (origin machine, status suggested) what the extraction found:

- a suggestion found again keeps its row and id (a syncing client sees no change);
- an earlier suggestion not found again is deleted, unless someone has noted or tagged it;
- nothing is suggested where a stance with the same span, holder, target and polarity
  exists already, whoever made or reviewed it (a rejected suggestion is not made again).

A stance whose stance word is a quote's cue ("X denounced ..., saying") is tied to that
quote.
"""

from collections.abc import Sequence

from annotations.models import Polarity, Quote, Stance
from articles.anchoring import text_quote_selector
from articles.models import Article, Origin, ReviewStatus
from articles.nlp.results import StanceSpan

Key = tuple[int, int, int, int | None, str, int]


def _key(stance: Stance) -> Key:
    return (
        stance.start,
        stance.end,
        stance.holder_id,
        stance.target_entity_id,
        stance.target_text,
        stance.polarity_id,
    )


def stance_suggestions_store(
    *,
    article: Article,
    stances: Sequence[StanceSpan],
    entity_ids: dict[tuple[str, str], int],
) -> int:
    """Store these stances of `article` as suggestions; returns how many rows were added.

    One query when nothing is found; at most five (vocabulary, the article's stances,
    the stale ones' delete, the quotes of their cues, the insert) otherwise."""
    untouched = Stance.objects.filter(
        article=article,
        origin=Origin.MACHINE,
        status=ReviewStatus.SUGGESTED,
        notes__isnull=True,
        tags__isnull=True,
    )
    if not stances:
        untouched._raw_delete(Stance.objects.db)
        return 0
    polarities = dict(Polarity.objects.filter(is_active=True).values_list("slug", "pk"))
    found: dict[Key, StanceSpan] = {}
    for stance in stances:
        holder = entity_ids.get((stance.holder, stance.holder_kind))
        polarity = polarities.get(stance.polarity)
        if holder is None or polarity is None:
            continue
        target = (
            entity_ids.get((stance.target, stance.target_kind or "")) if stance.target else None
        )
        target_text = "" if target is not None else stance.target_text[:300]
        if target is None and not target_text:
            continue
        found.setdefault((stance.start, stance.end, holder, target, target_text, polarity), stance)
    existing = list(
        Stance.objects.filter(article=article).only(
            "pk",
            "start",
            "end",
            "holder_id",
            "target_entity_id",
            "target_text",
            "polarity_id",
            "origin",
            "status",
        )
    )
    stale = [
        row.pk
        for row in existing
        if row.origin == Origin.MACHINE
        and row.status == ReviewStatus.SUGGESTED
        and _key(row) not in found
    ]
    if stale:
        untouched.filter(pk__in=stale)._raw_delete(Stance.objects.db)
    taken = {_key(row) for row in existing}
    new = {key: stance for key, stance in found.items() if key not in taken}
    if not new:
        return 0
    cues = {s.cue_start for s in new.values() if s.cue_start is not None}
    quote_by_cue = dict(
        Quote.objects.filter(article=article, cue_start__in=cues)
        .exclude(status=ReviewStatus.REJECTED)
        .values_list("cue_start", "pk")
    )
    body = article.body
    rows = []
    for (start, end, holder, target, target_text, polarity), stance in new.items():
        selector = text_quote_selector(body, start, end)
        rows.append(
            Stance(
                article=article,
                start=start,
                end=end,
                exact=selector.exact,
                prefix=selector.prefix,
                suffix=selector.suffix,
                holder_id=holder,
                target_entity_id=target,
                target_text=target_text,
                polarity_id=polarity,
                quote_id=quote_by_cue.get(stance.cue_start),
                origin=Origin.MACHINE,
                status=ReviewStatus.SUGGESTED,
            )
        )
    Stance.objects.bulk_create(rows)
    return len(rows)
