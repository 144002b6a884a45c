"""The article list (home page): search, facets with counts, sorting, pagination, grouping
by story, filters in the URL, escaping, and a query count that does not grow with rows."""

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse

from annotations.selectors import browse
from articles.models import ArticleSearch
from newsdesk import roles
from tests.factories import (
    BODY,
    ArticleFactory,
    EntityFactory,
    MentionFactory,
    NoteFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture
def analyst(client):
    client.force_login(UserFactory(role=roles.ANALYST))
    return client


def article(body_extra: str = "", **kwargs):
    """An article whose body is the factories' text plus `body_extra`."""
    if body_extra:
        body = f"{BODY} {body_extra}"
        kwargs.update(body=body, content_hash=hashlib.sha256(body.encode()).hexdigest())
    return ArticleFactory(**kwargs)


def on(day: int, month: int = 3, year: int = 2024) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def get(client, **params):
    response = client.get(HOME, params)
    assert response.status_code == 200
    return response


def shown(response) -> list[int]:
    """The ids of the articles on the page, in order (grouped pages: every group's)."""
    listing = response.context["listing"]
    if listing.grouped:
        return [a.pk for group in listing.page.object_list for a in group.articles]
    return [a.pk for a in listing.page.object_list]


def facet(response, name: str) -> dict[str, int]:
    """A facet's values as {label: count}."""
    facets = {f.name: f for f in response.context["facets"]}
    return {option.label: option.count for option in facets[name].options}


def option_href(response, name: str, label: str) -> str:
    facets = {f.name: f for f in response.context["facets"]}
    return next(o.href for o in facets[name].options if o.label == label)


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href.replace("&amp;", "&")).query)


# --- Access and markup ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=/")


