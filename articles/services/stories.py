"""Grouping newly extracted articles into stories, chunk by chunk.

`stories_assign` runs after a chunk's story terms are stored (ArticleTerm rows). It loads
the slice of the database the chunk needs into an `nlp.stories.StoryIndex` and lets it
decide, so the database path and the in-memory evaluation make the same choices:
- document frequencies of the chunk's terms, counted over ArticleTerm (for IDF);
- the stored articles within the time window that share one of each new article's
  rarest terms (the inverted-index lookup, served by the (term, article) unique index);
- the members within the window of the stories the best of those belong to.
A fixed number of queries per call, however many articles the chunk has; nothing is
compared pairwise over the corpus.

The time window (`settings.STORY_WINDOW_DAYS`, default 3) is measured between articles:
an article joins a story only through members dated within that many days of it, so a
story that keeps being covered goes on, while a like-worded event weeks later (the next
round of the same talks) starts its own. Most of an event's coverage across outlets
appears the same day or the next; three days also cover weekend follow-ups and date-only
or time-zone-shifted publication dates, without letting the candidates grow much.

An article's date is `published_at`: from its metadata, or the date its text states
(`ingest.dates`). An article with neither is undated, and an undated article is within
every window: it is grouped by its content alone. The import time is never taken for a
date: files of a year's coverage imported in one afternoon would all fall in one window,
and a story's first and last seen would say when someone imported it. A story's
first_seen and last_seen span its dated members only (empty when it has none).

Two workers finishing chunks at once are serialised by a transaction-level lock (a
PostgreSQL advisory lock): the second sees the stories the first created instead of
creating the same one again. Articles that already have a story are left alone, so calling
it again changes nothing.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, Least, Substr
from django.utils import timezone

from articles.models import Article, ArticleTerm, Story
from articles.nlp.stories import Member, StoryIndex, StoryParams
from articles.services.locks import serialised

DEFAULT_WINDOW_DAYS = 3.0
LOCK_NAME = "articles.stories"
LABEL_CHARS = 300  # Story.label
OPENING_CHARS = 2 * LABEL_CHARS  # of the body, for a label: whitespace may collapse

Terms = dict[str, float]


@dataclass(frozen=True, slots=True)
class _New:
    pk: int
    title: str
    opening: str
    seen: datetime | None  # None: undated


def story_params() -> StoryParams:
    return StoryParams(
        window_days=float(getattr(settings, "STORY_WINDOW_DAYS", DEFAULT_WINDOW_DAYS))
    )


def stories_assign(*, article_ids: Sequence[int]) -> dict[int, int]:
    """Give each of these articles a story, an existing one or a new one.

    Returns article id -> story id for every given article that exists, including those
    that already had a story (which are not changed).
    """
    if not article_ids:
        return {}
    params = story_params()
    with transaction.atomic(), serialised(LOCK_NAME):
        assigned, new = _batch(article_ids)
        if not new:
            return assigned
        terms = _batch_terms(new)
        index = _index(new, terms, params)
        ordered = sorted(new, key=_date_order)
        chosen = {a.pk: index.assign(a.pk, terms.get(a.pk, {}), a.seen) for a in ordered}
        assigned.update(_save(ordered, chosen))
    return assigned


def _date_order(article: _New) -> tuple[int, float, int]:
    # Dated articles in date order, then the undated ones in the order they were stored.
    return (0, article.seen.timestamp(), article.pk) if article.seen else (1, 0.0, article.pk)


def _batch(article_ids: Sequence[int]) -> tuple[dict[int, int], list[_New]]:
    assigned: dict[int, int] = {}
    new: list[_New] = []
    rows = (
        Article.objects.filter(pk__in=article_ids)
        .annotate(seen=F("published_at"), opening=Substr("body", 1, OPENING_CHARS + 1))
        .values_list("pk", "story_id", "title", "opening", "seen")
    )
    for pk, story_id, title, opening, seen in rows:
        if story_id is None:
            new.append(_New(pk, title, opening, seen))
        else:
            assigned[pk] = story_id
    return assigned, new


def _batch_terms(new: list[_New]) -> dict[int, Terms]:
    terms: defaultdict[int, Terms] = defaultdict(dict)
    rows = ArticleTerm.objects.filter(article_id__in=[a.pk for a in new]).values_list(
        "article_id", "term", "weight"
    )
    for article_id, term, weight in rows:
        terms[article_id][term] = weight
    return dict(terms)


def _index(new: list[_New], terms: dict[int, Terms], params: StoryParams) -> StoryIndex:
    """A StoryIndex holding what the chunk's decisions need from the database."""
    # Document frequencies of every term of the chunk (whose own rows are stored already,
    # hence count_terms=False); a subquery keeps thousands of terms out of the SQL.
    index = StoryIndex(
        params=params,
        document_frequency=Counter(_frequencies([a.pk for a in new])),
        articles_seen=Article.objects.count(),
        count_terms=False,
    )
    lookup: set[str] = set()
    for article_terms in terms.values():
        lookup.update(index.lookup_terms(index.vector(article_terms)))
    if not lookup:
        return index
    since, until = _window(new, params)
    # The inverted-index lookup: stored articles of the window having one of the rare
    # terms (the (term, article) unique index finds the rows; only these terms' rows come
    # back, which is all the candidate ranking needs).
    probe = StoryIndex(
        params=params,
        document_frequency=index.document_frequency,
        articles_seen=index.articles_seen,
        count_terms=False,
    )
    hits = ArticleTerm.objects.filter(term__in=sorted(lookup), article__story__isnull=False)
    for member in _members_in_window(hits, since, until):
        probe.add_known(member)
    candidates: set[int] = set()
    for article in new:
        vector = index.vector(terms.get(article.pk, {}))
        candidates.update(probe.candidate_stories(vector, article.seen))
    if not candidates:
        return index
    # Every member within the window of those stories, with all its terms.
    rows = ArticleTerm.objects.filter(article__story_id__in=candidates)
    members = _members_in_window(rows, since, until)
    for member in members:
        index.add_known(member)
    # The members' own terms need their frequencies too, or their vectors (and so the
    # centroids) would weigh a term the chunk lacks as if no article had it.
    for term, n in _frequencies([m.key for m in members]).items():
        index.document_frequency[term] = n  # the same count for the chunk's terms
    return index


