"""The analysis charts (static/js/analysis.js) in real headless Chromium, under the site's
own Content-Security-Policy. The analysis pages are the lead's; here a test page is served
on the live server's origin by Playwright with the CSP header the site really sends, the
real static files (d3, Plot, analysis.js/css) from the live server, and data-src URLs
answered with JSON written below. Each chart kind is photographed at 1280x800 and 390x844
into tests/e2e/screenshots/ (git-ignored) for a person to look at."""

import json
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.screens import NARROW, WIDE
from tests.e2e.test_workbench_browser import SHOTS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

API = "/api/v1/analysis"
ESCAPE_ME = 'Acme <b>&"Co"'  # must show as these characters, never as markup


def node(id_, name, kind, type_, support, oppose, other, degree, url=True):
    entity_id = int(id_[1:]) if id_.startswith("e") else None
    return {
        "id": id_, "entity_id": entity_id, "name": name, "kind": kind, "type": type_,
        "activity": support + oppose + other, "support": support, "oppose": oppose,
        "other": other, "degree": degree,
        "url": f"/entities/{entity_id}/" if url and entity_id else None,
    }  # fmt: skip


def edge(source, target, weight, support, oppose, other, polarity, shared=None):
    return {
        "source": source, "target": target, "weight": weight, "support": support,
        "oppose": oppose, "other": other, "polarity": polarity,
        "shared": shared if shared is not None else support + oppose + other,
        "evidence": f"/analysis/evidence/?holder={source}&target={target}",
    }  # fmt: skip


TWO_MODE_EDGES = [
    edge("e1", "e9", 4.0, 4, 0, 0, "support"),
    edge("e1", "e10", 2.0, 0, 2, 0, "oppose"),
    edge("e1", "t:nato enlargement", 3.0, 2, 1, 0, "mixed"),
    edge("e2", "e9", 1.0, 1, 0, 0, "support"),
    edge("e2", "e11", 2.0, 0, 2, 0, "oppose"),
    edge("e3", "e9", 1.0, 0, 1, 0, "oppose"),
    edge("e3", "e12", 5.0, 5, 0, 0, "support"),
    edge("e3", "t:nato enlargement", 1.0, 0, 0, 1, "neutral"),
    edge("e4", "e10", 2.0, 2, 0, 0, "support"),
    edge("e4", "e13", 1.0, 0, 1, 0, "oppose"),
    edge("e5", "e11", 3.0, 3, 0, 0, "support"),
    edge("e5", "e14", 2.0, 1, 1, 0, "mixed"),
    edge("e6", "e12", 1.0, 0, 1, 0, "oppose"),
    edge("e6", "e9", 2.0, 2, 0, 0, "support"),
    edge("e7", "e13", 1.0, 1, 0, 0, "support"),
    edge("e7", "e14", 1.0, 0, 1, 0, "oppose"),
    edge("e8", "t:nato enlargement", 2.0, 0, 2, 0, "oppose"),
    edge("e8", "e10", 1.0, 1, 0, 0, "support"),
]


def tally(edges, id_, role):
    """A node's counts, computed from the edges rather than typed twice."""
    side = "source" if role == "actor" else "target"
    mine = [e for e in edges if e[side] == id_]
    return (
        sum(e["support"] for e in mine),
        sum(e["oppose"] for e in mine),
        sum(e["other"] for e in mine),
        len(mine),
    )


ACTORS = [
    ("e1", "Ursula von der Leyen", "PERSON"),
    ("e2", "Olaf Scholz", "PERSON"),
    ("e3", ESCAPE_ME, "ORG"),
    ("e4", "Emmanuel Macron", "PERSON"),
    ("e5", "Jens Stoltenberg", "PERSON"),
    ("e6", "Ministry of Foreign Affairs of Ruritania", "ORG"),
    ("e7", "Kaja Kallas", "PERSON"),
    ("e8", "Viktor Orbán", "PERSON"),
]
TARGETS = [
    ("e9", "Ukraine", "GPE"),
    ("e10", "Russia", "GPE"),
    ("e11", "European Commission", "ORG"),
    ("e12", "NATO", "ORG"),
    ("e13", "China", "GPE"),
    ("e14", "Sanctions package", "MISC"),
    ("t:nato enlargement", "nato enlargement", "TOPIC"),
]
TWO_MODE = {
    "mode": "two-mode",
    "normalization": "no",
    "summary": "15 nodes (8 actors, 7 targets) and 18 statements edges, 2025-01-01 to 2025-06-30.",
    "nodes": [node(i, n, k, "actor", *tally(TWO_MODE_EDGES, i, "actor")) for i, n, k in ACTORS]
    + [node(i, n, k, "target", *tally(TWO_MODE_EDGES, i, "target")) for i, n, k in TARGETS],
    "edges": TWO_MODE_EDGES,
    "truncated": False,
    "limit": 100,
}