def test_page_has_the_labelled_search_box_filters_and_links(analyst):
    story = StoryFactory(label="Geneva talks")
    a = article(title="Talks resume", story=story, published_at=on(3))
    html = get(analyst).content.decode()
    assert '<label for="list-q">Search articles</label>' in html
    assert 'id="list-q" name="q"' in html
    assert '<nav aria-label="Filters"' in html
    assert f'href="{reverse("article-detail", args=[a.pk])}"' in html
    assert f'href="{reverse("story-detail", args=[story.pk])}"' in html
    assert "Untouched: no analyst has reviewed" in html  # the status definition
    # The Content-Security-Policy allows no inline script, handler or style.
    assert "<script>" not in html
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_titles_and_names_from_articles_are_escaped(analyst):
    evil = "<script>alert(1)</script>"
    story = StoryFactory(label=evil)
    a = article(title=evil, story=story, outlet=OutletFactory(name=evil))
    MentionFactory(article=a, entity=EntityFactory(name=evil))
    for params in ({}, {"group": "story"}, {"q": evil}):
        html = get(analyst, **params).content.decode()
        assert evil not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_htmx_requests_get_the_list_fragment_only(analyst):
    article(title="Talks resume")
    response = analyst.get(HOME, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("{#") is False
    assert '<div id="list-body"' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    restore = analyst.get(HOME, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


# --- Search -----------------------------------------------------------------------------


def test_search_finds_a_word_of_the_body_and_ranks_title_matches_first(analyst):
    in_body = article("The pipeline was discussed.", title="Energy talks", published_at=on(5))
    in_title = article("The pipeline deal.", title="Pipeline deal signed", published_at=on(1))
    article("Nothing about energy.", title="Other news", published_at=on(9))
    response = get(analyst, q="pipeline")
    assert shown(response) == [in_title.pk, in_body.pk]
    assert response.context["listing"].sort == "relevance"
    # Sorted by date instead, on request.
    assert shown(get(analyst, q="pipeline", sort="newest")) == [in_body.pk, in_title.pk]


def test_search_needs_every_word(analyst):
    both = article("The pipeline and the sanctions.", title="Both")
    article("The pipeline only.", title="One")
    assert shown(get(analyst, q="pipeline sanctions")) == [both.pk]


def test_postgres_search_stems_words_and_is_served_by_the_gin_index(analyst):
    negotiating = article("They kept negotiating late.", title="Late night")
    assert shown(get(analyst, q="negotiations")) == [negotiating.pk]
    # The list filters the stored documents; on a table this small the planner would
    # read it whole, so the scan is forbidden to see the index serve the match.
    query = SearchQuery("negotiations", config=browse.SEARCH_CONFIG, search_type="websearch")
    documents = ArticleSearch.objects.filter(document=query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = documents.explain()
    assert "articlesearch_document_idx" in plan
    sql = str(browse.filtered_articles(browse.ArticleFilters(q="negotiations")).query)
    assert '"articles_articlesearch"."document" @@' in sql


# --- Facets -----------------------------------------------------------------------------


def test_outlet_facet_filters_and_counts_what_the_other_filters_leave(analyst):
    wire, daily = OutletFactory(name="Wire"), OutletFactory(name="Daily")
    w1 = article("The pipeline.", outlet=wire)
    article("The pipeline again.", outlet=wire)
    article(outlet=wire)
    d1 = article("The pipeline too.", outlet=daily)
    assert facet(get(analyst), "outlet") == {"Wire": 3, "Daily": 1}
    response = get(analyst, q="pipeline")
    assert facet(response, "outlet") == {"Wire": 2, "Daily": 1}
    response = get(analyst, q="pipeline", outlet=daily.pk)
    assert shown(response) == [d1.pk]
    # Its own facet still counts every outlet, so that another can be chosen.
    assert facet(response, "outlet") == {"Daily": 1, "Wire": 2}
    assert response.context["listing"].total == 1
    assert set(shown(get(analyst, outlet=wire.pk))) > {w1.pk}


def test_entity_facet_counts_articles_mentioning_and_skips_rejected_mentions(analyst):
    putin = EntityFactory(name="Vladimir Putin")
    a, b, c = article(), article(), article()
    MentionFactory(article=a, entity=putin)
    MentionFactory(article=b, entity=putin, status="suggested", origin="machine")
    MentionFactory(article=c, entity=putin, status="rejected", origin="machine")
    response = get(analyst)
    assert facet(response, "entity") == {"Vladimir Putin": 2}
    assert f'href="{reverse("entity-detail", args=[putin.pk])}"' in response.content.decode()
    assert set(shown(get(analyst, entity=putin.pk))) == {a.pk, b.pk}


def test_speaker_facet_filters_by_who_is_quoted(analyst):
    ushakov, other = EntityFactory(name="Yury Ushakov"), EntityFactory(name="Someone")
    a, b = article(), article()
    article()
    QuoteFactory(article=a, speaker=ushakov)
    QuoteFactory(article=b, speaker=ushakov)
    QuoteFactory(article=b, speaker=other, status="rejected", origin="machine")
    assert facet(get(analyst), "speaker") == {"Yury Ushakov": 2}
    assert set(shown(get(analyst, speaker=ushakov.pk))) == {a.pk, b.pk}
    assert shown(get(analyst, speaker=other.pk)) == []


def test_story_facet_filters_and_other_facets_follow(analyst):
    story = StoryFactory(label="Geneva talks")
    wire = OutletFactory(name="Wire")
    a = article(story=story, outlet=wire)
    b = article(story=story)
    article(outlet=wire)
    response = get(analyst, story=story.pk)
    assert set(shown(response)) == {a.pk, b.pk}
    assert facet(response, "story") == {"Geneva talks": 2}
    assert facet(response, "outlet")["Wire"] == 1  # the other facets count within the story


def test_date_range_filters_and_months_facet_counts(analyst):
    march = [article(published_at=on(d)) for d in (1, 15, 31)]
    april = article(published_at=on(1, month=4))
    article(published_at=None)
    response = get(analyst)
    assert facet(response, "published") == {"April 2024": 1, "March 2024": 3}
    response = get(analyst, **{"from": "2024-03-15", "to": "2024-03-31"})
    assert set(shown(response)) == {march[1].pk, march[2].pk}  # "to" is inclusive
    # The month facet's link sets the range to the whole month, keeping other filters.
    href = option_href(get(analyst, sort="oldest"), "published", "March 2024")
    assert query_of(href) == {"from": ["2024-03-01"], "to": ["2024-03-31"], "sort": ["oldest"]}
    response = analyst.get(href)
    assert shown(response) == [m.pk for m in march]
    assert facet(response, "published")["April 2024"] == 1
    assert april.pk not in shown(response)


def test_facets_show_the_top_values_and_the_selected_one(analyst):
    outlets = [OutletFactory(name=f"Outlet {n:02}") for n in range(14)]
    for n, outlet in enumerate(outlets):
        for _ in range(n + 1):
            article(outlet=outlet)
    values = facet(get(analyst), "outlet")
    assert list(values) == [f"Outlet {n:02}" for n in range(13, 3, -1)]  # top 10 by count
    values = facet(get(analyst, outlet=outlets[0].pk), "outlet")
    assert next(iter(values)) == "Outlet 00"  # the selected value is shown, first
    assert len(values) == 11


# --- Annotation status ------------------------------------------------------------------


def test_status_facet_follows_its_definition(analyst):
    untouched = article(title="nothing at all")
    machine_only = article(title="machine suggestions only")
    MentionFactory(article=machine_only, status="suggested", origin="machine")
    QuoteFactory(article=machine_only, status="suggested", origin="machine")
    in_progress = article(title="reviewed one, one left")
    MentionFactory(article=in_progress, status="confirmed", origin="machine")
    QuoteFactory(article=in_progress, status="suggested", origin="machine")
    done_review = article(title="everything reviewed")
    QuoteFactory(article=done_review, status="rejected", origin="machine")
    done_added = article(title="analyst quote")
    QuoteFactory(article=done_added)  # an analyst's, confirmed
    done_note = article(title="a note")
    NoteFactory(article=done_note)
    stance_left = article(title="a stance, a suggestion left")
    StanceFactory(article=stance_left)
    MentionFactory(article=stance_left, status="suggested", origin="machine")

    response = get(analyst)
    assert facet(response, "status") == {"Untouched": 2, "In progress": 2, "Done": 3}
    expected = {
        "untouched": {untouched.pk, machine_only.pk},
        "in_progress": {in_progress.pk, stance_left.pk},
        "done": {done_review.pk, done_added.pk, done_note.pk},
    }
    for status, ids in expected.items():
        response = get(analyst, status=status)
        assert set(shown(response)) == ids
        assert facet(response, "status")["Done"] == 3  # its own facet ignores it
    html = get(analyst, status="in_progress").content.decode()
    assert "1 suggestion left" in html
    assert '<span class="status status-in_progress">In progress</span>' in html


# --- Sorting, pagination, grouping ------------------------------------------------------


def test_sorting(analyst):
    b = article(title="banana", published_at=on(2))
    a = article(title="Apple", published_at=on(3))
    c = article(title="cherry", published_at=on(1))
    QuoteFactory(article=c)
    QuoteFactory(article=c, text="has been prepared")
    QuoteFactory(article=b)
    QuoteFactory(article=a, status="rejected", origin="machine")  # not counted
    assert shown(get(analyst)) == [a.pk, b.pk, c.pk]  # newest first by default
    assert shown(get(analyst, sort="newest")) == [a.pk, b.pk, c.pk]
    assert shown(get(analyst, sort="oldest")) == [c.pk, b.pk, a.pk]
    assert shown(get(analyst, sort="title")) == [a.pk, b.pk, c.pk]
    assert shown(get(analyst, sort="quotes")) == [c.pk, b.pk, a.pk]
    # Relevance without a search is the default order; a bad value is ignored.
    assert shown(get(analyst, sort="relevance")) == [a.pk, b.pk, c.pk]
    assert shown(get(analyst, sort="bogus")) == [a.pk, b.pk, c.pk]
    assert "2 quotes" in get(analyst).content.decode()


def test_pagination_shows_fifty_articles_a_page(analyst):
    articles = [article(published_at=on(1 + n % 28, month=1 + n // 28)) for n in range(51)]
    newest_first = sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)
    first = get(analyst, outlet="")
    assert len(shown(first)) == browse.PAGE_SIZE == 50
    assert "Page 1 of 2" in first.content.decode()
    second = get(analyst, page=2)
    assert shown(second) == [newest_first[-1].pk]
    assert 'start="51"' in second.content.decode()
    assert shown(get(analyst, page=99)) == shown(second)  # past the end: the last page
    assert shown(get(analyst, page="x")) == shown(first)
    # Page links keep the filters; a filter link goes back to page 1.
    response = get(analyst, sort="oldest", page=2)
    assert query_of(response.context["pages"]["previous"]) == {"sort": ["oldest"], "page": ["1"]}
    # Every outlet has one article: the facet shows the first ten by name, whichever.
    shown_outlet = next(f for f in response.context["facets"] if f.name == "outlet").options[0]
    assert "page" not in query_of(option_href(response, "outlet", shown_outlet.label))


def test_grouping_by_story_shows_each_story_once_with_its_coverage(analyst):
    story = StoryFactory(label="Geneva talks")
    members = [
        article(story=story, outlet=OutletFactory(name=f"Outlet {n}"), published_at=on(n + 1))
        for n in range(4)
    ]
    alone = article(title="On its own", published_at=on(20))
    response = get(analyst, group="story")
    listing = response.context["listing"]
    assert [g.story for g in listing.page.object_list] == [None, story]
    assert shown(response) == [alone.pk] + [m.pk for m in reversed(members)]
    html = response.content.decode()
    assert html.count(f'href="{reverse("story-detail", args=[story.pk])}"') == 1
    assert "4 outlets covered this · 4 matching articles" in html
    # The coverage is the story's, even when a filter leaves one of its articles.
    html = get(analyst, group="story", outlet=members[0].outlet_id).content.decode()
    assert "4 outlets covered this · 1 matching article" in html


def test_grouping_shows_a_few_articles_per_story_and_links_to_the_rest(analyst):
    story = StoryFactory()
    members = [article(story=story, published_at=on(n + 1)) for n in range(7)]
    response = get(analyst, group="story", sort="oldest")
    assert shown(response) == [m.pk for m in members[: browse.GROUP_ARTICLES]]
    html = response.content.decode()
    assert "2 more matching articles in this story" in html
    more = response.context["groups"][0][1]
    assert query_of(more) == {"story": [str(story.pk)], "sort": ["oldest"]}
    assert shown(analyst.get(more)) == [m.pk for m in members]


def test_grouping_by_story_pages_through_groups(analyst):
    for n in range(51):
        article(title=f"Article {n:02}", published_at=on(1 + n % 28, month=1 + n // 28))
    assert len(get(analyst, group="story").context["listing"].page.object_list) == 50
    assert len(get(analyst, group="story", page=2).context["listing"].page.object_list) == 1


@pytest.mark.parametrize("sort", ["newest", "oldest", "title", "quotes", "relevance"])
def test_grouping_works_with_every_sort_and_a_search(analyst, sort):
    story = StoryFactory()
    a = article("The pipeline.", story=story, published_at=on(1))
    b = article("The pipeline again.", story=story, published_at=on(2))
    c = article("The pipeline alone.", published_at=on(3))
    article("Unrelated.", story=story)
    response = get(analyst, group="story", sort=sort, q="pipeline")
    assert set(shown(response)) == {a.pk, b.pk, c.pk}
    assert response.context["listing"].page.paginator.count == 2


# --- Filters in the URL -----------------------------------------------------------------


def test_filters_round_trip_through_the_url(analyst):
    wire = OutletFactory(name="Wire")
    story = StoryFactory(label="Geneva talks")
    putin = EntityFactory(name="Vladimir Putin")
    a = article("The pipeline.", outlet=wire, story=story, published_at=on(10))
    MentionFactory(article=a, entity=putin, status="confirmed")  # reviewed: done
    params = {
        "q": "pipeline",
        "outlet": str(wire.pk),
        "entity": str(putin.pk),
        "story": str(story.pk),
        "status": "done",
        "from": "2024-03-01",
        "to": "2024-03-31",
        "sort": "title",
        "group": "story",
    }
    response = get(analyst, **params)
    assert shown(response) == [a.pk]
    html = response.content.decode()
    # The search form carries every other filter, so a new search keeps them.
    for name, value in params.items():
        if name != "q":
            assert f'name="{name}" value="{value}"' in html, name
    # Each facet link keeps the other filters and toggles its own.
    href = option_href(response, "outlet", "Wire")
    assert query_of(href) == {k: [v] for k, v in params.items() if k != "outlet"}
    assert shown(analyst.get(href)) == [a.pk]
    # Each active filter can be removed alone; "clear" removes them all.
    chips = {what: href for what, _, href in response.context["chips"]}
    assert "q" not in query_of(chips["Search"])
    assert query_of(chips["Outlet"])["entity"] == [str(putin.pk)]
    assert f'href="{HOME}">Clear all filters</a>' in html
    # Sort and group links keep the filters too.
    sort_href = next(h for label, h, _ in response.context["sorts"] if label == "Newest")
    assert query_of(sort_href)["outlet"] == [str(wire.pk)]
    assert "group" not in query_of(response.context["group_href"])


def test_bad_parameters_are_ignored(analyst):
    a = article()
    response = get(analyst, outlet="abc", entity="-1", status="weird", to="not-a-date", page="0")
    assert shown(response) == [a.pk]
    assert response.context["chips"] == []


# --- Queries ----------------------------------------------------------------------------


def _populate(n: int) -> None:
    story = StoryFactory()
    for i in range(n):
        a = article(story=story if i % 2 else None, published_at=on(1 + i % 28))
        MentionFactory(article=a, status="suggested", origin="machine")
        QuoteFactory(article=a, speaker=EntityFactory(), status="suggested", origin="machine")
        StanceFactory(article=a)
        NoteFactory(article=a)


@pytest.mark.parametrize("n", [3, 50])
def test_the_list_costs_the_same_queries_for_3_or_50_articles(
    analyst, django_assert_num_queries, n
):
    _populate(n)
    # 1 session, 2 user, 3 the user's role and groups (a lead gets "Assign these
    # articles"), 4 the articles they code blind (none here),
    # 5 the facet statement's settings (set_config: work_mem, and the GIN index for the
    # search's matches), 6 every facet and the total (one statement), 7 the names of the
    # entities and speakers shown, 8 the page of articles with outlet and story joined and
    # their quote, suggestion and status figures (from the kept review rows),
    # 9 the page's snippets (ts_headline for its 50 rows at most; without a search, the
    # opening of their text).
    with django_assert_num_queries(9):
        response = analyst.get(HOME, {"q": "Putin", "status": "in_progress"})
    assert len(shown(response)) == n
    with django_assert_num_queries(9):
        response = analyst.get(HOME, {"sort": "quotes"})
    assert len(shown(response)) == n


@pytest.mark.parametrize("n", [3, 50])
def test_the_grouped_list_costs_the_same_queries_for_3_or_50_articles(
    analyst, django_assert_num_queries, n
):
    _populate(n)
    # 1 session, 2 user, 3 the user's role and groups (a lead gets "Assign these
    # articles"), 4 the articles they code blind (none here),
    # 5 the facet statement's settings, 6 every facet, the total and the number of
    # groups, 7 the entities' and speakers' names, 8 the page of groups, 9 their stories
    # with outlet counts (known and unknown), 10 the groups' first articles (one window
    # query), 11 their snippets.
    with django_assert_num_queries(11):
        response = analyst.get(HOME, {"group": "story", "q": "Putin"})
    assert response.status_code == 200
    assert len(shown(response)) == min(n // 2, browse.GROUP_ARTICLES) + (n - n // 2)
