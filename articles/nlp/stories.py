"""Stories: which articles, across outlets, report the same event. Plain Python, no ORM.

Two halves, used alike by the database service (`articles.services.stories`) and by the
in-memory evaluation (`tests.benchmarks.eval_stories`):

`story_terms(doc, names)` turns one parsed article into at most `TOP_K` weighted keywords:
lemmas of nouns, proper nouns, verbs and adjectives (no stop words, punctuation, numbers
or words of web furniture such as "advertisement", "subscribe", "Getty"), and one term
per actor: its canonical name folded with `names.identity_key`, so "Yury Ushakov", "Yuri
Ushakov" and a later "Ushakov" are one term, counted once per mention, in place of the
words of its mentions. Actor terms and proper nouns carry `ACTOR_MARK` ("@putin"), so
that the words of an article can be weighed apart from the names in it. Weights are
sublinear counts, L2-normalised. No corpus statistics are needed there, so any worker
computes them alone; what a word is worth across the corpus (IDF) is applied when a
story is chosen.

`StoryIndex` chooses a story for each new article: single-pass (incremental) clustering
by TF-IDF cosine to the centroids of candidate stories.
1. Candidates: the article's `lookup_terms` most distinctive terms (highest TF-IDF,
   leaving out those in more than `max_df_ratio` of the articles) are looked up in an
   inverted index; the articles within `window_days` sharing them are ranked by the dot
   product over those terms, and the best `max_candidates` name the candidate stories.
2. Decision: the similarity to a candidate story is the cosine to the centroid of its
   members within the window (at most `max_members`, the nearest in time), each member
   a unit TF-IDF vector. The best story at or above `threshold` wins, provided the
   article's words alone (its terms but the actors) also reach `word_threshold` against
   the words of that centroid; if none does, the article starts a new story.

Why the words must agree too: the same actors meet again and again (two presidents, a
foreign minister, their capitals), and a later meeting of the same people is written up
with the same names. With few articles to count words in (a new database, a small
import), those names are rare and carry most of the cosine, so the names alone can lift
a different event over the threshold. What happened (a forum, a visit, a deal on a
river) is told by the words; the word cosine asks for that evidence. Undated articles,
which no time window can keep apart, rely on it most.

Why this method:
- Cost per article is bounded by the lookup (a few posting lists within a time window)
  and `max_candidates` stories of at most `max_members` members each: it does not grow
  with the corpus. Comparing all pairs is O(n^2) and does not fit batches that arrive
  over time: every new article would be compared with every stored one, and each batch
  would have to re-cluster what came before it.
- Centroid, not single link: with single link (join the story of the nearest article)
  a chain of articles, each a little like the next, merges separate events (a summit,
  the press conference after it, a later visit by one of the same ministers). A
  centroid asks a newcomer to resemble the story as a whole, and one article moves it by
  only 1/n. Average link (the mean of the cosines to the members) is stricter still and
  penalises the many ways outlets write one event up. On FNC-1, at the precision asked
  for (>= 0.98 on half A of the dev headlines), the centroid recalls 0.86 of same-story
  pairs, average and single link 0.84 (a linkage sweep of commit 920b04b; the sweep in
  bench/results/stories_fnc1.json now varies the two thresholds of the centroid).
  Single link does as well as it does there because FNC-1's stories lie far apart; news
  of one region and its recurring actors do not, which is where chaining hurts.
  `linkage` keeps all three for that comparison.
- Precision first: `threshold` is the best F1 on the tuning halves of FNC-1 (half A of
  the headlines, and half story_A of the stories) among the settings whose precision is
  at least 0.97 in every arrival order, not the best F1 overall (0.15: P 0.91, R 0.96).
  `word_threshold` matters little there (FNC-1's stories differ in their words, not
  only in their actors): it is the most of the swept values (0, 0.05, 0.10, 0.15) that
  costs no more than 0.01 of mean F1 on those halves (0.15: 0.008 on A, 0.006 on
  story_A), for the news it is there for, where the same actors recur across events.
  Quotes are linked into statements within a story, so two events in one story mislead
  an analyst, while one event split in two only leaves its coverage in two places.
- Why not plain MinHash (used for near-duplicates, `ingest.dedupe`): it estimates the
  Jaccard similarity of unweighted shingle sets. Outlets writing up one event in their
  own words share few shingles, and a word set's Jaccard is ruled by common words: a rare
  name or place, which says which event it is, counts no more than "said". LSH bands
  tuned to such low similarities return most of the window as candidates. It finds
  reprints, not stories.
- IDF comes from the document frequencies among the articles seen so far (the service
  counts ArticleTerm rows; the in-memory index its own articles): it adapts to the
  corpus and needs no trained model.
- Actors count once per mention, like a word (`NAME_WEIGHT` 1). They are already weighted
  up by standing for every spelling and short form of a name, and by their rarity (IDF).
  At 1.5 or 2 a shared envoy and two shared countries were enough to pull a different
  event into a story in the tests; on FNC-1 the weight changes F1 by less than the noise.

An article's date is its publication date, or the date its text states
(`ingest.dates`); never when it was stored. An article with no date (`None`) is within
every window, so it is grouped by its content alone; the FNC-1 evaluation relies on that,
its bodies having no dates.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from spacy.tokens import Doc

from articles.ingest.chrome import AGENCIES
from articles.names import identity_key, normalise_alias
from articles.nlp.gazetteer import KINDS

# Keywords kept per article: enough for the event's names, places and verbs; few enough
# that the candidate lookup stays cheap (rows per article in ArticleTerm).
TOP_K = 40
# ArticleTerm.term is a CharField(100).
MAX_TERM_CHARS = 100
# An actor's canonical name counts this many times a content word, per mention.
NAME_WEIGHT = 1.0
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
# Words of web furniture that the cleaner may leave inside a line ("Photo: Getty Images",
# "Click to subscribe"): they would make unrelated articles of one outlet look alike.
CHROME_WORDS = frozenset(
    {
        "advertisement",
        "advert",
        "ad",
        "ads",
        "sponsored",
        "subscribe",
        "subscriber",
        "subscription",
        "newsletter",
        "loading",
        "load",
        "click",
        "tap",
        "scroll",
        "share",
        "tweet",
        "retweet",
        "email",
        "e-mail",
        "print",
        "comment",
        "reply",
        "login",
        "log",
        "signup",
        "follow",
        "like",
        "facebook",
        "twitter",
        "instagram",
        "whatsapp",
        "linkedin",
        "reddit",
        "youtube",
        "pinterest",
        "app",
        "download",
        "cookie",
        "javascript",
        "browser",
        "website",
        "homepage",
        "caption",
        "photo",
        "photograph",
        "picture",
        "pictured",
        "image",
        "images",
        "photos",
        "videos",
        "comments",
        "video",
        "gallery",
        "slideshow",
        "copyright",
        "credit",
        "read",
        "related",
        "article",
        "story",
        "page",
        "mynews",
        "feed",
        "poll",
        "quiz",
        "update",
        "updated",
        "file",
        "getty",
        "shutterstock",
        "alamy",
    }
    | {agency.lower() for agency in AGENCIES if " " not in agency}
)


# Actor terms (an entity's canonical name, a proper noun) start with this mark, so that the
# words of an article can be told from the names in it (`is_actor`). Lemmas never do.
ACTOR_MARK = "@"


def is_actor(term: str) -> bool:
    return term.startswith(ACTOR_MARK)


# Verbs every report has whatever its event ("said", "told", "according to").
REPORTING_VERBS = frozenset(
    {"say", "tell", "add", "accord", "note", "ask", "report", "state", "write", "reveal"}
)


def _fits(term: str) -> str:
    return term[:MAX_TERM_CHARS].strip()


def story_terms(doc: Doc, names: Iterable[str], *, top_k: int = TOP_K) -> dict[str, float]:
    """At most `top_k` keywords of a parsed article with L2-normalised weights.

    `names` are the canonical names of the article's entity mentions, one per mention
    (repeats count). Terms are lower case and at most 100 characters long.
    """
    counts: defaultdict[str, float] = defaultdict(float)
    names = list(names)
    for token in doc:
        if names and token.ent_type_ in KINDS:
            continue  # the actor's canonical name stands for the words of its mentions
        if token.pos_ not in CONTENT_POS or token.is_stop or token.like_url or token.like_email:
            continue
        text = token.text
        if not any(ch.isalpha() for ch in text) or len(text) < 2:
            continue
        lemma = (token.text if token.pos_ == "PROPN" else token.lemma_).lower()
        lemma = lemma.strip("'\u2019-.@")
        if len(lemma) < 2 or CHROME_WORDS.intersection((lemma, token.lower_, token.lemma_)):
            continue
        if (lemma in REPORTING_VERBS and token.pos_ == "VERB") or token.lower_ == "according":
            continue
        counts[_fits(ACTOR_MARK + lemma if token.pos_ == "PROPN" else lemma)] += 1.0
    for name in names:
        key = identity_key(name)
        if key and CHROME_WORDS.isdisjoint(normalise_alias(name).split()):
            counts[_fits(ACTOR_MARK + key)] += NAME_WEIGHT
    return normalised_top(counts, top_k)


def normalised_top(counts: Mapping[str, float], top_k: int = TOP_K) -> dict[str, float]:
    """The `top_k` heaviest terms (sublinear: 1 + ln count), L2-normalised; ties by term."""
    weighted = {term: 1.0 + math.log(count) for term, count in counts.items() if count >= 1}
    best = heapq.nsmallest(top_k, weighted.items(), key=lambda item: (-item[1], item[0]))
    norm = math.sqrt(sum(weight * weight for _, weight in best))
    if norm == 0:
        return {}
    return {term: weight / norm for term, weight in best}


# --- choosing a story ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryParams:
    """How stories are chosen. `threshold`, `word_threshold` and `linkage` were chosen on
    the tuning halves of the FNC-1 dev stances (tests/benchmarks/eval_stories.py,
    precision first); the rest bound the cost per article."""

    # TF-IDF cosine to a story's centroid at or above which an article joins it.
    threshold: float = 0.22
    # ... and the least cosine of its words alone (actor terms left out) to the words of
    # that centroid: sharing the actors of a story is not sharing its event.
    word_threshold: float = 0.15
    # Articles further apart than this in time never share a story.
    window_days: float = 3.0
    # Distinctive terms of the new article looked up in the inverted index.
    lookup_terms: int = 12
    # Terms in more than this share of the articles are never looked up ("say", "year").
    max_df_ratio: float = 0.05
    # ... unless the corpus is small: a term in at most this many articles may always be.
    lookup_df_floor: int = 50
    # Candidate articles (best by shared terms) whose stories are compared.
    max_candidates: int = 30
    # Members of a story compared with the new article, the nearest in time.
    max_members: int = 50
    # "centroid" (cosine to the members' mean), "average" (mean cosine to the members)
    # or "single" (cosine to the nearest member); the last two are kept for comparison.
    linkage: str = "centroid"

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


@dataclass(slots=True)
class Member:
    """An article as far as story choice is concerned."""

    key: int
    terms: dict[str, float]
    when: datetime | None
    story: int


@dataclass(slots=True)
class StoryIndex:
    """Articles, their stories and term statistics, in memory.

    The evaluation feeds it every article with `assign`; the database service loads the
    slice of the database a batch needs (`add_known` for candidates, `document_frequency`
    and `articles_seen` from ArticleTerm counts, `count_terms=False` since the counts
    already include the batch) and then calls `assign` for each article of the batch.
    New stories get negative keys (-1, -2, ...), so they never clash with stored ids.
    """

    params: StoryParams = field(default_factory=StoryParams)
    document_frequency: Counter[str] = field(default_factory=Counter)
    articles_seen: int = 0
    count_terms: bool = True
    members: dict[int, Member] = field(default_factory=dict)
    postings: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    stories: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    _new_keys: itertools.count[int] = field(default_factory=lambda: itertools.count(-1, -1))
    # Members' TF-IDF vectors, valid while the document frequencies stay as they were
    # (`_vectors_seen` articles seen): for a whole batch in the database service, which
    # counts no terms as it assigns; afresh after each article when the index counts.
    _vectors: dict[int, dict[str, float]] = field(default_factory=dict)
    _vectors_seen: int = -1

    def idf(self, term: str) -> float:
        df = self.document_frequency.get(term, 0)
        return math.log((1 + self.articles_seen) / (1 + df)) + 1.0

    def vector(self, terms: Mapping[str, float]) -> dict[str, float]:
        """TF-IDF weights, L2-normalised, with the current document frequencies."""
        weighted = {term: weight * self.idf(term) for term, weight in terms.items()}
        norm = math.sqrt(sum(w * w for w in weighted.values()))
        return {t: w / norm for t, w in weighted.items()} if norm else {}

    def member_vector(self, member: Member) -> dict[str, float]:
        """`vector` of a member's terms, computed once per state of the frequencies."""
        if self._vectors_seen != self.articles_seen:
            self._vectors.clear()
            self._vectors_seen = self.articles_seen
        found = self._vectors.get(member.key)
        if found is None:
            found = self._vectors[member.key] = self.vector(member.terms)
        return found

    def add_known(self, member: Member) -> None:
        """An article whose story is already decided (stored, or assigned earlier)."""
        self.members[member.key] = member
        for term in member.terms:
            self.postings[term].append(member.key)
        self.stories[member.story].append(member.key)

    def assign(self, key: int, terms: Mapping[str, float], when: datetime | None) -> int:
        """The story of a new article: an existing one's key, or a new negative key."""
        if self.count_terms:
            self.articles_seen += 1
            self.document_frequency.update(terms.keys())
        vector = self.vector(terms)
        story = self.choose(vector, when)
        if story is None:
            story = next(self._new_keys)
        self.add_known(Member(key, dict(terms), when, story))
        return story

    def lookup_terms(self, vector: Mapping[str, float]) -> list[str]:
        """The new article's most distinctive terms that are rare enough to look up."""
        params = self.params
        max_df = max(params.max_df_ratio * self.articles_seen, params.lookup_df_floor)
        rare = [t for t in vector if self.document_frequency.get(t, 0) <= max_df]
        return heapq.nlargest(params.lookup_terms, rare, key=lambda t: (vector[t], t))

    def within(self, when: datetime | None, other: datetime | None) -> bool:
        return when is None or other is None or abs(when - other) <= self.params.window

    def candidate_stories(self, vector: Mapping[str, float], when: datetime | None) -> list[int]:
        scores: defaultdict[int, float] = defaultdict(float)
        for term in self.lookup_terms(vector):
            idf = self.idf(term)
            for key in self.postings.get(term, ()):
                member = self.members[key]
                if self.within(when, member.when):
                    scores[key] += vector[term] * member.terms[term] * idf
        best = heapq.nlargest(self.params.max_candidates, scores.items(), key=_score_then_key)
        return list(dict.fromkeys(self.members[key].story for key, _ in best))

    def _members(self, when: datetime | None, story: int) -> list[Member]:
        """The story's members within the window, at most `max_members`, nearest first."""
        members = [
            self.members[key]
            for key in self.stories[story]
            if self.within(when, self.members[key].when)
        ]
        if when is not None:
            members.sort(key=lambda m: abs(when - m.when) if m.when else timedelta(0))
        return members[: self.params.max_members]

    def similarity(self, vector: Mapping[str, float], when: datetime | None, story: int) -> float:
        """TF-IDF cosine of an article to a story's members within the window: to their
        centroid, or the mean over them (average link), or to the nearest (single link)."""
        params = self.params
        members = self._members(when, story)
        if not members:
            return 0.0
        vectors = [self.member_vector(member) for member in members]
        if params.linkage == "average":
            return sum(_dot(vector, other) for other in vectors) / len(vectors)
        if params.linkage == "single":
            return max(_dot(vector, other) for other in vectors)
        centroid: Counter[str] = Counter()
        for other in vectors:
            centroid.update(other)  # adds the weights
        norm = math.sqrt(sum(w * w for w in centroid.values()))
        return _dot(vector, centroid) / norm if norm else 0.0

    def word_similarity(
        self, vector: Mapping[str, float], when: datetime | None, story: int
    ) -> float:
        """The cosine of the article's words (its terms but the actors) to the words of the
        centroid of the story's members within the window."""
        words = {term: weight for term, weight in vector.items() if not is_actor(term)}
        centroid: Counter[str] = Counter()
        for member in self._members(when, story):
            centroid.update(
                {t: w for t, w in self.member_vector(member).items() if not is_actor(t)}
            )
        norms = math.sqrt(sum(w * w for w in words.values())) * math.sqrt(
            sum(w * w for w in centroid.values())
        )
        return _dot(words, centroid) / norms if norms else 0.0

    def choose(self, vector: Mapping[str, float], when: datetime | None) -> int | None:
        """The best candidate story at or above the thresholds, or None (a new story)."""
        params = self.params
        best: tuple[float, int] | None = None
        for story in self.candidate_stories(vector, when):
            score = self.similarity(vector, when, story)
            if score < params.threshold or (best is not None and score <= best[0]):
                continue
            if params.word_threshold and (
                self.word_similarity(vector, when, story) < params.word_threshold
            ):
                continue
            best = (score, story)
        return best[1] if best else None


def _score_then_key(item: tuple[int, float]) -> tuple[float, int]:
    # Ties go to the earlier article (the smaller key), so runs are repeatable.
    return (item[1], -item[0])


def _dot(small: Mapping[str, float], other: Mapping[str, float]) -> float:
    if len(other) < len(small):
        small, other = other, small
    return sum(weight * other.get(term, 0.0) for term, weight in small.items())