def _window(new: list[_New], params: StoryParams) -> tuple[datetime | None, datetime | None]:
    """The span of dates the chunk's candidates may have; (None, None) for no limit, which
    is the case as soon as one of the chunk's articles is undated."""
    dates = [a.seen for a in new]
    if any(when is None for when in dates):
        return None, None
    known = [when for when in dates if when is not None]
    return min(known) - params.window, max(known) + params.window


def _frequencies(article_ids: list[int]) -> dict[str, int]:
    """Document frequencies of every term these articles have."""
    rows = (
        ArticleTerm.objects.filter(
            term__in=ArticleTerm.objects.filter(article_id__in=article_ids).values("term")
        )
        .values("term")
        .annotate(n=Count("pk"))
        .values_list("term", "n")
    )
    return dict(rows)


def _members_in_window(
    rows: QuerySet[ArticleTerm], since: datetime | None, until: datetime | None
) -> list[Member]:
    """The articles of `rows` dated within [since, until] or undated (within every
    window), with the terms `rows` has; all of them when the window has no bounds."""
    members: dict[int, Member] = {}
    if since is not None and until is not None:
        rows = rows.filter(
            Q(article__published_at__range=(since, until)) | Q(article__published_at=None)
        )
    for article_id, term, weight, story_id, seen in rows.values_list(
        "article_id", "term", "weight", "article__story_id", "article__published_at"
    ):
        member = members.get(article_id)
        if member is None:
            member = members[article_id] = Member(article_id, {}, seen, story_id)
        member.terms[term] = weight
    return list(members.values())


def _label(article: _New) -> str:
    """The title of the story's first article, else the opening words of its body."""
    text = " ".join(article.title.split())
    cut = False
    if not text:
        text = " ".join(article.opening.split())
        cut = len(article.opening) > OPENING_CHARS
    if len(text) > LABEL_CHARS or cut:
        text = text[: LABEL_CHARS - 1]
        text = (text.rsplit(" ", 1)[0] if " " in text else text).rstrip(" ,;:.-") + "…"
    return text or f"Article {article.pk}"


def _first(members: list[_New]) -> datetime | None:
    return min((m.seen for m in members if m.seen is not None), default=None)


def _last(members: list[_New]) -> datetime | None:
    return max((m.seen for m in members if m.seen is not None), default=None)


def _save(ordered: list[_New], chosen: dict[int, int]) -> dict[int, int]:
    """Create the new stories, stretch the joined ones' dates, link the articles."""
    by_story: defaultdict[int, list[_New]] = defaultdict(list)
    for article in ordered:  # in date order: each story's first article comes first
        by_story[chosen[article.pk]].append(article)
    now = timezone.now()
    created = {
        key: Story(label=_label(members[0]), first_seen=_first(members), last_seen=_last(members))
        for key, members in by_story.items()
        if key < 0
    }
    Story.objects.bulk_create(created.values())
    story_ids = {key: story.pk for key, story in created.items()}
    joined = []
    for key, members in by_story.items():
        if key > 0:
            if _first(members) is None:
                story_ids[key] = key
                continue  # undated newcomers leave the story's dates as they are
            first, last = Value(_first(members)), Value(_last(members))
            story = Story(pk=key, updated_at=now)
            # Expressions: the stored dates are stretched without being read first.
            story.first_seen = Least(Coalesce(F("first_seen"), first), first)
            story.last_seen = Greatest(Coalesce(F("last_seen"), last), last)
            joined.append(story)
            story_ids[key] = key
    if joined:
        Story.objects.bulk_update(joined, ["first_seen", "last_seen", "updated_at"])
    links = {a.pk: story_ids[chosen[a.pk]] for a in ordered}
    # Only articles still without a story: one an analyst set meanwhile is kept.
    Article.objects.filter(story__isnull=True).bulk_update(
        [Article(pk=pk, story_id=story_id, updated_at=now) for pk, story_id in links.items()],
        ["story", "updated_at"],
    )
    return links
