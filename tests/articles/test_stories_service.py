"""`stories_assign`: stories from stored story terms, chunk by chunk, on the database.

The five seeds are stored as articles (their cleaned bodies) with their story terms, as
the extractor stores them, and dated as they were published: 000-003 report the Xi-Putin
talks of February 2022, 004 the September 2023 visit. Both are "Putin and Xi to meet in
Beijing" stories: with only these five articles to count words in, 004's similarity to
the first story is just under the threshold, and it is the time window that tells them
apart for certain.
"""

import itertools
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from articles.ingest import process
from articles.models import Article, ArticleTerm, Story
from articles.nlp import entities, model
from articles.nlp.stories import StoryIndex, story_terms
from articles.services.stories import stories_assign, story_params
from tests.factories import ArticleFactory

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"
FEB_3 = datetime(2022, 2, 3, 8, 0, tzinfo=UTC)
PUBLISHED = {
    "000": FEB_3,
    "001": FEB_3 + timedelta(hours=5),
    "002": FEB_3 + timedelta(hours=20),
    "003": FEB_3 + timedelta(days=1, hours=3),
    "004": datetime(2023, 9, 19, 10, 0, tzinfo=UTC),
}


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, tuple[str, str, dict[str, float]]]:
    """key -> (title, clean body, story terms), computed once: no database needed."""
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is missing")
    nlp = model.load()
    out = {}
    for path in sorted(SEEDS.glob("*.txt")):
        cleaned = process(path.read_bytes(), name=path.name)
        doc = nlp(cleaned.body)
        names = [mention.canonical for mention in entities.entity_mentions(doc)]
        out[path.name[:3]] = (cleaned.title, cleaned.body, story_terms(doc, names))
    return out


def store(
    body: str, terms: dict[str, float], published_at: datetime | None, title: str = ""
) -> Article:
    """An article with its story terms, as the extractor leaves it for stories_assign."""
    article = ArticleFactory(title=title, body=body, published_at=published_at)
    ArticleTerm.objects.bulk_create(
        ArticleTerm(article=article, term=term, weight=weight) for term, weight in terms.items()
    )
    return article


def store_seed(
    seed_texts, key: str, published_at: datetime | None = None, *, undated: bool = False
) -> Article:
    title, body, terms = seed_texts[key]
    return store(body, terms, None if undated else published_at or PUBLISHED[key], title)


def story_of(article: Article) -> int | None:
    return Article.objects.values_list("story_id", flat=True).get(pk=article.pk)


@pytest.mark.django_db
def test_the_four_reports_of_the_feb_2022_talks_are_one_story_and_004_another(seed_texts):
    # Stored out of date order, as an import might: the story starts with the earliest.
    articles = {key: store_seed(seed_texts, key) for key in ("002", "004", "000", "003", "001")}
    result = stories_assign(article_ids=[a.pk for a in articles.values()])
    assert result == {a.pk: story_of(a) for a in articles.values()}
    feb = {result[articles[key].pk] for key in ("000", "001", "002", "003")}
    assert len(feb) == 1
    assert result[articles["004"].pk] not in feb
    story = Story.objects.get(pk=feb.pop())
    assert story.label == seed_texts["000"][0]
    assert (story.first_seen, story.last_seen) == (PUBLISHED["000"], PUBLISHED["003"])
    assert Story.objects.count() == 2


@pytest.mark.django_db
def test_assigning_twice_changes_nothing(seed_texts):
    articles = [store_seed(seed_texts, key) for key in PUBLISHED]
    ids = [a.pk for a in articles]
    first = stories_assign(article_ids=ids)
    stories = list(Story.objects.values().order_by("pk"))
    rows = list(Article.objects.filter(pk__in=ids).values("pk", "story_id", "updated_at"))
    assert stories_assign(article_ids=ids) == first
    assert list(Story.objects.values().order_by("pk")) == stories
    assert list(Article.objects.filter(pk__in=ids).values("pk", "story_id", "updated_at")) == rows


