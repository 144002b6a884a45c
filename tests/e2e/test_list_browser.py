"""The article list in real headless Chromium: a search's rows show the passage with the
search words marked (and an article's own markup as text), articles of unknown outlet
and date say so, story groups count them in words. Screenshots of the list with snippets
at 1280x800 and 390x844 go to tests/e2e/screenshots/ (git-ignored) for a person to look
at."""

import hashlib
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from newsdesk import roles
from tests.e2e.screens import NARROW, SHOTS, WIDE, both_sizes
from tests.e2e.test_workbench_browser import PASSWORD, log_in
from tests.factories import ArticleFactory, OutletFactory, StoryFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


# Written for this test: short wire-style paragraphs about a truce.
TEXTS = [
    (
        "Truce talks resume in Geneva",
        "Negotiators returned to Geneva on Monday. Both delegations said a ceasefire along "
        "the northern line could be signed within days if the exchange of prisoners goes "
        "ahead as planned, officials told reporters outside the talks.",
    ),
    (
        "Shelling tests fragile ceasefire",
        "Artillery fire was heard overnight near the river crossing. The regional governor "
        "said the ceasefire had held in most districts but warned that monitors had not "
        "reached the eastern villages since Thursday.",
    ),
    (
        "Monitors ask for access",
        "The observer mission asked both sides for safe passage to the front. Without it, "
        "its chief said, nobody could verify whether the ceasefire was being respected, "
        "and the next round of talks would start on guesses.",
    ),
    (
        "Aid convoys wait at the border",
        "Forty lorries of food and medicine waited at the border crossing on Tuesday. The "
        "agencies said they would move as soon as the ceasefire covered the road north.",
    ),
]


def article(title: str, body: str, **fields):
    return ArticleFactory(
        title=title,
        body=body,
        raw_text=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        **fields,
    )


def counted(page: Page) -> None:
    """The facets' counts, which the list loads after itself, have arrived."""
    expect(page.locator("#facets .facet .count").first).to_be_attached()
    expect(page.locator("#facets-slot")).to_have_count(0)


def shots(page: Page, name: str) -> None:
    """The page at both sizes, once its counts have arrived; the narrow one must not
    scroll sideways."""
    counted(page)
    both_sizes(page, name)