CONGRUENCE_EDGES = [
    edge("e1", "e2", 2.0, 0, 0, 0, "congruence", shared=2),
    edge("e1", "e4", 1.0, 0, 0, 0, "congruence", shared=1),
    edge("e2", "e4", 0.5, 0, 0, 0, "congruence", shared=1),
    edge("e3", "e5", 1.25, 0, 0, 0, "congruence", shared=2),
    edge("e1", "e8", 3.0, 0, 0, 0, "conflict", shared=3),
    edge("e6", "e8", 1.0, 0, 0, 0, "conflict", shared=1),
    edge("e5", "e7", 0.3333333, 0, 0, 0, "congruence", shared=1),
    edge("e3", "e6", 2.0, 0, 0, 0, "conflict", shared=2),
]
CONGRUENCE = {
    "mode": "congruence",
    "normalization": "average",
    "summary": "8 actors linked by 8 shared or opposed positions (average activity normalisation).",
    "nodes": [
        node(i, n, k, "actor", *tally(TWO_MODE_EDGES, i, "actor")[:3], degree)
        for (i, n, k), degree in zip(ACTORS, (3, 2, 2, 2, 2, 2, 1, 2), strict=True)
    ],
    "edges": CONGRUENCE_EDGES,
    "truncated": False,
    "limit": 100,
}

TIMELINE = {
    "interval": "week",
    "summary": "Quotes, stances for and stances against Ukraine, by week.",
    "series": [
        {
            "key": "quotes",
            "label": "Quotes",
            "points": [
                {"period": p, "count": c, "evidence": f"/analysis/evidence/?week={p}"}
                for p, c in [
                    ("2026-01-05", 3),
                    ("2026-01-12", 7),
                    ("2026-01-19", 4),
                    ("2026-01-26", 9),
                    ("2026-02-02", 6),
                    ("2026-02-09", 11),
                ]
            ],
        },
        {
            "key": "support",
            "label": "Support",
            "points": [
                {"period": p, "count": c, "evidence": f"/analysis/evidence/?s=1&week={p}"}
                for p, c in [("2026-01-05", 1), ("2026-01-19", 2), ("2026-02-02", 5)]
            ],
        },
        {
            "key": "oppose",
            "label": "Oppose",
            "points": [
                {"period": p, "count": c, "evidence": f"/analysis/evidence/?s=-1&week={p}"}
                for p, c in [("2026-01-12", 2), ("2026-01-26", 3), ("2026-02-09", 1)]
            ],
        },
    ],
}

OUTLETS = ["Tide Wire", "The Harbour Post"]
SOURCES = {
    "summary": "8 speakers quoted 46 times in 2 outlets.",
    "speakers": [
        {
            "id": f"e{i}",
            "entity_id": i,
            "name": name,
            "quotes": a + b,
            "outlets": {OUTLETS[0]: a, OUTLETS[1]: b},
            "url": f"/entities/{i}/",
        }
        for i, name, a, b in [
            (1, "Ursula von der Leyen", 7, 5),
            (2, "Olaf Scholz", 3, 6),
            (3, ESCAPE_ME, 4, 0),
            (4, "Emmanuel Macron", 2, 7),
            (5, "Jens Stoltenberg", 1, 2),
            (6, "Ministry of Foreign Affairs of Ruritania", 3, 1),
            (7, "Kaja Kallas", 2, 1),
            (8, "Viktor Orbán", 0, 2),
        ]
    ],
    "outlets": OUTLETS,
}

