"""Stories and dates through the real import (decode, clean, date, extract, stories), as a
new user would meet them: the demo samples first, then the five seeds.

The seeds come without metadata. 000-003 (February 2022) state no full date, so they are
undated and grouped by content alone; 004 (September 2023) states "on Wednesday,
September 20" in its photo caption, which dates it. None of them takes the import time.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles import services
from articles.models import Article, ImportBatch, Story
from articles.serializers import ArticleSerializer
from newsdesk import roles
from tests.factories import UserFactory
from tests.seeds import import_seeds

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def import_samples() -> dict[str, Article]:
    uploads, manifest = services.uploads_from_paths([SAMPLES])
    batch = services.import_batch_create(
        uploads=uploads, manifest=manifest, source=ImportBatch.Source.CLI, enqueue=False
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    return {
        Path(f.original_name).name[:2]: f.article
        for f in batch.files.select_related("article")
        if f.article is not None  # README.md and EXPECTED.md are refused, not articles
    }


def story_of(article: Article) -> int | None:
    return Article.objects.values_list("story_id", flat=True).get(pk=article.pk)


@pytest.fixture
def imported() -> tuple[dict[str, Article], dict[str, Article]]:
    samples = import_samples()
    return samples, import_seeds()


def test_seed_004_of_september_2023_does_not_join_the_february_2022_story(imported):
    samples, seeds = imported
    february = {story_of(seeds[key]) for key in ("000", "001", "002", "003")}
    assert len(february) == 1
    assert story_of(seeds["004"]) not in february
    # Nor does either join the samples' stories.
    assert not {story_of(a) for a in samples.values()} & (february | {story_of(seeds["004"])})


def test_the_samples_stories_hold_beside_the_seeds(imported):
    samples, _ = imported
    geneva = {story_of(samples[key]) for key in ("01", "02", "03", "04")}
    lokor = {story_of(samples[key]) for key in ("05", "06", "07")}
    assert len(geneva) == len(lokor) == 1
    assert geneva != lokor
    assert story_of(samples["08"]) not in geneva | lokor


def test_a_date_stated_in_the_text_dates_an_article_without_metadata(imported):
    _, seeds = imported
    article = Article.objects.get(pk=seeds["004"].pk)
    assert article.published_at == datetime(2023, 9, 20, tzinfo=UTC)
    assert article.date_stated == "Wednesday, September 20"
    assert article.date_source == "text"
    data = ArticleSerializer(article).data
    assert (data["date_source"], data["date_stated"]) == ("text", "Wednesday, September 20")


def test_articles_without_a_date_stay_undated_and_their_story_too(imported):
    samples, seeds = imported
    for key in ("000", "001", "002", "003"):
        article = Article.objects.get(pk=seeds[key].pk)
        assert (article.published_at, article.date_stated, article.date_source) == (
            None,
            "",
            "none",
        )
        assert ArticleSerializer(article).data["date_source"] == "none"
    story = Story.objects.get(pk=story_of(seeds["000"]))
    assert (story.first_seen, story.last_seen) == (None, None)
    # A manifest date is the metadata's, and wins.
    dated = Article.objects.get(pk=samples["01"].pk)
    assert dated.date_source == "metadata"
    assert ArticleSerializer(dated).data["date_source"] == "metadata"


def test_the_reader_and_the_story_page_say_date_unknown(imported, client):
    _, seeds = imported
    client.force_login(UserFactory(role=roles.ANALYST))
    page = client.get(f"/articles/{seeds['000'].pk}/").content.decode()
    assert "Date unknown (no date in the metadata or the text)" in page
    story = client.get(f"/stories/{story_of(seeds['000'])}/").content.decode()
    assert "date unknown" in story
    dated = client.get(f"/articles/{seeds['004'].pk}/").content.decode()
    assert "20 September 2023" in dated
    assert "read from the text" in dated
