"""The Analysis section end to end, in real headless Chromium under the site's CSP: an
analyst opens the stance matrix, clicks its largest cell and lands on exactly the
statements behind it; opens the actor network, which draws every actor the API names,
and clicks a node to reach that actor's page; then the congruence network, a timeline,
the sources and the dashboard. Each view is photographed at 1280x800 and 390x844 into
tests/e2e/screenshots/ (git-ignored) for a person to look at."""

from collections import defaultdict

import pytest
from playwright.sync_api import Page, expect

from newsdesk import roles
from tests.annotations.analysis_world import build
from tests.e2e.screens import both_sizes as shots
from tests.e2e.test_workbench_browser import PASSWORD, SHOTS, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def chart_shot(page: Page, name: str) -> None:
    """The chart alone, whole, for a person to look at its drawing."""
    page.locator("figure.chart").screenshot(path=str(SHOTS / name))


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    return problems


def test_matrix_cell_opens_its_statements_and_a_network_node_opens_its_actor(
    live_server, page: Page
):
    world = build(articles=18, stances_per_article=4)
    UserFactory(username="vera", password=PASSWORD, role=roles.ANALYST)
    problems = _watch(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    base = live_server.url
    log_in(page, base, "vera")

    # The matrix: its largest cell, counted here from the statements the world made.
    page.get_by_role("link", name="Analysis").click()
    expect(page.get_by_role("heading", name="Analysis: stance matrix")).to_be_visible()
    cells: dict[tuple[str, str], set[int]] = defaultdict(set)
    for made in world.layer("all"):
        cells[(f"e{made.holder}", made.target)].add(made.pk)
    (holder, target), ids = max(cells.items(), key=lambda item: (len(item[1]), item[0]))
    page.goto(f"{base}/analysis/matrix/?holders=50&targets=50")
    shots(page, "analysis-matrix")
    cell = page.locator(f'a[data-cell="{holder}|{target}"]')
    expect(cell).to_be_visible()
    cell.click()
    expect(page.get_by_role("heading", name="Analysis: statements")).to_be_visible()
    rows = page.locator("table.statements tbody tr")
    expect(rows).to_have_count(len(ids))
    shown = {int(pk) for pk in rows.evaluate_all("rs => rs.map(r => r.dataset.statement)")}
    assert shown == ids
    expect(page.locator(".result-count")).to_contain_text(f"{len(ids)} statement")
    shots(page, "analysis-statements")

    # The two-mode network: every node the API names is drawn; a node opens its actor.
    page.get_by_role("link", name="Networks").click()
    expect(page.get_by_role("heading", name="Analysis: networks")).to_be_visible()
    nodes = page.locator("[data-node]")
    expect(nodes.first).to_be_visible()
    data = page.evaluate(
        "async () => (await fetch(document.querySelector('figure[data-chart]').dataset.src,"
        " {headers: {Accept: 'application/json'}})).json()"
    )
    expect(nodes).to_have_count(len(data["nodes"]))
    expect(page.locator("[data-edge]")).to_have_count(len(data["edges"]))
    expect(page.locator("#network-summary")).to_have_text(data["summary"])
    shots(page, "analysis-network-two-mode")
    chart_shot(page, "analysis-network-two-mode-chart.png")
    actor = next(n for n in data["nodes"] if n["type"] == "actor" and n["url"])
    page.locator(f'[data-node="{actor["id"]}"]').first.click()
    expect(page).to_have_url(f"{base}{actor['url']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(actor["name"])

    # The congruence network, with its table view.
    page.goto(f"{base}/analysis/network/?mode=congruence&normalization=average")
    expect(page.locator("[data-node]").first).to_be_visible()
    shots(page, "analysis-network-congruence")
    chart_shot(page, "analysis-network-congruence-chart.png")
    page.get_by_role("button", name="Table").first.click()
    expect(page.locator(".chart-table table").first).to_be_visible()
    shots(page, "analysis-network-congruence-table")

    # A timeline of the most active actor, the sources and the dashboard.
    top = max(world.actors, key=lambda a: sum(m.holder == a.pk for m in world.layer("all")))
    page.goto(f"{base}/analysis/timeline/?actor={top.pk}&interval=month")
    expect(page.locator(".chart-timeline svg").first).to_be_visible()
    shots(page, "analysis-timeline-actor")
    chart_shot(page, "analysis-timeline-actor-chart.png")
    page.goto(f"{base}/analysis/timeline/?interval=week&story={world.stories[0].pk}")
    expect(page.locator(".chart-timeline svg").first).to_be_visible()
    shots(page, "analysis-timeline-story")
    page.goto(f"{base}/analysis/quotes/?quoted={top.pk}")
    expect(page.get_by_role("heading", name="Analysis: quotes")).to_be_visible()
    shots(page, "analysis-quotes")
    page.goto(f"{base}/analysis/sources/")
    expect(page.locator(".chart-bars svg").first).to_be_visible()
    shots(page, "analysis-sources")
    page.goto(f"{base}/overview/")
    expect(page.locator(".chart-timeline svg").first).to_be_visible()
    expect(page.locator(".chart-bars svg").first).to_be_visible()
    shots(page, "overview-dashboard")
    assert problems == []