DATA = {
    f"{API}/network/?mode=two-mode": (200, TWO_MODE),
    f"{API}/network/?mode=congruence&normalization=average": (200, CONGRUENCE),
    f"{API}/timeline/?entity=9&interval=week": (200, TIMELINE),
    f"{API}/sources/": (200, SOURCES),
    f"{API}/network/?mode=conflict&broken=1": (500, {"detail": "boom"}),
    f"{API}/network/?mode=two-mode&empty=1": (200, {**TWO_MODE, "nodes": [], "edges": []}),
    f"{API}/timeline/?entity=99&interval=month": (200, {**TIMELINE, "series": []}),
}

# The server-rendered stance matrix (the lead's template) in miniature: holders by total.
MATRIX_ROWS = [("Olaf Scholz", 10, 3), ("Kaja Kallas", 9, 1), ("Viktor Orbán", 2, 2)]
MATRIX = (
    '<table class="matrix" data-sortable><caption>Stances</caption><thead><tr>'
    '<th scope="col">Holder</th><th scope="col">Total</th><th scope="col">Oppose</th>'
    "</tr></thead><tbody>"
    + "".join(
        f'<tr><th scope="row">{n}</th><td>{t}</td><td>{o}</td></tr>' for n, t, o in MATRIX_ROWS
    )
    + "</tbody></table>"
)


def figure(kind: str, src: str, id_: str) -> str:
    return (
        f'<figure class="chart" id="{id_}" data-chart="{kind}" data-src="{src}" '
        f'aria-describedby="{id_}-summary">'
        f'<p id="{id_}-summary" class="chart-summary">Server summary</p>'
        '<div class="chart-canvas"></div><div class="chart-table"></div></figure>'
    )


PAGES = {
    "network": figure("network", f"{API}/network/?mode=two-mode", "two-mode"),
    "congruence": figure(
        "network", f"{API}/network/?mode=congruence&amp;normalization=average", "congruence"
    ),
    "timeline": figure("timeline", f"{API}/timeline/?entity=9&amp;interval=week", "timeline"),
    "bars": figure("bars", f"{API}/sources/", "sources"),
    "matrix": figure("matrix", f"{API}/stance-matrix/", "matrix") + MATRIX,
    "failures": figure("network", f"{API}/network/?mode=conflict&amp;broken=1", "broken")
    + figure("network", f"{API}/network/?mode=two-mode&amp;empty=1", "empty")
    + figure("timeline", f"{API}/timeline/?entity=99&amp;interval=month", "empty-timeline"),
    "slow": figure("bars", f"{API}/sources/?slow=1", "slow"),
    # The positive control: what the CSP must refuse, and the listener must catch.
    "control": "<style>main { color: red; }</style><script>window.ran = true;</script>",
}


def html(body: str, charts: bool = True) -> str:
    """The page; without `charts` it loads no d3 or Plot (a page with only a matrix)."""
    libraries = (
        '<script src="/static/vendor/d3.min.js" defer></script>'
        '<script src="/static/vendor/plot.umd.min.js" defer></script>'
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # As templates/base.html: htmx must not add its own inline <style>.
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, """
        """"allowEval": false, "allowScriptTags": false, "selfRequestsOnly": true}'>"""
        "<title>Analysis charts</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/static/css/newsdesk.css">'
        '<link rel="stylesheet" href="/static/css/analysis.css">'
        '<script src="/static/vendor/htmx.min.js" defer></script>'
        + (libraries if charts else "")
        + '<script src="/static/js/analysis.js" defer></script>'
        f'</head><body><main id="main"><h1>Analysis</h1>{body}</main></body></html>'
    )


# Records every CSP violation the page reports (an init script runs outside the page's CSP).
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


