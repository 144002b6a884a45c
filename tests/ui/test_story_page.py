"""The story page: coverage across outlets and how each outlet reported the same words."""

import hashlib
import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from articles.models import ReviewStatus
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    OutletFactory,
    QuoteFactory,
    StatementFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WORDS = "A joint statement on international relations entering a new era has been prepared"
XSS = "<img src=x onerror=alert(1)>"
REPORTS = itertools.count(1)
DAY = datetime(2022, 2, 3, 9, 0, tzinfo=UTC)


def report(story, statement, quote: str, *, outlet: str, status=ReviewStatus.CONFIRMED):
    """An article of `story` from `outlet` quoting `quote`, linked to `statement`."""
    n = next(REPORTS)
    body = f'Report {n} from the summit. "{quote}," Kremlin aide Yury Ushakov told reporters.'
    article = ArticleFactory(
        story=story,
        outlet=OutletFactory(name=outlet),
        title=f"{outlet} on the summit",
        body=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        published_at=DAY + timedelta(hours=n),
    )
    return QuoteFactory(
        article=article,
        text=f'"{quote},"',
        speaker=statement.speaker,
        statement=statement,
        status=status,
    )


@pytest.fixture
def analyst_client(client):
    client.force_login(UserFactory(role=roles.ANALYST))
    return client


def story_with(n_statements: int, n_outlets: int):
    story = StoryFactory(label="Putin and Xi meet in Beijing", first_seen=DAY, last_seen=DAY)
    for s in range(n_statements):
        speaker = EntityFactory(name=f"Yury Ushakov {s}")
        statement = StatementFactory(story=story, speaker=speaker, reference_text=WORDS)
        for o in range(n_outlets):
            report(story, statement, WORDS.replace("new era", f"new era {o}"), outlet=f"O{o}")
    return story


def test_story_page_lists_the_coverage_and_each_statement_with_its_speaker(analyst_client):
    story = StoryFactory(label="Putin and Xi meet in Beijing", first_seen=DAY, last_seen=DAY)
    ushakov = EntityFactory(name="Yury Ushakov")
    statement = StatementFactory(story=story, speaker=ushakov, reference_text=WORDS)
    tass = report(story, statement, WORDS, outlet="TASS")
    scmp = report(story, statement, WORDS.replace("era", "age"), outlet="SCMP")

    response = analyst_client.get(reverse("story-detail", args=[story.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Putin and Xi meet in Beijing</h1>" in html
    assert "2 articles from 2 outlets" in html
    for quote in (tass, scmp):
        article_url = reverse("article-detail", args=[quote.article_id])
        assert f'<a href="{article_url}">{quote.article.title}</a>' in html
        assert f'href="{article_url}#quote-{quote.pk}"' in html
    assert f'<a href="{reverse("entity-detail", args=[ushakov.pk])}">Yury Ushakov</a>' in html
    assert f'id="statement-{statement.pk}"' in html
    assert html.count('<li class="variant') == 2
    assert "Same words as the reference" in html  # TASS's wording is the reference's
    assert "Reading the differences" in html  # the legend


def marked(html: str, tag: str) -> list[str]:
    """The words inside each <ins> or <del>, screen-reader labels aside."""
    found = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)
    return [re.sub(r"<span class=\"visually-hidden\">[^<]*</span>", "", f).strip() for f in found]


def test_a_variant_with_one_word_changed_shows_it_deleted_and_inserted(analyst_client):
    story = StoryFactory()
    statement = StatementFactory(story=story, reference_text=WORDS)
    report(story, statement, WORDS.replace("new era", "new age"), outlet="SCMP")

    response = analyst_client.get(reverse("story-detail", args=[story.pk]))

    html = response.content.decode()
    variant = html[html.index('<li class="variant') :]
    # The legend shows one example of each; the variant's own marks follow it.
    assert marked(variant, "del") == ["era"]
    assert marked(variant, "ins") == ["age"]
    assert '<span class="replace"><del>' in variant


def test_inserted_and_dropped_words_are_marked_ins_and_del(analyst_client):
    story = StoryFactory()
    statement = StatementFactory(story=story, reference_text=WORDS)
    report(
        story,
        statement,
        WORDS.replace("has been prepared", "has been carefully prepared"),
        outlet="Reuters",
    )
    report(story, statement, WORDS.replace("on international relations ", ""), outlet="AP")

    html = analyst_client.get(reverse("story-detail", args=[story.pk])).content.decode()

    reuters, ap = html.split('<li class="variant')[1:]
    assert marked(reuters, "ins") == ["carefully"]
    assert marked(reuters, "del") == []
    assert marked(ap, "del") == ["on international relations"]
    assert marked(ap, "ins") == []
    assert "[dropped: </span>on international relations" in ap  # said, not only struck


def test_rejected_variants_are_left_out(analyst_client):
    story = StoryFactory()
    statement = StatementFactory(story=story, reference_text=WORDS)
    report(story, statement, WORDS, outlet="TASS")
    report(
        story, statement, WORDS.replace("era", "dawn"), outlet="RT", status=ReviewStatus.REJECTED
    )

    html = analyst_client.get(reverse("story-detail", args=[story.pk])).content.decode()

    assert html.count('<li class="variant') == 1
    assert "dawn" not in html


def test_story_page_escapes_untrusted_text(analyst_client):
    story = StoryFactory(label=f"Story {XSS}")
    speaker = EntityFactory(name=XSS)
    statement = StatementFactory(story=story, speaker=speaker, reference_text=f"{WORDS} {XSS}")
    quote = report(story, statement, f"{WORDS} <b>bold</b> {XSS}", outlet=f"Outlet {XSS}")
    quote.article.title = f"Title {XSS}"
    quote.article.save(update_fields=["title"])

    html = analyst_client.get(reverse("story-detail", args=[story.pk])).content.decode()

    assert "<img" not in html
    assert "<b>bold" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Title &lt;img" in html
    assert "Outlet &lt;img" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html  # the exact wording, as printed


def test_unknown_story_is_404(analyst_client):
    assert analyst_client.get(reverse("story-detail", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    story = StoryFactory()
    response = client.get(reverse("story-detail", args=[story.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Session, user (login), the story, its articles (outlet joined), its statements (speaker
# joined), the user's role (an analyst coding blind sees no one else's variants), every
# variant of those statements (article and outlet joined).
STORY_QUERIES = 7


@pytest.mark.parametrize(("statements", "outlets"), [(1, 2), (4, 6)])
def test_story_page_query_count_does_not_grow(
    analyst_client, django_assert_num_queries, statements, outlets
):
    story = story_with(statements, outlets)
    url = reverse("story-detail", args=[story.pk])

    with django_assert_num_queries(STORY_QUERIES):
        response = analyst_client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('<li class="variant') == statements * outlets
