"""An article with no outlet or no date says so plainly ("outlet unknown", "date
unknown") on every page that shows it, and a date with no time of day is shown as a day:
never its import time, never "00:00"."""

import importlib
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from annotations.models import Assignment, Quote
from articles.models import Article, Origin, Story
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OLD_WORDING = ("No outlet", "Unknown outlet", "undated", "Undated", "00:00")


def render(source: str, **context) -> str:
    return Template("{% load when %}" + source).render(Context(context))


def text_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def ana(client):
    user = UserFactory(username="ana", role=roles.ANALYST)
    client.force_login(user)
    return user


@pytest.fixture
def bare(ana):
    """An article from a file with neither an outlet nor a date, in a story, quoted."""
    story = StoryFactory(label="Talks in Beijing")
    article = ArticleFactory(outlet=None, published_at=None, story=story, title="Bare talks")
    speaker = EntityFactory(name="Yury Ushakov")
    QuoteFactory(article=article, speaker=speaker, origin=Origin.MACHINE)
    StanceFactory(article=article, holder=speaker, created_by=ana)
    return article


def test_the_day_alone_for_a_date_without_a_time_and_in_utc(settings):
    settings.TIME_ZONE = "America/New_York"
    timezone.activate("America/New_York")
    try:
        midnight = datetime(2024, 3, 1, tzinfo=UTC)
        assert render('{% when v "j M Y" " H:i" %}', v=midnight) == (
            '<time datetime="2024-03-01">1 Mar 2024</time>'
        )
        timed = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
        assert render('{% when v "j M Y" " H:i" %}', v=timed) == (
            '<time datetime="2024-03-01T09:30:00-05:00">1 Mar 2024 09:30</time>'
        )
    finally:
        timezone.deactivate()


def test_an_article_date_read_from_the_text_is_a_day_and_a_missing_one_is_unknown():
    stated = Article(published_at=datetime(2024, 3, 1, tzinfo=UTC), date_stated="1 March 2024")
    assert render('{% published a "j F Y" ", H:i" %}', a=stated) == (
        '<time datetime="2024-03-01">1 March 2024</time>'
    )
    assert render("{% published a %}", a=Article(published_at=None)) == (
        '<span class="date-unknown">date unknown</span>'
    )
    assert render('{% published a unknown="Date unknown" %}', a=Article()) == (
        '<span class="date-unknown">Date unknown</span>'
    )


def test_the_reader_says_outlet_unknown_and_date_unknown(client, bare):
    text = text_of(client.get(reverse("article-detail", args=[bare.pk])))
    assert "Outlet Outlet unknown" in text
    assert "Published Date unknown (no date in the metadata or the text)" in text


def test_the_reader_shows_a_date_read_from_the_text_without_a_time(client, ana):
    article = ArticleFactory(
        published_at=datetime(2024, 3, 1, tzinfo=UTC), date_stated="Friday, 1 March 2024"
    )
    text = text_of(client.get(reverse("article-detail", args=[article.pk])))
    assert "Published 1 March 2024 (read from the text: “Friday, 1 March 2024”)" in text
    assert "00:00" not in text


def test_the_story_page_says_so(client, bare):
    dated = ArticleFactory(story=bare.story, published_at=datetime(2024, 3, 1, tzinfo=UTC))
    Story.objects.filter(pk=bare.story_id).update(
        first_seen=dated.published_at, last_seen=dated.published_at
    )
    text = text_of(client.get(reverse("story-detail", args=[bare.story_id])))
    assert "2 articles from 1 outlet (1 with outlet unknown), first seen 1 Mar 2024" in text
    assert "outlet unknown date unknown" in text  # the bare article's row
    for old in OLD_WORDING:
        assert old not in text


def test_the_entity_page_says_so(client, bare):
    speaker = Quote.objects.get(article=bare).speaker
    text = text_of(client.get(reverse("entity-detail", args=[speaker.pk])))
    assert "outlet unknown date unknown" in text  # the quote's row
    assert "Bare talks outlet unknown" in text  # the stance's row
    for old in OLD_WORDING:
        assert old not in text


@pytest.mark.parametrize("name", ["analysis-quotes", "analysis-evidence"])
def test_the_analysis_evidence_pages_say_so(client, bare, name):
    text = text_of(client.get(reverse(name)))
    assert "date unknown Yury Ushakov" in text  # the row's first cell, once "—"
    assert "Bare talks outlet unknown" in text


def test_my_work_says_so(client, ana, bare):
    Assignment.objects.create(article=bare, analyst=ana)
    text = text_of(client.get(reverse("my-work")))
    assert "Outlet unknown · date unknown" in text
    assert "No outlet" not in text


def test_stories_dated_by_an_undated_article_s_import_time_are_dated_again():
    """Migration 0023: a story's first/last seen span its dated articles, as the story
    service keeps them now; a story the service kept is left alone."""
    migration = importlib.import_module("articles.migrations.0023_story_seen_from_dated_articles")
    imported_at = datetime(2026, 12, 1, 9, 41, tzinfo=UTC)
    march = datetime(2024, 3, 1, tzinfo=UTC)
    mixed = StoryFactory(first_seen=march, last_seen=imported_at)
    ArticleFactory(story=mixed, published_at=march)
    ArticleFactory(story=mixed, published_at=None)
    undated = StoryFactory(first_seen=imported_at, last_seen=imported_at)
    ArticleFactory(story=undated, published_at=None)
    kept = StoryFactory(first_seen=march, last_seen=march)
    ArticleFactory(story=kept, published_at=march)
    kept_updated = Story.objects.get(pk=kept.pk).updated_at

    with connection.cursor() as cursor:
        cursor.execute(migration.RECOMPUTE)

    mixed.refresh_from_db()
    undated.refresh_from_db()
    kept.refresh_from_db()
    assert (mixed.first_seen, mixed.last_seen) == (march, march)
    assert (undated.first_seen, undated.last_seen) == (None, None)
    assert (kept.first_seen, kept.last_seen, kept.updated_at) == (march, march, kept_updated)
