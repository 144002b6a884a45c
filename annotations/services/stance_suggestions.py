"""The machine's stance suggestions of one article, stored beside its quotes and mentions.

`stance_suggestions_store` is called by `suggestions._store` for a whole chunk, inside its
transaction and with the articles' rows locked, once their quotes are in. It makes each article's
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
    found: Sequence[tuple[Article, Sequence[StanceSpan]]],
    entity_ids: dict[tuple[str, str], int],
) -> int:
    """Store the stances found in these articles as suggestions; returns how many rows
    were added.

    For a whole chunk at once: at most five queries however many articles (the
    vocabulary, the articles' stances, the stale ones' delete, the quotes of their cues,
    the insert), and one when nothing is found."""
    article_ids = [article.pk for article, _ in found]
    untouched = Stance.objects.filter(
        article_id__in=article_ids,
        origin=Origin.MACHINE,
        status=ReviewStatus.SUGGESTED,
        notes__isnull=True,
        tags__isnull=True,
    )
    if not any(stances for _, stances in found):
        untouched._raw_delete(Stance.objects.db)
        return 0
    polarities = dict(Polarity.objects.filter(is_active=True).values_list("slug", "pk"))
    wanted: dict[int, dict[Key, StanceSpan]] = {}
    for article, stances in found:
        keys = wanted.setdefault(article.pk, {})
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
            keys.setdefault(
                (stance.start, stance.end, holder, target, target_text, polarity), stance
            )
    existing = list(
        Stance.objects.filter(article_id__in=article_ids).only(
            "pk",
            "article_id",
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
        and _key(row) not in wanted.get(row.article_id, {})
    ]
    if stale:
        untouched.filter(pk__in=stale)._raw_delete(Stance.objects.db)
    taken = {(row.article_id, _key(row)) for row in existing}
    new = [
        (article, key, stance)
        for article, _ in found
        for key, stance in wanted.get(article.pk, {}).items()
        if (article.pk, key) not in taken
    ]
    if not new:
        return 0
    cues = {s.cue_start for _, _, s in new if s.cue_start is not None}
    quote_by_cue = {
        (article_id, cue_start): pk
        for article_id, cue_start, pk in Quote.objects.filter(
            article_id__in=article_ids, cue_start__in=cues
        )
        .exclude(status=ReviewStatus.REJECTED)
        .values_list("article_id", "cue_start", "pk")
    }
    rows = []
    for article, (start, end, holder, target, target_text, polarity), stance in new:
        selector = text_quote_selector(article.body, start, end)
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
                quote_id=quote_by_cue.get((article.pk, stance.cue_start)),
                origin=Origin.MACHINE,
                status=ReviewStatus.SUGGESTED,
            )
        )
    Stance.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
