"""The article list (home page): search, facets with counts, sorting, pagination, grouping
by story, filters in the URL, escaping, and a query count that does not grow with rows."""

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Quote
from annotations.selectors import browse
from articles.models import ArticleSearch, Mention
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


def facets_response(response):
    """The facets of a list page: what its facets URL (the same query) answers htmx, as the
    page loads it right after itself. A facets response is itself."""
    if "facets_href" not in response.context:
        return response
    facets = response.client.get(response.context["facets_href"], HTTP_HX_REQUEST="true")
    assert facets.status_code == 200
    return facets


def facets_of(response) -> dict[str, object]:
    return {f.name: f for f in facets_response(response).context["facets"]}


def facet(response, name: str) -> dict[str, int]:
    """A facet's values as {label: count}."""
    return {option.label: option.count for option in facets_of(response)[name].options}


def option_href(response, name: str, label: str) -> str:
    return next(o.href for o in facets_of(response)[name].options if o.label == label)


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
    response = get(analyst)
    html = response.content.decode()
    assert '<label for="list-q">Search articles</label>' in html
    assert 'id="list-q" name="q"' in html
    assert f'href="{reverse("article-detail", args=[a.pk])}"' in html
    assert f'href="{reverse("story-detail", args=[story.pk])}"' in html
    # The counts load after the page, from their own URL: "Counting…" meanwhile, and a
    # plain link to them without JavaScript.
    facets_url = reverse("article-facets")
    assert f'hx-get="{facets_url}" hx-trigger="load"' in html
    assert 'class="counting htmx-indicator" role="status">Counting…' in html
    assert f'<a href="{facets_url}" hx-boost="false">Show counts</a>' in html
    assert 'name="from"' in html  # the date range works before the counts arrive
    facets_html = facets_response(response).content.decode()
    assert '<nav id="facets" aria-label="Filters"' in facets_html
    assert "Untouched: no analyst has reviewed" in facets_html  # the status definition
    # The Content-Security-Policy allows no inline script, handler or style.
    for page in (html, facets_html):
        assert "<script>" not in page
        assert "style=" not in page
        assert not re.search(r"\son[a-z]+=", page)


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
    entity_page = f'href="{reverse("entity-detail", args=[putin.pk])}"'
    assert entity_page in facets_response(response).content.decode()
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
    shown_outlet = facets_of(response)["outlet"].options[0]
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
    # The page counts no facet: they come from their own URL, after it.
    # 1 session, 2 user, 3 the user's role and groups (a lead gets "Assign these
    # articles"), 4 the articles they code blind (none here).
    # With a search: 5 the listing's settings for its transaction (set_config: work_mem,
    # and the GIN index for the search's matches), 6 the total (COUNT), 7 the page of
    # articles with outlet and story joined and their quote, suggestion and status
    # figures (from the kept review rows), 8 the page's snippets (ts_headline, for its 50
    # rows at most).
    with django_assert_num_queries(8):
        response = analyst.get(HOME, {"q": "Putin", "status": "in_progress"})
    assert len(shown(response)) == n
    # Without: 5 the listing's settings (set_config: work_mem), 6 the total, 7 the page
    # of articles, 8 the opening of their text. (Outside a test's transaction, the
    # listing's own transaction adds BEGIN and COMMIT, both ways.)
    with django_assert_num_queries(8):
        response = analyst.get(HOME, {"sort": "quotes"})
    assert len(shown(response)) == n
    # With an outlet, a story, an entity and a speaker chosen: 9 their names (one
    # query), which the active filters show before the facets arrive.
    chosen = (
        Quote.objects.filter(speaker__isnull=False, article__story__isnull=False)
        .select_related("article")
        .first()
    )
    mention = Mention.objects.filter(article=chosen.article).first()
    params = {
        "outlet": chosen.article.outlet_id,
        "story": chosen.article.story_id,
        "entity": mention.entity_id,
        "speaker": chosen.speaker_id,
    }
    with django_assert_num_queries(9):
        response = analyst.get(HOME, params)
    assert shown(response) == [chosen.article_id]
    labels = {what: value for what, value, _ in response.context["chips"]}
    assert labels["Story"] == chosen.article.story.label
    assert labels["Entity mentioned"] == mention.entity.name
    assert labels["Speaker quoted"] == chosen.speaker.name
    assert labels["Outlet"] == chosen.article.outlet.name