class Charts:
    def __init__(self, page: Page, base: str, csp: str):
        self.page, self.base, self.csp = page, base, csp
        self.errors: list[str] = []
        self.held: list[Route] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        page.add_init_script(WATCH_CSP)
        page.route(f"{base}/analysis-test/**", self.serve_page)
        page.route(f"{base}{API}/**", self.serve_data)
        page.route(f"{base}/entities/**", self.serve_entity)

    def serve_page(self, route: Route) -> None:
        name = route.request.url.removeprefix(f"{self.base}/analysis-test/").strip("/")
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": self.csp}
        route.fulfill(status=200, headers=headers, body=html(PAGES[name], charts=name != "matrix"))

    def serve_data(self, route: Route) -> None:
        path = route.request.url.removeprefix(self.base)
        if path.endswith("?slow=1"):
            self.held.append(route)  # answered by the test, after it saw "Loading…"
            return
        status, body = DATA[path]
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    def serve_entity(self, route: Route) -> None:
        route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": self.csp},
            body="<!doctype html><title>Entity</title><h1>Entity page</h1>",
        )

    def open(self, name: str, size=WIDE) -> None:
        self.page.set_viewport_size(size)
        self.page.goto(f"{self.base}/analysis-test/{name}/")

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")

    def shots(self, name: str, ready: str) -> None:
        """The page at both sizes, each freshly loaded; nothing may scroll sideways and
        every drawn node must lie inside its SVG."""
        SHOTS.mkdir(exist_ok=True)
        for size, suffix in ((WIDE, "wide"), (NARROW, "narrow")):
            self.open(name, size)
            expect(self.page.locator(ready).first).to_be_visible()
            self.page.screenshot(path=str(SHOTS / f"analysis-{name}-{suffix}.png"), full_page=True)
            assert self.page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"
            ), (name, suffix)
            assert inside_svg(self.page) == [], (name, suffix)
            # The table view too: wide tables scroll inside their own box, not the page.
            tables = self.page.get_by_role("button", name="Table")
            if tables.count():
                tables.first.click()
                self.page.screenshot(
                    path=str(SHOTS / f"analysis-{name}-table-{suffix}.png"), full_page=True
                )
                assert self.page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth"
                ), (name, suffix, "table")
            assert self.violations() == [], (name, suffix)


def inside_svg(page: Page) -> list[str]:
    """Nodes whose box falls outside their SVG's box (on screen)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("[data-node]")).filter((n) => {
             const box = n.getBoundingClientRect();
             const svg = n.ownerSVGElement.getBoundingClientRect();
             return box.left < svg.left - 1 || box.right > svg.right + 1 ||
                    box.top < svg.top - 1 || box.bottom > svg.bottom + 1;
           }).map((n) => n.dataset.node)"""
    )


@pytest.fixture
def charts(live_server, page: Page):
    base = live_server.url
    # The policy exactly as the site sends it, from a page anyone may open.
    csp = page.request.get(f"{base}/accounts/login/").headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    charts = Charts(page, base, csp)
    yield charts
    assert charts.errors == []


def cells(table) -> list[list[str]]:
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
    )


def number(value) -> str:
    """How the table writes a weight: at most three decimals, no trailing zeros."""
    return f"{round(value, 3):g}"


def test_csp_is_enforced_on_the_test_page_and_violations_are_caught(charts):
    charts.open("control")
    expect(charts.page.get_by_role("heading", name="Analysis")).to_be_visible()
    assert charts.page.evaluate("window.ran === undefined")
    assert sorted(v.split()[0] for v in charts.violations()) == [
        "script-src-elem",
        "style-src-elem",
    ]
    charts.errors.clear()  # Chromium logs the two refusals; they were the point here


