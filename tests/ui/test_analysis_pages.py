"""The analysis pages (stance matrix, networks, timelines, sources, statements) and the
overview: the filter bar's selection kept in every tab, refused parameters said and
dropped, the blind coder's notice, empty states, escaped names, and the same queries for
a few stances or hundreds."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html as lxml_html

from annotations.models import Assignment, AssignmentMode, AssignmentRound, Quote, Stance
from tests.annotations.analysis_world import SENTENCE, AnalysisWorld, build
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    polarity,
)

pytestmark = pytest.mark.django_db

PAGES = (
    "analysis-matrix",
    "analysis-network",
    "analysis-timeline",
    "analysis-sources",
    "analysis-evidence",
    "analysis-quotes",
)
SCRIPT = '<script>alert("x")</script>'
TABS = '//nav[contains(@class, "analysis-tabs")]'
ALERT = '//p[contains(@class, "error")][@role="alert"]'


@pytest.fixture
def world() -> AnalysisWorld:
    return build(articles=8, stances_per_article=3)


@pytest.fixture
def analyst(client, world):
    client.force_login(world.analyst_a)
    return client


def tab_links(page: str) -> dict[str, str]:
    tree = lxml_html.fromstring(page)
    return {a.text_content(): a.get("href") for a in tree.xpath(f"{TABS}//a")}


# --- the filter bar and the tabs --------------------------------------------------------


@pytest.mark.parametrize("here", PAGES)
def test_every_tab_keeps_the_selection(analyst, world, here):
    selection = {
        "q": "minister",
        "outlet": str(world.outlets[1].pk),
        "story": str(world.stories[0].pk),
        "from": "2026-03-01",
        "to": "2026-05-31",
        "layer": "analyst",
        "analyst": str(world.analyst_b.pk),
    }
    response = analyst.get(reverse(here), selection)
    assert response.status_code == 200
    links = tab_links(response.content.decode())
    assert len(links) == len(PAGES)
    for name, href in zip(PAGES, links.values(), strict=True):
        link = urlsplit(href)
        assert link.path == reverse(name)
        assert parse_qs(link.query) == {key: [value] for key, value in selection.items()}
    page = lxml_html.fromstring(response.content.decode())
    current = page.xpath(f'{TABS}//a[@aria-current="page"]')
    assert [a.get("href").split("?")[0] for a in current] == [reverse(here)]
    # The filter form shows the selection it applies.
    form = page.xpath('//form[contains(@class, "analysis-filters")]')[0]
    assert form.xpath('.//input[@id="an-q"]')[0].get("value") == "minister"
    assert (
        form.xpath('.//select[@id="an-outlet"]/option[@selected]')[0].get("value")
        == selection["outlet"]
    )
    assert form.xpath('.//select[@id="an-layer"]/option[@selected]')[0].get("value") == "analyst"
    assert form.xpath('.//input[@name="story"]')[0].get("value") == selection["story"]


@pytest.mark.parametrize("here", PAGES)
def test_a_bad_parameter_is_said_and_dropped(analyst, world, here):
    response = analyst.get(
        reverse(here), {"outlet": "x", "layer": "everything", "story": str(world.stories[1].pk)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    alert = lxml_html.fromstring(page).xpath(ALERT)[0].text_content()
    assert alert.startswith("Some parameters were not understood and are left out: ")
    assert "outlet: " in alert
    assert "layer: " in alert
    for href in tab_links(page).values():
        assert parse_qs(urlsplit(href).query) == {"story": [str(world.stories[1].pk)]}


@pytest.mark.parametrize(
    ("here", "params", "field"),
    [
        ("analysis-matrix", {"holders": "0"}, "holders"),
        ("analysis-matrix", {"sort": "random"}, "sort"),
        ("analysis-network", {"mode": "one-mode"}, "mode"),
        ("analysis-timeline", {"interval": "year"}, "interval"),
        ("analysis-timeline", {"actor": "999999999"}, "actor"),
        ("analysis-evidence", {"holder": "t:topic"}, "holder"),
    ],
)
def test_a_pages_own_bad_option_is_said_too(analyst, world, here, params, field):
    response = analyst.get(reverse(here), params)
    assert response.status_code == 200
    alert = lxml_html.fromstring(response.content.decode()).xpath(ALERT)
    assert alert
    assert f"{field}: " in alert[0].text_content()


# --- blind coders -----------------------------------------------------------------------


def assign_blind(world: AnalysisWorld, analyst, articles) -> None:
    round_ = AssignmentRound.objects.create(label="Blind round")
    for article in articles:
        Assignment.objects.create(
            round=round_, article=article, analyst=analyst, mode=AssignmentMode.BLIND
        )


@pytest.mark.parametrize("here", PAGES)
def test_a_blind_coder_is_told_how_many_articles_are_left_out(analyst, world, here):
    assign_blind(world, world.analyst_a, world.articles[:3])
    page = analyst.get(reverse(here)).content.decode()
    assert "3 articles you code blind are left out of these figures" in page


def test_the_notice_speaks_of_one_article_and_goes_once_it_is_done(analyst, world):
    assign_blind(world, world.analyst_a, world.articles[:1])
    page = analyst.get(reverse("analysis-matrix")).content.decode()
    assert "1 article you code blind is left out of these figures" in page
    Assignment.objects.update(done_at=datetime(2026, 6, 1, tzinfo=UTC))
    page = analyst.get(reverse("analysis-matrix")).content.decode()
    assert "you code blind" not in page


def test_the_blind_coders_figures_leave_those_articles_out(analyst, world):
    blind = world.articles[:3]
    assign_blind(world, world.analyst_a, blind)
    left = {a.pk for a in blind}
    made = [m for m in world.layer("all") if m.article not in left]
    response = analyst.get(reverse("analysis-evidence"))
    assert response.context["page"].paginator.count == len(made)


def test_others_get_no_notice(client, world):
    assign_blind(world, world.analyst_a, world.articles[:3])
    client.force_login(world.analyst_b)
    assert "you code blind" not in client.get(reverse("analysis-matrix")).content.decode()


# --- empty states and the figures of the selection ------------------------------------


def test_a_selection_without_stances_says_so(analyst, world):
    Stance.objects.all().delete()
    Quote.objects.all().delete()
    matrix = analyst.get(reverse("analysis-matrix")).content.decode()
    assert "No stances in this selection. Try another layer, or widen the filters." in matrix
    assert '<table class="matrix"' not in matrix
    statements = analyst.get(reverse("analysis-evidence")).content.decode()
    assert "0 statements." in statements
    assert "No statements here." in statements
    sources = analyst.get(reverse("analysis-sources")).content.decode()
    assert "No attributed quotes in this selection." in sources
    assert "sources-matrix" not in sources
    timeline = analyst.get(reverse("analysis-timeline")).context["top_actors"]
    assert timeline == []


def test_the_pages_figures_are_the_selections(analyst, world):
    outlet = world.outlets[1].pk
    made = [m for m in world.layer("confirmed") if m.outlet == outlet]
    response = analyst.get(reverse("analysis-evidence"), {"outlet": outlet, "layer": "confirmed"})
    assert response.context["page"].paginator.count == len(made)
    matrix = analyst.get(reverse("analysis-matrix"), {"outlet": outlet, "layer": "confirmed"})
    assert matrix.context["matrix"].statements == len(made)


def test_a_filter_that_leaves_no_stances_shows_the_empty_state(analyst, world):
    empty = {"q": "nothingmatchesthisword"}
    matrix = analyst.get(reverse("analysis-matrix"), empty).content.decode()
    assert "No stances in this selection." in matrix
    statements = analyst.get(reverse("analysis-evidence"), empty).content.decode()
    assert "No statements here." in statements


def test_an_empty_layer_says_so(analyst, world):
    Stance.objects.filter(origin="gold").delete()
    page = analyst.get(reverse("analysis-matrix"), {"layer": "gold"}).content.decode()
    assert "No stances in this selection and layer." in page


def test_a_dropped_parameter_leaves_the_others_applied(analyst, world):
    story = world.stories[1].pk
    made = [m for m in world.layer("all") if m.story == story]
    response = analyst.get(reverse("analysis-evidence"), {"outlet": "x", "story": story})
    assert response.context["page"].paginator.count == len(made)


# --- escaping ---------------------------------------------------------------------------


@pytest.fixture
def scripted(world):
    """An actor, a topic, an outlet, a story and an article title that are markup."""
    actor = EntityFactory(name=SCRIPT)
    article = ArticleFactory(
        title=SCRIPT,
        body=f"{SENTENCE * 2}(Scripted.)",
        outlet=OutletFactory(name=f"Outlet {SCRIPT}"),
        story=StoryFactory(label=f"Story {SCRIPT}"),
        published_at=datetime(2026, 3, 10, tzinfo=UTC),
    )
    QuoteFactory(article=article, start=0, end=len(SENTENCE) - 1, speaker=actor)
    StanceFactory(
        article=article,
        start=0,
        end=len(SENTENCE) - 1,
        holder=actor,
        target_entity=world.actors[3],
        target_text="",
        polarity=polarity("oppose"),
        origin="analyst",
        status="confirmed",
        created_by=world.analyst_a,
    )
    StanceFactory(
        article=article,
        start=len(SENTENCE),
        end=len(SENTENCE) * 2 - 1,
        holder=world.actors[3],
        target_entity=None,
        target_text=f"topic {SCRIPT}",
        polarity=polarity("support"),
        origin="analyst",
        status="confirmed",
        created_by=world.analyst_a,
    )
    return {"actor": actor, "article": article}


def test_names_are_escaped_on_every_page(analyst, world, scripted):
    actor, article = scripted["actor"], scripted["article"]
    urls = [
        reverse("analysis-matrix") + "?holders=200&targets=200",
        reverse("analysis-network"),
        reverse("analysis-timeline") + f"?actor={actor.pk}",
        reverse("analysis-timeline") + f"?story={article.story_id}",
        reverse("analysis-sources"),
        reverse("analysis-evidence") + f"?holder=e{actor.pk}",
        reverse("analysis-evidence") + "?" + urlencode({"target": f"t:topic {SCRIPT}"}),
        reverse("analysis-evidence") + f"?speaker={actor.pk}&outlet={article.outlet_id}",
        reverse("overview"),
    ]
    for url in urls:
        response = analyst.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "<script>alert" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
    matrix = analyst.get(urls[0]).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in matrix
    statements = analyst.get(urls[5]).content.decode()
    texts = [td.text_content() for td in lxml_html.fromstring(statements).xpath("//td")]
    assert any(SCRIPT in text for text in texts)  # the title and the holder, as text
    chips = analyst.get(urls[7]).content.decode()
    assert f"speaker: {SCRIPT}" in [
        c.text_content() for c in lxml_html.fromstring(chips).xpath('//span[@class="chip"]')
    ]


# --- cost -------------------------------------------------------------------------------


# Every page for a signed-in analyst: 1 the session, 2 the user, 3 the user's role (groups).
SIGNED_IN = 3
# What every analysis page adds (_context): the outlets of the filter bar; the analysts of
# its layer menu; the articles the viewer codes blind (left out).
FRAME = 3
# Queries per page after SIGNED_IN, whatever the number of stances, actors and outlets.
COST = {
    # FRAME; one scan of the selection (totals, holders, targets, cells); their names
    "matrix": FRAME + 2,
    # FRAME (the network itself is the API's, read by the chart)
    "network": FRAME,
    # FRAME; the actor; the most active holders of the menu; their names
    "timeline": FRAME + 3,
    # FRAME; quotes per speaker and outlet; the top speakers' names; their outlets' names
    "sources": FRAME + 3,
    # FRAME; the narrowing's entity names; the statements counted; the page of statements
    # with article, outlet, holder, target, polarity, author and quote joined
    "statements": FRAME + 3,
    # FRAME; the speaker's name; the quotes counted; the page of quotes with article,
    # outlet, speaker and author joined
    "quotes": FRAME + 3,
    # the same with a selection: and the story's label and the speaker's name, for the
    # chips (the outlet's and the analyst's come from the menus' lists)
    "matrix-selected": FRAME + 2 + 2,
    # coverage; quotes by status; mentions by status; stances; notes; articles by review
    # status; imports per week; the most active holders; their names
    "overview": 9,
}


def grow(world: AnalysisWorld, n: int) -> None:
    """n more articles in new outlets, each with a new actor quoted, holding stances on
    an old actor and a topic, and held to account by an old actor in turn."""
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    slugs = ["support", "oppose", "neutral", "mixed"]
    old = world.actors
    for i in range(n):
        article = ArticleFactory(
            body=f"{SENTENCE * 4}(Grown {i}.)",
            outlet=OutletFactory(name=f"Outlet grown {i}"),
            story=world.stories[i % 2],
            published_at=start + timedelta(days=2 * i),
        )
        actor = EntityFactory(name=f"Actor {i}")
        QuoteFactory(article=article, start=0, end=len(SENTENCE) - 1, speaker=actor)
        ends = [(holder, target) for holder, target in ((actor, old[i % 7]), (old[0], actor))]
        ends.append((actor, None))
        for n_, (holder, target) in enumerate(ends):
            StanceFactory(
                article=article,
                start=n_ * len(SENTENCE),
                end=(n_ + 1) * len(SENTENCE) - 1,
                holder=holder,
                target_entity=target,
                target_text="" if target else f"topic {i % 5}",
                polarity=polarity(slugs[(i + n_) % 4]),
                origin=["machine", "analyst", "gold"][i % 3],
                status="suggested" if i % 3 == 0 else "confirmed",
                created_by=world.analyst_b if i % 3 == 1 else None,
            )


def selected(world: AnalysisWorld) -> dict[str, int | str]:
    """A selection that holds stances with an entity at both ends (one of analyst B's,
    in a story), so that every query of the page runs once it is applied."""
    analyst = world.analyst_b.pk
    m = next(m for m in world.layer("analyst", analyst) if m.story and m.target.startswith("e"))
    speaker = Quote.objects.filter(article_id=m.article).values_list("speaker_id", flat=True)[0]
    return {
        "story": m.story,
        "speaker": speaker,
        "outlet": m.outlet,
        "layer": "analyst",
        "analyst": analyst,
    }


def page_urls(world: AnalysisWorld) -> dict[str, str]:
    holder, target = world.made[0].holder, world.made[0].target
    return {
        "matrix": reverse("analysis-matrix"),
        "matrix-selected": reverse("analysis-matrix") + "?" + urlencode(selected(world)),
        "network": reverse("analysis-network") + "?mode=congruence",
        "timeline": reverse("analysis-timeline") + f"?actor={holder}&interval=month",
        "sources": reverse("analysis-sources"),
        "statements": reverse("analysis-evidence")
        + "?"
        + urlencode({"holder": f"e{holder}", "target": target}),
        "quotes": reverse("analysis-quotes") + f"?quoted={holder}",
        "overview": reverse("overview"),
    }


def cost(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), [q["sql"][:160] for q in queries]


@pytest.mark.parametrize("page", list(COST))
def test_a_page_costs_the_same_queries_for_few_stances_or_many(analyst, world, page):
    url = page_urls(world)[page]
    few, sql = cost(analyst, url)
    grow(world, 40)
    many, _ = cost(analyst, url)
    assert few == SIGNED_IN + COST[page], sql
    assert many == few


def test_entity_and_story_pages_lead_into_their_analysis(world, analyst):
    actor = world.actors[0]
    story = world.stories[0]
    entity_page = analyst.get(reverse("entity-detail", args=[actor.pk])).content.decode()
    assert f"{reverse('analysis-timeline')}?actor={actor.pk}&amp;interval=month" in entity_page
    assert f"{reverse('analysis-evidence')}?holder=e{actor.pk}" in entity_page
    story_page = analyst.get(reverse("story-detail", args=[story.pk])).content.decode()
    assert f"{reverse('analysis-timeline')}?story={story.pk}&amp;interval=day" in story_page
    assert f"{reverse('analysis-sources')}?story={story.pk}" in story_page
