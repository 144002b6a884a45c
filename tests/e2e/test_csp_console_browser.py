"""Every page in real headless Chromium under the site's own Content-Security-Policy, with
the console watched: no page may log a CSP violation, a console error or an uncaught
script error. The list is also swapped by htmx (a filter changed), the reader is
opened on a seed article, the analysis tabs draw from the API, and the error pages are
visited as a user meets them.

A violation is caught twice over: the `securitypolicyviolation` event (a listener that an
init script adds before any of the page's own scripts run; it outlives nothing, so it is
read before each navigation) and Chromium's console message about it. A failure names
every page that misbehaved and what it logged. What each page logged at all (warnings
too) is printed, for a person reading the run with -s. Screenshots of the list after its
swaps, the API docs and a 403 page, at 1280x800 and 390x844, go to tests/e2e/screenshots/
(git-ignored)."""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from annotations.models import Assignment
from articles import services
from articles.models import Entity, ImportBatch, Story
from newsdesk import roles
from tests.annotations.agreement_world import cast, coded_article, lead_user
from tests.e2e.screens import WIDE, both_sizes
from tests.e2e.test_workbench_browser import PASSWORD, log_in
from tests.factories import UserFactory
from tests.seeds import import_seeds

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


# Runs in every document before its own scripts, outside the page's CSP.
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "(inline)"} at ` +
    `${e.sourceFile || "?"}:${e.lineNumber}:${e.columnNumber}` +
    (e.sample ? ` sample: ${e.sample}` : "")
  );
});
"""


def shots(page: Page, name: str) -> None:
    """The page as it is now, at 1280x800 and 390x844, for a person to look at."""
    both_sizes(page, name, fits=False)


@dataclass
class Visit:
    """What one page logged while it was open."""

    name: str
    url: str = ""
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    # The error pages answer their own status: Chromium logs the document's 403 or 404
    # as a failed resource, which is the page doing its job, not a fault of it.
    expected_status: int | None = None


class Console:
    """Collects every page's console messages, script errors and CSP violations."""

    def __init__(self, page: Page, base: str):
        self.page, self.base = page, base
        self.visits: list[Visit] = []
        self.current = Visit("(before the first page)")
        page.add_init_script(WATCH_CSP)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.current.errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        line = f"console {message.type}: {message.text}" + (f" ({where})" if where else "")
        self.current.console.append(line)
        if message.type != "error":
            return
        status = self.current.expected_status
        own_status = (
            status is not None
            and where.split("?")[0] == self.current.url.split("?")[0]
            and f"status of {status}" in message.text
        )
        if not own_status:
            self.current.errors.append(line)

    def visit(self, name: str, path: str, *, status: int | None = None, ready=None) -> Page:
        """Opens `path`, waits until it and what it fetches are done, and records it."""
        self.finish()
        self.current = Visit(name, url=self.base + path, expected_status=status)
        response = self.page.goto(self.base + path)
        assert response is not None, name
        assert response.status == (status or 200), (name, response.status)
        self.settle(ready)
        return self.page

    def settle(self, ready=None) -> None:
        self.page.wait_for_load_state("load")
        self.page.wait_for_load_state("networkidle")
        if ready is not None:
            expect(ready(self.page)).to_be_visible()
        # A report fired by the last paint or a late script still gets in.
        self.page.wait_for_timeout(150)

    def finish(self) -> None:
        """Reads the open page's violations and files its visit."""
        if self.current.url:
            try:
                self.current.violations += self.page.evaluate("window.__violations || []")
            except Exception as error:  # a page navigated away on its own
                self.current.errors.append(f"could not read its violations: {error}")
            self.visits.append(self.current)
            self.current = Visit("(between pages)")

    def failures(self) -> dict[str, list[str]]:
        return {
            f"{visit.name} <{visit.url}>": visit.violations + visit.errors
            for visit in self.visits
            if visit.violations or visit.errors
        }

    def report(self) -> str:
        lines = []
        for visit in self.visits:
            lines.append(f"{visit.name} <{visit.url}>:")
            for line in [*visit.violations, *visit.console, *visit.errors] or ["(nothing)"]:
                lines.append(f"    {line}")
        return "\n".join(lines)


@pytest.fixture
def site():
    """The seed articles through the real pipeline (quotes, mentions, stories, a batch),
    an admin with an assignment, and a coded article two analysts disagree on."""
    seeds = import_seeds()
    admin = UserFactory(
        username="root", password=PASSWORD, is_superuser=True, is_staff=True, role=roles.ADMIN
    )
    Assignment.objects.create(article=seeds["001"], analyst=admin)
    ana = UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    bea = UserFactory(username="bea", role=roles.ANALYST)
    coded = coded_article(ana, bea, cast())
    lead_user(username="lea", password=PASSWORD)
    return {"seeds": seeds, "coded": coded}


def test_no_page_logs_a_csp_violation_or_a_console_error(live_server, page: Page, site):
    base = live_server.url
    page.set_viewport_size(WIDE)
    watch = Console(page, base)
    article = site["seeds"]["000"]
    entity = Entity.objects.filter(mentions__article=article).order_by("pk").first()
    story = Story.objects.filter(articles__isnull=False).order_by("pk").first()
    batch = ImportBatch.objects.order_by("pk").first()
    waiting = services.import_batch_create(
        uploads=[services.Upload.from_bytes("waiting.txt", b"Talks\n\nThe talks went on.")],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )
    assert entity is not None
    assert story is not None
    assert batch is not None

    watch.visit("login (signed out)", "/accounts/login/")
    # The admin, who sees every page; the admin site first: Chromium asks for
    # /favicon.ico once, on the first page with no icon link, and logs its 404 there.
    watch.finish()
    watch.current = Visit("log in as admin", url=base + "/accounts/login/")
    log_in(page, base, "root")
    watch.settle()
    watch.visit("admin site", "/admin/")
    watch.visit("admin changelist (articles)", "/admin/articles/article/")
    watch.visit("admin change form (article)", f"/admin/articles/article/{article.pk}/change/")
    watch.visit("admin changelist (users)", "/admin/auth/user/")

    listing = watch.visit("article list", "/")
    # A filter changed: htmx fetches the list and swaps #list-body (and pushes the URL).
    option = listing.locator("#list-body .facet li a").first
    expect(option).to_be_visible()
    heading = listing.locator("#results-heading").text_content()
    listing.evaluate("window.__notReloaded = true")
    # htmx's history restore sends htmx:afterSwap too, without a target.
    swaps = listing.evaluate_handle(
        "() => { const seen = []; document.body.addEventListener('htmx:afterSwap', "
        "(e) => seen.push(e.detail.target ? e.detail.target.id : 'restored')); return seen; }"
    )
    option.click()
    expect(listing).to_have_url(re.compile(r"/\?."))
    expect(listing.locator("#results-heading")).not_to_have_text(heading or "")
    watch.settle()
    # A search (the boosted form), then Back: htmx restores the page from its history.
    search = listing.get_by_label("Search articles")
    search.fill("Russia")
    search.press("Enter")
    expect(listing).to_have_url(re.compile(r"[?&]q=Russia"))
    watch.settle()
    listing.go_back()
    expect(listing).not_to_have_url(re.compile(r"q=Russia"))
    watch.settle()
    # Swapped in place by htmx, not loaded afresh (which would hide htmx's own faults).
    assert listing.evaluate("window.__notReloaded === true")
    seen = swaps.evaluate("seen => seen")
    # The facets' counts load after each list (their own URL): swapped in as well.
    assert [target for target in seen if target != "facets-slot"] == [
        "list-body",
        "list-body",
        "restored",
    ]
    assert seen.count("facets-slot") >= 2, seen
    expect(listing.locator("#facets .facet").first).to_be_visible()
    expect(listing.locator("#facets-slot")).to_have_count(0)
    watch.current.name = "article list, then htmx swaps (a filter, a search, Back)"
    shots(listing, "csp-list-swapped")

    # The counts' own page, which the list links without JavaScript ("Show counts").
    watch.visit("facet counts page", "/facets/?q=Russia")
    watch.visit("reader", f"/articles/{article.pk}/")
    watch.visit("entity page", f"/entities/{entity.pk}/")
    watch.visit("entities list", "/entities/")
    watch.visit("story page", f"/stories/{story.pk}/")
    watch.visit("overview", "/overview/")
    watch.visit("import page", "/imports/")
    watch.visit("import batch page (done)", f"/imports/{batch.pk}/")
    # A batch no worker has taken: its progress panel polls, htmx swapping it each second.
    progress = watch.visit("import batch page (waiting, polling)", f"/imports/{waiting.pk}/")
    polls = progress.evaluate_handle(
        "() => { const seen = []; document.body.addEventListener('htmx:afterSwap', "
        "(e) => seen.push(e.detail.target.id)); return seen; }"
    )
    progress.wait_for_function("seen => seen.length >= 2", arg=polls, timeout=10_000)
    for tab in ("", "matrix/", "network/", "timeline/", "sources/", "statements/", "quotes/"):
        watch.visit(f"analysis {tab or 'home'}", f"/analysis/{tab}")
    watch.visit("agreement", "/agreement/")
    watch.visit("adjudication queue", "/adjudicate/")
    watch.visit("adjudication detail", f"/adjudicate/{site['coded'].pk}/")
    watch.visit("my work", "/my-work/")
    watch.visit("assignments", "/assignments/")
    watch.visit("new assignment", "/assignments/new/")
    docs = watch.visit("API docs", "/api/v1/docs/", ready=lambda p: p.locator(".swagger-ui .info"))
    shots(docs, "csp-api-docs")
    watch.finish()

    print(watch.report())
    assert watch.failures() == {}, "\n" + watch.report()


def test_error_pages_log_nothing_but_their_own_status(live_server, page: Page, monkeypatch):
    base = live_server.url
    UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    page.set_viewport_size(WIDE)
    watch = Console(page, base)
    watch.visit("404 (signed out)", "/no-such-page/", status=404)
    log_in(page, base, "ana")
    watch.visit("404 (no such article)", "/articles/999999999/", status=404)
    watch.visit("404 (no such path)", "/no-such-page/", status=404)
    watch.visit("403 (an analyst on the import page)", "/imports/", status=403)
    watch.visit("403 (an analyst on the adjudication queue)", "/adjudicate/", status=403)

    def fail(*args, **kwargs):
        raise RuntimeError("a failure inside the story page")

    # The live server runs in this process: the story page fails as a bug would.
    monkeypatch.setattr("annotations.views.stories.selectors.story_for_page", fail)
    watch.visit("500 (a view that fails)", "/stories/1/", status=500)
    watch.finish()
    shots(watch.page, "csp-403")

    print(watch.report())
    assert watch.failures() == {}, "\n" + watch.report()