@pytest.mark.parametrize("n", [3, 50])
def test_the_facets_cost_the_same_queries_for_3_or_50_articles(
    analyst, django_assert_num_queries, n
):
    _populate(n)
    facets_url = reverse("article-facets")
    # 1 session, 2 user, 3 the user's role and groups (the menu), 4 the articles they
    # code blind (none here).
    # With a search: 5 the settings of the facets' transaction (set_config: work_mem,
    # and the GIN index for the search's matches), 6 every facet (one statement), 7 the
    # names of the entities and speakers shown.
    with django_assert_num_queries(7):
        response = analyst.get(facets_url, {"q": "Putin", "status": "in_progress"})
    assert response.status_code == 200
    # Without: 5 the settings, 6 status facet, 7 outlet facet, 8 story facet, 9 months
    # facet, 10 entity facet counts, 11 their names, 12 speaker facet counts, 13 their
    # names.
    with django_assert_num_queries(13):
        response = analyst.get(facets_url, {"sort": "quotes"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert sum(o.count for o in facets_of(response)["status"].options) == n
    assert len(facets_of(response)["speaker"].options) == min(n, browse.FACET_SIZE)


@pytest.mark.parametrize("n", [3, 50])
def test_the_grouped_list_costs_the_same_queries_for_3_or_50_articles(
    analyst, django_assert_num_queries, n
):
    _populate(n)
    # 1 session, 2 user, 3 the user's role and groups (a lead gets "Assign these
    # articles"), 4 the articles they code blind (none here),
    # 5 the listing's settings, 6 the total and the number of groups (one count), 7 the
    # page of groups, 8 their stories with outlet counts (known and unknown), 9 the
    # groups' first articles (one window query), 10 their snippets.
    with django_assert_num_queries(10):
        response = analyst.get(HOME, {"group": "story", "q": "Putin"})
    assert response.status_code == 200
    assert len(shown(response)) == min(n // 2, browse.GROUP_ARTICLES) + (n - n // 2)
    assert response.context["listing"].page.paginator.count == 1 + (n - n // 2)


# --- Facets at scale: one statement, two plans ------------------------------------------


def _corpus() -> dict[str, object]:
    """Articles across outlets (and none), stories (and none), months (and undated), with
    mentions and quotes kept and rejected, a search word in some, and review states."""
    outlets = [OutletFactory(name=f"Outlet {n}") for n in range(3)]
    stories = [StoryFactory(label=f"Story {n}") for n in range(2)]
    people = [EntityFactory(name=f"Person {n}") for n in range(4)]
    for n in range(24):
        a = article(
            f"The pipeline was discussed ({n})." if n % 3 else f"Nothing to find ({n}).",
            outlet=outlets[n % 3] if n % 4 else None,
            story=stories[n % 2] if n % 5 else None,
            published_at=on(1 + n % 27, month=1 + n % 3) if n % 7 else None,
        )
        MentionFactory(article=a, entity=people[n % 4], status="suggested", origin="machine")
        if n % 2:
            # Mentioned twice: the article counts once.
            MentionFactory(article=a, entity=people[(n + 1) % 4], status="confirmed")
            MentionFactory(
                article=a, entity=people[(n + 1) % 4], status="confirmed", text="Xi Jinping"
            )
        if n % 6 == 0:
            MentionFactory(
                article=a, entity=people[3], status="rejected", origin="machine", text="Beijing"
            )
        QuoteFactory(
            article=a,
            speaker=people[n % 3],
            status="rejected" if n % 5 == 0 else "suggested",
            origin="machine",
        )
    return {"outlet": outlets, "story": stories, "people": people}


def _expected(filters: browse.ArticleFilters) -> dict[str, dict[object, int]]:
    """Each facet's counts, worked out from the list's own filter (the rows' query) one
    facet at a time, as the facets were counted before they were one statement."""
    from collections import Counter

    from annotations.models import Quote
    from articles.models import Article, Mention

    def ids(*without: str) -> set[int]:
        rows = browse.filtered_articles(filters.without(*without))
        return set(rows.values_list("pk", flat=True))

    articles = {a.pk: a for a in Article.objects.select_related("review")}
    out: dict[str, dict[object, int]] = {}
    out["status"] = dict(Counter(articles[i].review.status for i in ids("status")))
    out["outlet"] = dict(
        Counter(articles[i].outlet_id for i in ids("outlet") if articles[i].outlet_id)
    )
    out["story"] = dict(Counter(articles[i].story_id for i in ids("story") if articles[i].story_id))
    months = Counter(
        articles[i].published_at.date().replace(day=1)
        for i in ids("date_from", "date_to")
        if articles[i].published_at
    )
    out["published"] = dict(months)
    kept = Mention.objects.exclude(status="rejected")
    pairs = set(kept.filter(article_id__in=ids("entity")).values_list("entity_id", "article_id"))
    out["entity"] = dict(Counter(entity for entity, _ in pairs))
    quotes = Quote.objects.exclude(status="rejected").exclude(speaker=None)
    pairs = set(
        quotes.filter(article_id__in=ids("speaker")).values_list("speaker_id", "article_id")
    )
    out["speaker"] = dict(Counter(speaker for speaker, _ in pairs))
    return out


@pytest.mark.parametrize("plan", ["few articles", "many articles"])
def test_one_statement_counts_every_facet_as_each_filter_alone_would(analyst, monkeypatch, plan):
    corpus = _corpus()
    if plan == "many articles":
        # The plan that reads every mention and quote pair, as for 10,000 articles.
        monkeypatch.setattr(browse, "MANY_ARTICLES", 0)
    outlet, story, person = corpus["outlet"][1], corpus["story"][0], corpus["people"][1]
    combinations = [
        {},
        {"q": "pipeline"},
        {"status": "in_progress"},
        {"entity": person.pk},
        {"speaker": person.pk},
        {"q": "pipeline", "outlet": outlet.pk},
        {"q": "pipeline", "entity": person.pk, "status": "in_progress"},
        {"story": story.pk, "from": "2024-02-01", "to": "2024-02-29"},
        {"speaker": person.pk, "outlet": outlet.pk, "q": "pipeline", "entity": person.pk},
    ]
    for params in combinations:
        response = get(analyst, **params)
        filters = response.context["listing"].filters
        expected = _expected(filters)
        # The counts come from the facets' URL with the page's query.
        fragment = facets_response(response)
        facets = facets_of(fragment)
        counted = fragment.context["counted"]
        assert counted.filters == filters, params
        got = {
            "status": {v.value: v.count for v in counted.statuses if v.count},
            "outlet": {v.value: v.count for v in counted.outlets},
            "story": {v.value: v.count for v in counted.stories},
            "published": {v.value: v.count for v in counted.months},
            "entity": {v.value: v.count for v in counted.entities},
            "speaker": {v.value: v.count for v in counted.speakers},
        }
        assert got == expected, params
        listing = response.context["listing"]
        # The total is the rows the filters leave, and the page shows them.
        matching = browse.filtered_articles(filters).count()
        assert listing.total == matching, params
        assert len(shown(response)) == min(matching, browse.PAGE_SIZE), params
        assert set(facets) >= {"status", "outlet", "entity", "speaker", "story", "published"}


@pytest.mark.parametrize("plan", ["few articles", "many articles"])
def test_the_facets_of_a_blind_coder_count_their_own_work(analyst, monkeypatch, plan):
    """On articles an analyst codes blind, status and speakers are their own: the facet
    statement reads them through the same expressions as the rows."""
    from annotations.models import Assignment

    if plan == "many articles":
        monkeypatch.setattr(browse, "MANY_ARTICLES", 0)
    coder = UserFactory(role=roles.ANALYST)
    other = UserFactory(role=roles.ANALYST)
    speaker = EntityFactory(name="Seen by others only")
    blind = article("The pipeline.")
    QuoteFactory(article=blind, speaker=speaker, created_by=other)  # an analyst's, confirmed
    open_ = article("The pipeline again.")
    QuoteFactory(article=open_, speaker=speaker, created_by=other)
    Assignment.objects.create(article=blind, analyst=coder, mode="blind")
    analyst.force_login(coder)
    for params in ({}, {"q": "pipeline"}, {"speaker": speaker.pk}):
        counted = facets_response(get(analyst, **params)).context["counted"]
        # Another analyst's quote on the blind article is not the coder's to see.
        assert {v.label: v.count for v in counted.speakers} == {"Seen by others only": 1}
        statuses = {v.value: v.count for v in counted.statuses}
        assert statuses["untouched"] == (0 if params.get("speaker") else 1), params


# --- Snippets ---------------------------------------------------------------------------


def row_of(html: str, article_id: int) -> str:
    """The list row of one article, as HTML."""
    link = f'href="{reverse("article-detail", args=[article_id])}"'
    start = html.rindex('<li class="row">', 0, html.index(link))
    return html[start : html.index("</li>", start)]


def test_a_search_shows_the_passage_with_its_words_marked(analyst):
    a = article(
        "Later the ministers argued over the pipelines for hours; nobody mentioned the weather."
    )
    html = get(analyst, q="pipeline").content.decode()
    snippet = row_of(html, a.pk)
    # Stemmed as the search is: "pipelines" is a match for "pipeline".
    assert "<mark>pipelines</mark>" in snippet
    assert '<p class="snippet">' in snippet
    [article_] = get(analyst, q="pipeline").context["listing"].page.object_list
    assert ("pipelines", True) in article_.snippet
    assert all(not matched for text, matched in article_.snippet if text != "pipelines")


def test_a_phrase_search_marks_each_of_its_words(analyst):
    a = article("The Kestrel Novotny affair.")
    snippet = row_of(get(analyst, q='"Kestrel Novotny"').content.decode(), a.pk)
    assert "<mark>Kestrel</mark> <mark>Novotny</mark>" in snippet


def test_the_article_text_in_a_snippet_stays_escaped(analyst):
    evil = '<script>alert("x")</script> <b>bold</b> <mark>fake</mark> 1 < 2 & the pipeline'
    a = article(evil)
    # Opening with it: without a search the snippet is the text's first characters.
    b = article(title="Evil first", body=evil, content_hash="b" * 64)
    for params in ({"q": "pipeline"}, {"q": "bold"}, {}):
        html = get(analyst, **params).content.decode()
        for row in (row_of(html, a.pk), row_of(html, b.pk)):
            assert "<script" not in row, params
            assert "<b>" not in row, params
            assert "<mark>fake" not in row, params
    # ts_headline leaves tags out of its passages; what is left is escaped, and only the
    # search's words are marked.
    snippet = row_of(get(analyst, q="pipeline").content.decode(), a.pk)
    assert "alert(&quot;x&quot;)" in snippet
    assert "1 &lt; 2 &amp; the <mark>pipeline</mark>" in snippet
    assert snippet.count("<mark>") == 1
    # The opening shows the text as it is, escaped.
    opening = row_of(get(analyst).content.decode(), b.pk)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in opening
    assert "&lt;mark&gt;fake&lt;/mark&gt; 1 &lt; 2 &amp; the pipeline" in opening
    assert "<mark>" not in opening


def test_sentinel_characters_in_the_text_cannot_forge_a_mark(analyst):
    # The snippet marks words with \x02 and \x03; the text's own are taken out first.
    a = article("Before \x02forged\x03 after, the pipeline.")
    [row] = get(analyst, q="pipeline").context["listing"].page.object_list
    assert row.pk == a.pk
    assert [text for text, matched in row.snippet if matched] == ["pipeline"]
    assert "forged" in "".join(text for text, _ in row.snippet)


def test_without_a_search_the_snippet_is_the_opening_cut_at_a_word(analyst):
    words = " ".join(f"word{n:03}" for n in range(60))  # 479 characters
    a = article(words, title="Long")
    [row] = get(analyst).context["listing"].page.object_list
    assert row.pk == a.pk
    [(text, matched)] = row.snippet
    assert not matched
    assert text.endswith("…")
    assert len(text) <= browse.OPENING + 1
    assert BODY.startswith(text[:40])
    assert not text[:-1].endswith(" ")
    # Cut between words: every word shown is whole.
    shown_words = text[:-1].split()
    assert shown_words == (BODY + " " + words).split()[: len(shown_words)]
    short = browse._opening("A short text.")
    assert short == [("A short text.", False)]


def test_headlines_are_computed_for_the_page_rows_only(analyst):
    for n in range(browse.PAGE_SIZE + 5):
        article(f"The pipeline number {n}.", published_at=on(1 + n % 28, month=1 + n // 28))
    with CaptureQueriesContext(connection) as queries:
        response = get(analyst, q="pipeline")
    [headline] = [q["sql"] for q in queries.captured_queries if "ts_headline" in q["sql"]]
    page_ids = {a.pk for a in response.context["listing"].page.object_list}
    assert len(page_ids) == browse.PAGE_SIZE
    # Asked for the 50 rows of the page, by id, never for every match.
    asked = {int(n) for n in re.findall(r"\d+", headline.split(" IN (", 1)[1].split(")", 1)[0])}
    assert asked == page_ids


# --- Plain words for what is not known --------------------------------------------------


def test_rows_say_outlet_unknown_and_date_unknown(analyst):
    a = article(outlet=None, published_at=None, title="Nothing known")
    b = article(published_at=on(5), title="Known")
    html = get(analyst).content.decode()
    unknown = row_of(html, a.pk)
    assert "outlet unknown" in unknown
    assert "date unknown" in unknown
    assert "<time" not in unknown
    assert "00:00" not in unknown
    known = row_of(html, b.pk)
    assert b.outlet.name in known
    assert "5 Mar 2024" in known
    assert "unknown" not in known


def test_story_groups_count_articles_of_unknown_outlet_in_words(analyst):
    wire = OutletFactory(name="Wire")
    mixed = StoryFactory(label="Mixed")
    article(story=mixed, outlet=wire, published_at=on(3))
    article(story=mixed, outlet=None, published_at=on(2))
    article(story=mixed, outlet=None, published_at=on(1))
    nameless = StoryFactory(label="Nameless")
    article(story=nameless, outlet=None, published_at=on(4))
    html = get(analyst, group="story").content.decode()
    assert "1 outlet and 2 articles of unknown outlet covered this · 3 matching articles" in html
    assert "1 article of unknown outlet covered this · 1 matching article" in html
    assert "0 outlets" not in html


def test_coverage_wording():
    from annotations.views.browse import coverage

    assert coverage(3, 0) == "3 outlets covered this"
    assert coverage(1, 0) == "1 outlet covered this"
    assert coverage(0, 2) == "2 articles of unknown outlet covered this"
    assert coverage(2, 1) == "2 outlets and 1 article of unknown outlet covered this"


# --- A search too broad to rank ---------------------------------------------------------


def test_a_search_matching_more_than_the_rank_limit_is_newest_first_and_says_so(
    analyst, monkeypatch
):
    monkeypatch.setattr(browse, "RANK_LIMIT", 2)
    in_title = article("The pipeline deal.", title="Pipeline deal", published_at=on(1))
    others = [article(f"The pipeline, {n}.", published_at=on(2 + n)) for n in range(2)]
    response = get(analyst, q="pipeline")
    listing = response.context["listing"]
    assert listing.unranked
    assert listing.sort == "newest"
    assert shown(response) == [others[1].pk, others[0].pk, in_title.pk]
    html = response.content.decode()
    assert "These 3 matches are too many to rank by relevance quickly" in html
    rank_href = response.context["rank_href"]
    assert query_of(rank_href) == {"q": ["pipeline"], "sort": ["relevance"]}
    # Asked for, relevance ranks them all: the title's match first.
    ranked = analyst.get(rank_href)
    assert shown(ranked)[0] == in_title.pk
    assert not ranked.context["listing"].unranked
    assert "too many to rank" not in ranked.content.decode()
    # Within the limit, a search is ranked without being asked.
    monkeypatch.setattr(browse, "RANK_LIMIT", 3)
    response = get(analyst, q="pipeline")
    assert response.context["listing"].sort == "relevance"
    assert shown(response)[0] == in_title.pk


def test_a_passage_cut_out_of_the_text_says_so_with_ellipses(analyst):
    filler = " ".join(f"word{n:03}" for n in range(80))
    middle = article(f"{filler} the pipeline here {filler}", title="Middle")
    whole = ArticleFactory(title="Whole", body="Short pipeline note.", content_hash="c" * 64)
    rows = {a.pk: a.snippet for a in get(analyst, q="pipeline").context["listing"].page.object_list}
    assert rows[middle.pk][0] == ("… ", False)
    assert rows[middle.pk][-1] == (" …", False)
    assert ("pipeline", True) in rows[middle.pk]
    assert rows[whole.pk] == [("Short ", False), ("pipeline", True), (" note", False)]


# --- The facets' own URL ------------------------------------------------------------------

FACETS = reverse("article-facets")


def test_the_facets_url_needs_a_login_like_the_list(client):
    response = client.get(FACETS, {"q": "pipeline"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=/facets/")


def test_the_page_links_its_facets_with_its_own_query_on_every_swap(analyst):
    story = StoryFactory(label="Geneva talks")
    article("The pipeline.", story=story)
    params = {"q": "pipeline", "story": str(story.pk), "sort": "title", "page": "1"}
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # the page, and the part htmx swaps
        response = analyst.get(HOME, params, **headers)
        href = response.context["facets_href"]
        assert urlsplit(href).path == FACETS
        # The same query, less the page (a facet's link goes back to page 1).
        assert query_of(href) == {k: [v] for k, v in params.items() if k != "page"}
        html = response.content.decode()
        slot = re.search(r'<div id="facets-slot"[^>]*>', html).group(0)
        assert 'hx-trigger="load"' in slot
        # Its own target and selection, not the list's (inherited from #list-body).
        assert 'hx-target="this"' in slot
        assert 'hx-select="#facets"' in slot
        assert 'hx-swap="outerHTML"' in slot
        # The chosen filters are shown, by name, and removable before the counts come.
        chips = {what: (value, h) for what, value, h in response.context["chips"]}
        assert chips["Story"][0] == "Geneva talks"
        assert "story" not in query_of(chips["Story"][1])
        assert ">Geneva talks<" in html.replace('<span class="chip-what">Story:</span> ', ">")


def test_htmx_gets_the_facets_fragment_and_a_browser_without_javascript_a_page(analyst):
    wire = OutletFactory(name="Wire")
    article("The pipeline.", outlet=wire)
    fragment = analyst.get(FACETS, {"q": "pipeline"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert html.lstrip().startswith("{#") is False
    assert "<html" not in html
    assert '<nav id="facets" aria-label="Filters"' in html
    assert "HX-Request" in fragment["Vary"]
    page = analyst.get(FACETS, {"q": "pipeline"})
    html = page.content.decode()
    assert "<html" in html
    assert "<h1>Filter counts</h1>" in html
    assert f'<a href="{HOME}?q=pipeline">Back to the articles</a>' in html
    # Each count leads to the list, with the query kept and the value chosen.
    href = option_href(page, "outlet", "Wire")
    assert urlsplit(href).path == HOME
    assert query_of(href) == {"q": ["pipeline"], "outlet": [str(wire.pk)]}
    assert "style=" not in html
    assert "<script>" not in html


def test_the_facets_ignore_bad_parameters_as_the_list_does(analyst):
    wire = OutletFactory(name="Wire")
    article(outlet=wire)
    bad = {"outlet": "abc", "entity": "-1", "status": "weird", "to": "not-a-date", "q": "x" * 301}
    good = analyst.get(FACETS, HTTP_HX_REQUEST="true")
    response = analyst.get(FACETS, bad, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not response.context["counted"].filters.active
    assert response.context["counted"] == good.context["counted"]
    assert response.context["chips"] == []
    assert facet(response, "outlet") == {"Wire": 1}
    # The list drops the same values: both count the same articles.
    assert not get(analyst, **bad).context["listing"].filters.active