@pytest.mark.django_db
def test_a_later_chunk_joins_the_story_of_an_earlier_one(seed_texts):
    early = [store_seed(seed_texts, key) for key in ("000", "001")]
    first = stories_assign(article_ids=[a.pk for a in early])
    late = [store_seed(seed_texts, key) for key in ("002", "003")]
    second = stories_assign(article_ids=[a.pk for a in late])
    assert len(set(first.values()) | set(second.values())) == 1
    story = Story.objects.get()
    assert (story.first_seen, story.last_seen) == (PUBLISHED["000"], PUBLISHED["003"])


@pytest.mark.django_db
def test_an_article_already_in_a_story_is_left_alone(seed_texts):
    chosen = Story.objects.create(label="Chosen by an analyst")
    article = store_seed(seed_texts, "000")
    Article.objects.filter(pk=article.pk).update(story=chosen)
    title, body, terms = seed_texts["000"]
    reprint = store(body + " (Reprinted.)", terms, PUBLISHED["001"], title)
    result = stories_assign(article_ids=[article.pk, reprint.pk])
    assert result[article.pk] == chosen.pk
    assert story_of(article) == chosen.pk
    # It is a member like any other: a reprint of it joins the analyst's story.
    assert result[reprint.pk] == chosen.pk
    assert Story.objects.count() == 1


@pytest.mark.django_db
def test_the_same_text_far_outside_the_window_starts_its_own_story(seed_texts):
    title, body, terms = seed_texts["000"]
    original = store(body, terms, FEB_3, title)
    near = store(body + " (Updated.)", terms, FEB_3 + timedelta(days=2), title)
    far = store(body + " (Republished.)", terms, FEB_3 + timedelta(days=60), title)
    result = stories_assign(article_ids=[original.pk, near.pk, far.pk])
    assert result[original.pk] == result[near.pk]
    assert result[far.pk] != result[original.pk]


@pytest.mark.django_db
def test_the_window_is_a_setting(seed_texts, settings):
    settings.STORY_WINDOW_DAYS = 0.5
    title, body, terms = seed_texts["000"]
    dated = store(body, terms, FEB_3, title)
    next_day = store(body + " (Next day.)", terms, FEB_3 + timedelta(days=1), title)
    result = stories_assign(article_ids=[dated.pk, next_day.pk])
    assert result[dated.pk] != result[next_day.pk]


@pytest.mark.django_db
def test_an_undated_article_is_grouped_by_its_content_alone(seed_texts, settings):
    settings.STORY_WINDOW_DAYS = 0.5
    title, body, terms = seed_texts["000"]
    dated = store(body, terms, FEB_3, title)
    stories_assign(article_ids=[dated.pk])
    # Stored years later, with no date: the import time is not its date, so the window
    # does not keep it from the story its words belong to.
    undated = store(body + " (Undated.)", terms, None, title)
    other = store_seed(seed_texts, "004", undated=True)
    result = stories_assign(article_ids=[undated.pk, other.pk])
    assert result[undated.pk] == story_of(dated)
    assert result[other.pk] != story_of(dated)
    # The story's dates are its dated members' only.
    story = Story.objects.get(pk=story_of(dated))
    assert (story.first_seen, story.last_seen) == (FEB_3, FEB_3)


@pytest.mark.django_db
def test_a_story_of_undated_articles_has_no_dates(seed_texts):
    articles = [store_seed(seed_texts, key, undated=True) for key in ("000", "001")]
    result = stories_assign(article_ids=[a.pk for a in articles])
    assert len(set(result.values())) == 1
    story = Story.objects.get()
    assert (story.first_seen, story.last_seen) == (None, None)
    # A dated report joining later gives the story its first date.
    late = store_seed(seed_texts, "003")
    assert stories_assign(article_ids=[late.pk])[late.pk] == story.pk
    story.refresh_from_db()
    assert (story.first_seen, story.last_seen) == (PUBLISHED["003"], PUBLISHED["003"])


@pytest.mark.django_db
def test_no_articles_and_articles_without_terms():
    assert stories_assign(article_ids=[]) == {}
    assert stories_assign(article_ids=[987654]) == {}
    # No title either: the label is the opening of the body, cut to fit.
    bare = ArticleFactory(published_at=FEB_3, title="", body="Talks resumed.\n\n" * 40)
    result = stories_assign(article_ids=[bare.pk])
    label = Story.objects.get(pk=result[bare.pk]).label
    assert 280 < len(label) <= 300
    assert label.startswith("Talks resumed. Talks resumed.")
    assert label.endswith("…")