def test_two_mode_network_draws_every_node_and_edge_as_links_with_dashed_opposition(charts):
    page = charts.page
    charts.open("network")
    fig = page.locator("#two-mode")
    nodes = fig.locator("[data-node]")
    expect(nodes).to_have_count(15)
    expect(fig.locator("[data-edge]")).to_have_count(len(TWO_MODE_EDGES))
    expect(fig.locator(".chart-summary")).to_have_text(TWO_MODE["summary"])
    assert fig.get_attribute("aria-busy") is None

    for n in TWO_MODE["nodes"]:
        link = fig.locator(f'[data-node="{n["id"]}"]')
        assert link.evaluate("e => e.tagName") == "a"
        assert link.get_attribute("href") == n["url"]
        assert link.locator("title").text_content().startswith(n["name"])
        shape = "rect" if n["type"] == "target" else "circle"
        expect(link.locator(shape)).to_have_count(1)
    # The escaped name is text, and made no element.
    expect(fig.locator('[data-node="e3"] text')).to_have_text(ESCAPE_ME)
    expect(fig.locator("b")).to_have_count(0)
    # A topic has no page: focusable, but no link.
    topic = fig.locator('[data-node="t:nato enlargement"]')
    assert topic.get_attribute("href") is None
    assert topic.get_attribute("tabindex") == "0"

    # Node size grows with activity (square root), edge width with weight.
    radius = {n["id"]: float(fig.locator(f'[data-node="{n["id"]}"] circle').get_attribute("r"))
              for n in TWO_MODE["nodes"] if n["type"] == "actor"}  # fmt: skip
    activity = {n["id"]: n["activity"] for n in TWO_MODE["nodes"]}
    assert sorted(radius, key=radius.get) == sorted(radius, key=lambda i: (activity[i], radius[i]))
    width = {f"{e['source']}|{e['target']}": float(
        fig.locator(f'[data-edge="{e["source"]}|{e["target"]}"]').get_attribute("stroke-width")
    ) for e in TWO_MODE_EDGES}  # fmt: skip
    assert width["e3|e12"] > width["e1|e9"] > width["e1|e10"] > width["e2|e9"]

    def dash(key: str) -> str:
        return fig.locator(f'[data-edge="{key}"]').evaluate(
            "e => getComputedStyle(e).strokeDasharray"
        )

    support, oppose, mixed = dash("e1|e9"), dash("e1|e10"), dash("e1|t:nato enlargement")
    assert support == "none"
    assert oppose not in ("none", support)
    assert mixed not in ("none", support, oppose)
    assert len(mixed.split(",")) == 4
    assert len(oppose.split(",")) == 2
    legend = fig.locator(".chart-legend")
    for text in ("Actor (circle)", "Target (square)", "Support (solid)", "Oppose (dashed)",
                 "Mixed (dash-dot)", "Neutral (dotted)"):  # fmt: skip
        expect(legend).to_contain_text(text)

    # The layout is computed once: nothing moves afterwards (no running simulation).
    before = nodes.evaluate_all("ns => ns.map(n => n.getAttribute('transform'))")
    page.wait_for_timeout(600)
    assert nodes.evaluate_all("ns => ns.map(n => n.getAttribute('transform'))") == before
    assert inside_svg(page) == []

    # The zoom buttons scale the drawing; Reset puts it back.
    layer = fig.locator("g.zoom-layer")
    fig.get_by_role("button", name="Zoom in").click()
    assert "scale(1.5)" in layer.get_attribute("transform")
    fig.get_by_role("button", name="Reset").click()
    assert layer.get_attribute("transform") == "translate(0,0) scale(1)"

    # Turned into a phone, the network is laid out again for the narrow box.
    svg = fig.locator("svg.network")
    wide_width = svg.get_attribute("width")
    page.set_viewport_size(NARROW)
    expect(svg).not_to_have_attribute("width", wide_width)
    assert inside_svg(page) == []
    page.set_viewport_size(WIDE)
    expect(svg).to_have_attribute("width", wide_width)

    # Pointing at a node shows its counts.
    fig.locator('[data-node="e1"]').hover()
    expect(fig.locator(".chart-detail")).to_have_text(
        "Ursula von der Leyen (actor): 9 statements, 6 support, 3 oppose, 0 other; 3 connections"
    )  # 4 for e9, 2 against e10, 2 for and 1 against the topic

    # The table view holds the same JSON.
    fig.get_by_role("button", name="Table").click()
    expect(fig.get_by_role("button", name="Table")).to_have_attribute("aria-pressed", "true")
    expect(fig.get_by_role("button", name="Chart")).to_have_attribute("aria-pressed", "false")
    expect(fig.locator(".chart-canvas")).to_be_hidden()
    node_table, edge_table = fig.locator(".chart-table table").all()
    expect(node_table).to_be_visible()
    assert cells(node_table) == [
        [n["name"], n["kind"], n["type"], *(str(n[k]) for k in
         ("activity", "support", "oppose", "other", "degree"))]
        for n in TWO_MODE["nodes"]
    ]  # fmt: skip
    names = {n["id"]: n["name"] for n in TWO_MODE["nodes"]}
    assert cells(edge_table) == [
        [names[e["source"]], names[e["target"]], e["polarity"], number(e["weight"]),
         str(e["support"]), str(e["oppose"]), str(e["other"]), str(e["shared"]), "Statements"]
        for e in TWO_MODE_EDGES
    ]  # fmt: skip
    assert node_table.get_by_role("link", name=ESCAPE_ME).get_attribute("href") == "/entities/3/"
    fig.get_by_role("button", name="Chart").click()
    expect(fig.locator(".chart-canvas")).to_be_visible()
    expect(fig.locator(".chart-table")).to_be_hidden()

    # Clicking a node opens its entity page; so does Enter on a focused one.
    fig.locator('[data-node="e9"]').click()
    page.wait_for_url(f"{charts.base}/entities/9/")
    expect(page.get_by_role("heading", name="Entity page")).to_be_visible()
    page.go_back()
    page.locator('#two-mode [data-node="e4"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{charts.base}/entities/4/")
    assert charts.violations() == []


def test_congruence_network_is_undirected_and_conflict_is_dashed(charts):
    charts.open("congruence")
    fig = charts.page.locator("#congruence")
    expect(fig.locator("[data-node]")).to_have_count(len(CONGRUENCE["nodes"]))
    expect(fig.locator("[data-edge]")).to_have_count(len(CONGRUENCE_EDGES))
    expect(fig.locator("[data-node] rect")).to_have_count(0)  # actors only: all circles
    assert fig.locator("[data-edge][marker-end]").count() == 0
    congruence = fig.locator('[data-edge="e1|e2"]').evaluate(
        "e => getComputedStyle(e).strokeDasharray"
    )
    conflict = fig.locator('[data-edge="e1|e8"]').evaluate(
        "e => getComputedStyle(e).strokeDasharray"
    )
    assert congruence == "none"
    assert conflict != "none"
    expect(fig.locator(".chart-legend")).to_have_text("Congruence (solid)Conflict (dashed)")
    fig.get_by_role("button", name="Table").click()
    edge_table = fig.locator(".chart-table table").nth(1)
    assert [row[3] for row in cells(edge_table)] == [
        "2",
        "1",
        "0.5",
        "1.25",
        "3",
        "1",
        "0.333",
        "2",
    ]
    assert charts.violations() == []


def test_timeline_draws_one_line_per_series_told_apart_by_dash_and_symbol(charts):
    charts.open("timeline")
    fig = charts.page.locator("#timeline")
    expect(fig.locator("svg.nd-plot")).to_be_visible()
    expect(fig.locator(".chart-summary")).to_have_text(TIMELINE["summary"])
    lines = fig.locator('svg.nd-plot g[aria-label="line"] path')
    expect(lines).to_have_count(3)
    dashes = lines.evaluate_all("ps => ps.map(p => getComputedStyle(p).strokeDasharray)")
    assert len(set(dashes)) == 3, dashes
    # Six weeks from the first period to the last; a week a series has no point for is 0.
    weeks = [(date(2026, 1, 5) + timedelta(weeks=i)).isoformat() for i in range(6)]
    dots = fig.locator('svg.nd-plot g[aria-label="dot"]')
    expect(dots).to_have_count(3)
    assert [dots.nth(i).locator("path, circle").count() for i in range(3)] == [6, 6, 6]
    titles = dots.nth(1).locator("title").all_text_contents()
    assert titles == [f"Support, {w}: {c}" for w, c in zip(weeks, [1, 0, 2, 0, 5, 0], strict=True)]
    # Plot's own <style> never reached the page (the CSP would refuse it).
    expect(fig.locator("style")).to_have_count(0)
    expect(fig.locator(".chart-legend li")).to_have_text(["Quotes", "Support", "Oppose"])
    fig.get_by_role("button", name="Table").click()
    table = fig.locator(".chart-table table")
    header = table.locator("thead th").all_text_contents()
    assert header == ["Period", "Quotes", "Support", "Oppose"]
    counts: dict[str, dict[str, int]] = {}
    for series in TIMELINE["series"]:
        for p in series["points"]:
            counts.setdefault(p["period"], {})[series["key"]] = p["count"]
    assert cells(table) == [
        [period] + [str(counts[period].get(k, 0)) for k in ("quotes", "support", "oppose")]
        for period in weeks
    ]
    assert charts.violations() == []


def test_bars_rank_the_quoted_speakers_and_link_them(charts):
    charts.open("bars")
    fig = charts.page.locator("#sources")
    ranked = sorted(SOURCES["speakers"], key=lambda s: (-s["quotes"], s["name"]))
    expect(fig.locator("svg.bars .bar")).to_have_count(len(ranked))
    # Long names are shortened on the bar, whole in its title.
    expect(fig.locator("svg.bars .bar > a > title")).to_have_text(
        [f"{s['name']}: {s['quotes']}" for s in ranked]
    )
    expect(fig.locator("svg.bars .bar-label").nth(3)).to_have_text(ESCAPE_ME)
    expect(fig.locator("svg.bars .bar-value")).to_have_text([str(s["quotes"]) for s in ranked])
    bar_widths = fig.locator("svg.bars .bar rect").evaluate_all(
        "rs => rs.map(r => +r.getAttribute('width'))"
    )
    assert bar_widths == sorted(bar_widths, reverse=True)
    assert bar_widths[0] / bar_widths[1] == pytest.approx(12 / 9, rel=0.01)
    expect(fig.locator("b")).to_have_count(0)
    fig.get_by_role("button", name="Table").click()
    table = fig.locator(".chart-table table")
    assert table.locator("thead th").all_text_contents() == ["Speaker", "Quotes", *OUTLETS]
    assert cells(table) == [
        [s["name"], str(s["quotes"]), *(str(s["outlets"][o]) for o in OUTLETS)]
        for s in SOURCES["speakers"]
    ]
    assert charts.violations() == []


def test_matrix_headers_sort_numbers_numerically(charts):
    page = charts.page
    charts.open("matrix")
    table = page.locator("table.matrix")
    total = table.get_by_role("button", name="Total")
    total.click()
    expect(table.locator("thead th").nth(1)).to_have_attribute("aria-sort", "ascending")
    assert [r[0] for r in cells(table)] == ["Viktor Orbán", "Kaja Kallas", "Olaf Scholz"]
    total.click()
    expect(table.locator("thead th").nth(1)).to_have_attribute("aria-sort", "descending")
    assert [r[1] for r in cells(table)] == ["10", "9", "2"]  # not "9", "2", "10"
    table.get_by_role("button", name="Holder").click()
    expect(table.locator("thead th").nth(1)).not_to_have_attribute("aria-sort", "descending")
    expect(table.locator("thead th").first).to_have_attribute("aria-sort", "ascending")
    assert [r[0] for r in cells(table)] == ["Kaja Kallas", "Olaf Scholz", "Viktor Orbán"]
    # The matrix figure draws nothing and fetches nothing; the page loaded no d3.
    assert page.evaluate("typeof d3") == "undefined"
    expect(page.locator("#matrix .chart-canvas")).to_be_empty()
    assert charts.violations() == []


def test_failed_empty_and_slow_data_say_so(charts):
    page = charts.page
    charts.open("failures")
    expect(page.locator("#broken [role=alert]")).to_have_text(
        "Could not load the chart data: HTTP 500"
    )
    expect(page.locator("#broken .chart-canvas")).to_be_empty()
    expect(page.locator("#empty .chart-status")).to_have_text("Nothing to draw for these filters.")
    expect(page.locator("#empty .chart-summary")).to_have_text(TWO_MODE["summary"])
    expect(page.locator("#empty-timeline .chart-status")).to_have_text(
        "Nothing to draw for these filters."
    )
    expect(page.get_by_role("button", name="Table")).to_have_count(0)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "analysis-failures-wide.png"), full_page=True)
    # Chromium logs the failed fetch itself; that one is expected.
    assert [e for e in charts.errors if "500" not in e] == []
    charts.errors.clear()

    charts.open("slow")
    expect(page.locator("#slow .chart-status")).to_have_text("Loading…")
    expect(page.locator("#slow")).to_have_attribute("aria-busy", "true")
    charts.held.pop().fulfill(status=200, content_type="application/json", body=json.dumps(SOURCES))
    expect(page.locator("#slow .bar")).to_have_count(len(SOURCES["speakers"]))
    expect(page.locator("#slow .chart-status")).to_be_hidden()
    assert charts.violations() == []


@pytest.mark.parametrize(
    ("name", "ready"),
    [
        ("network", "[data-node]"),
        ("congruence", "[data-node]"),
        ("timeline", "svg.nd-plot"),
        ("bars", "svg.bars"),
        ("matrix", "table.matrix button.sort"),
    ],
)
def test_charts_fit_a_desktop_and_a_phone(charts, name, ready):
    charts.shots(name, ready)