def test_a_search_shows_passages_with_the_words_marked(live_server, page: Page):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    wire = OutletFactory(name="Harbour Wire")
    story = StoryFactory(label="Geneva truce talks")
    for day, (title, body) in enumerate(TEXTS, start=1):
        article(
            title,
            body,
            outlet=wire,
            story=story,
            published_at=datetime(2026, 3, day, 9, tzinfo=UTC),
        )
    evil = article(
        "Leaked <script> in a press release",
        'The release read <script>alert("ceasefire")</script> before the ceasefire terms.',
        outlet=None,
        published_at=None,
    )
    article(
        "Undated note on the ceasefire",
        "A note without a date or an outlet says the ceasefire map was redrawn twice.",
        outlet=None,
        story=story,
        published_at=None,
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "ana")

    # A search typed in the box: htmx swaps the list, every row shows its passage.
    page.goto(f"{live_server.url}/")
    page.get_by_label("Search articles").fill("ceasefire")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{live_server.url}/?q=ceasefire")
    rows = page.locator("li.row")
    expect(rows).to_have_count(6)
    marks = page.locator("li.row .snippet mark")
    expect(marks.first).to_have_text("ceasefire")
    assert marks.count() >= 6
    for text in marks.all_text_contents():
        assert text.lower() == "ceasefire"
    # The article's markup is text on the page, never markup.
    leaked = rows.filter(has_text="Leaked <script> in a press release")
    expect(leaked.locator(".snippet")).to_contain_text("ceasefire terms")
    assert page.locator("li.row script").count() == 0
    expect(leaked).to_contain_text("outlet unknown")
    expect(leaked).to_contain_text("date unknown")
    assert "00:00" not in leaked.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    shots(page, "list-search-snippets")
    # On a phone the filters come first: the rows, scrolled to.
    page.set_viewport_size(NARROW)
    page.evaluate("document.getElementById('results-heading').scrollIntoView()")
    page.screenshot(path=str(SHOTS / "list-search-snippets-narrow-rows.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(WIDE)

    # Without a search, each row opens with the first words of its text.
    page.goto(f"{live_server.url}/")
    first = rows.filter(has_text=TEXTS[3][0]).locator(".snippet")
    expect(first).to_contain_text("Forty lorries of food and medicine")
    assert first.locator("mark").count() == 0

    # Grouped by story: the outlet-less articles are counted in words.
    page.goto(f"{live_server.url}/?q=ceasefire&group=story")
    expect(page.locator(".group-meta").first).to_contain_text(
        "1 outlet and 1 article of unknown outlet covered this"
    )
    page.evaluate("window.scrollTo(0, 0)")
    shots(page, "list-search-grouped")
    assert evil.pk
    assert not errors


def test_the_counts_load_after_the_list_and_its_filters_work_before(live_server, page: Page):
    """The rows and the chosen filters come at once; the counts ("Counting…" meanwhile)
    from their own URL, which is held back here until the filters have been used."""
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    wire = OutletFactory(name="Harbour Wire")
    for day, (title, body) in enumerate(TEXTS, start=1):
        article(title, body, outlet=wire if day % 2 else None)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(WIDE)
    log_in(page, live_server.url, "ana")
    held = []

    def hold(route):
        # The list that signing in lands on may still ask for its counts: let those by.
        if "q=ceasefire" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/facets/"), hold)

    page.goto(f"{live_server.url}/?q=ceasefire&outlet={wire.pk}")
    expect(page.locator("li.row")).to_have_count(2)
    counting = page.locator("#facets-slot .counting")
    expect(counting).to_be_visible()
    expect(counting).to_have_text("Counting…")
    chip = page.locator(".chips a", has_text="Harbour Wire")
    expect(chip).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "list-counting-wide.png"))
    # The chosen outlet is removed before any count has come: the list swaps, and asks
    # for the counts of its new query.
    chip.click()
    expect(page).to_have_url(f"{live_server.url}/?q=ceasefire")
    expect(page.locator("li.row")).to_have_count(4)
    expect(counting).to_be_visible()
    for _ in range(100):  # the route's handler runs as Playwright reads its events
        if len(held) == 2:
            break
        page.wait_for_timeout(50)
    assert [urlsplit_query(route.request.url) for route in held] == [
        f"q=ceasefire&outlet={wire.pk}",
        "q=ceasefire",
    ]
    for route in held:
        route.continue_()
    page.unroute(re.compile(r"/facets/"))
    counted(page)
    outlets = page.locator("#facets .facet", has_text="Outlet")
    expect(outlets).to_contain_text("Harbour Wire")
    expect(outlets.locator(".count").first).to_have_text("2")
    expect(page.locator("#facets .facet", has_text="Annotation status")).to_contain_text(
        "Untouched"
    )
    # A count's link swaps the list, and the counts come again, for the new query.
    outlets.get_by_role("link", name=re.compile("Harbour Wire")).click()
    expect(page).to_have_url(f"{live_server.url}/?q=ceasefire&outlet={wire.pk}")
    expect(page.locator("li.row")).to_have_count(2)
    counted(page)
    expect(page.locator("#facets .facet li.selected")).to_contain_text("Harbour Wire")
    shots(page, "list-counted")
    assert not errors


def test_without_javascript_the_counts_are_a_link_away(live_server, browser):
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    wire = OutletFactory(name="Harbour Wire")
    for title, body in TEXTS:
        article(title, body, outlet=wire)
    context = browser.new_context(java_script_enabled=False, viewport=WIDE)
    page = context.new_page()
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/?q=ceasefire")
    expect(page.locator("li.row")).to_have_count(4)
    # No "Counting…" without JavaScript: a link to the counts instead.
    expect(page.locator("#facets-slot .counting")).to_be_hidden()
    page.get_by_role("link", name="Show counts").click()
    expect(page).to_have_url(f"{live_server.url}/facets/?q=ceasefire")
    expect(page.get_by_role("heading", name="Filter counts")).to_be_visible()
    page.screenshot(path=str(SHOTS / "list-counts-page-wide.png"))
    page.locator("#facets .facet", has_text="Outlet").get_by_role(
        "link", name=re.compile("Harbour Wire")
    ).click()
    expect(page).to_have_url(f"{live_server.url}/?q=ceasefire&outlet={wire.pk}")
    expect(page.locator("li.row")).to_have_count(4)
    context.close()


def urlsplit_query(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).query)