@pytest.mark.django_db
def test_the_database_decides_as_the_in_memory_index_does(seed_texts, monkeypatch):
    """One article per call, stored just before, so that both count the same articles."""
    seen: dict[str, list[float]] = {"memory": [], "database": []}
    similarity = StoryIndex.similarity
    path = "memory"

    def spy(self, vector, when, story):
        value = similarity(self, vector, when, story)
        seen[path].append(value)
        return value

    monkeypatch.setattr(StoryIndex, "similarity", spy)
    index = StoryIndex(params=story_params())
    in_memory = [index.assign(n, seed_texts[key][2], FEB_3) for n, key in enumerate(PUBLISHED)]
    path = "database"
    stored = []
    for key in PUBLISHED:  # all on one day: the content decides
        stored.append(store_seed(seed_texts, key, FEB_3).pk)
        stories_assign(article_ids=stored[-1:])
    in_database = [story_of(Article(pk=pk)) for pk in stored]
    assert seen["database"] == pytest.approx(seen["memory"], abs=1e-9)
    assert len(seen["memory"]) >= 4
    assert partition(in_database) == partition(in_memory)


def partition(stories: list) -> list[int]:
    """Each item's story as the index of the first item in it: comparable across keys."""
    return [stories.index(story) for story in stories]


# --- query counts ---------------------------------------------------------------------

SERIAL = itertools.count()
EVENT = {"oslo": 0.5, "salmon": 0.5, "quota": 0.5, "fishery": 0.4, "sign": 0.3}


def chunk(size: int, when: datetime) -> list[int]:
    """Half the chunk reports the stored event, half reports events of their own."""
    ids = []
    for n in range(size):
        serial = next(SERIAL)
        if n % 2 == 0:
            terms = {**EVENT, f"detail{serial}": 0.2}
        else:
            terms = {f"own{serial}": 0.7, f"event{serial}": 0.7, "say": 0.1}
        ids.append(store(f"Report {serial}.", terms, when + timedelta(minutes=n)).pk)
    return ids


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_chunk(django_assert_max_num_queries):
    # A stored story for half of each chunk to join; other stored news to look past.
    stories_assign(article_ids=chunk(4, FEB_3))
    counts = []
    for size, day in ((2, 1), (10, 2)):
        ids = chunk(size, FEB_3 + timedelta(hours=day))
        # SAVEPOINT, the advisory lock (PostgreSQL only), the chunk's articles, their
        # terms, their document frequencies, the article count, the lookup of the rare
        # terms in the window, the candidate stories' members, the members' document
        # frequencies, new stories, joined stories, the articles' links, RELEASE SAVEPOINT.
        with django_assert_max_num_queries(13), CaptureQueriesContext(connection) as queries:
            result = stories_assign(article_ids=ids)
        counts.append(len(queries))
        joined = {result[pk] for n, pk in enumerate(ids) if n % 2 == 0}
        assert len(joined) == 1
        assert len(set(result.values())) == 1 + size // 2
    assert counts[0] == counts[1]


# --- two workers at once ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_one_story_of_one_event():
    chunks = [
        [store(f"Report {w}-{n}.", {**EVENT, f"w{w}n{n}": 0.2}, FEB_3).pk for n in range(3)]
        for w in range(2)
    ]
    barrier = threading.Barrier(2)
    results: list[dict[int, int]] = []
    errors: list[BaseException] = []

    def worker(ids: list[int]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(stories_assign(article_ids=ids))
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(ids,)) for ids in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len({story for result in results for story in result.values()}) == 1
    assert Story.objects.count() == 1


@pytest.mark.django_db
def test_undated_stories_come_after_the_dated_ones():
    """Newest first, and a story grouped by content alone (no date) last, not first."""
    undated = Story.objects.create(label="Undated")
    older = Story.objects.create(label="Older", first_seen=FEB_3, last_seen=FEB_3)
    newer = Story.objects.create(
        label="Newer", first_seen=FEB_3, last_seen=FEB_3 + timedelta(days=400)
    )
    assert list(Story.objects.all()) == [newer, older, undated]
