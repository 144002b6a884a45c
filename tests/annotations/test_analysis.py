"""The analysis section's figures, each checked against one computed in the test from the
statements the world made (analysis_world.Made), never from the code under test."""

import csv
import io
import json
from collections import Counter, defaultdict
from urllib.parse import parse_qs

import networkx as nx
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from annotations.models import Assignment, AssignmentMode, AssignmentRound, Stance
from annotations.selectors import analysis
from annotations.selectors.analysis import AnalysisFilters
from annotations.selectors.browse import ArticleFilters
from articles.models import Entity
from tests.annotations.analysis_world import build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LAYERS = ("all", "suggestions", "confirmed", "gold")


@pytest.fixture
def world():
    return build()


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_authenticate(UserFactory(role="api-client"))
    return client


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _sides(made):
    out = Counter()
    for m in made:
        out["support" if m.sign > 0 else "oppose" if m.sign < 0 else "other"] += 1
    return out


def _expected_cells(made):
    cells = defaultdict(Counter)
    for m in made:
        side = "support" if m.sign > 0 else "oppose" if m.sign < 0 else "other"
        cells[(f"e{m.holder}", m.target)][side] += 1
    return cells


@pytest.mark.parametrize("layer", LAYERS)
def test_matrix_cells_equal_the_statements_counted_by_hand(world, layer):
    made = world.layer(layer)
    matrix = analysis.stance_matrix(AnalysisFilters(layer=layer), holders=50, targets=50)
    expected = _expected_cells(made)
    got = {
        key: Counter({"support": c.support, "oppose": c.oppose, "other": c.other}) - Counter()
        for key, c in matrix.cells.items()
    }
    assert got == {key: +value for key, value in expected.items()}
    assert matrix.statements == len(made)
    assert matrix.holders_total == len({m.holder for m in made})
    assert matrix.targets_total == len({m.target for m in made})
    by_holder = defaultdict(list)
    for m in made:
        by_holder[f"e{m.holder}"].append(m)
    for side in matrix.holders:
        assert (side.support, side.oppose, side.other) == tuple(
            _sides(by_holder[side.key])[name] for name in ("support", "oppose", "other")
        )


def test_one_analysts_layer_is_their_own_work_and_what_they_accepted(world):
    for analyst in (world.analyst_a, world.analyst_b):
        made = world.layer("analyst", analyst.pk)
        filters = AnalysisFilters(layer="analyst", analyst=analyst.pk)
        assert set(analysis.stances(filters).values_list("pk", flat=True)) == {m.pk for m in made}
        assert made, "the world gives each analyst some work"


def test_the_article_filters_narrow_every_figure(world):
    outlet = world.outlets[1]
    story = world.stories[0]
    made = [m for m in world.layer("all") if m.outlet == outlet.pk and m.story == story.pk]
    filters = AnalysisFilters(articles=ArticleFilters(outlet=outlet.pk, story=story.pk))
    assert set(analysis.stances(filters).values_list("pk", flat=True)) == {m.pk for m in made}
    matrix = analysis.stance_matrix(filters, holders=50, targets=50)
    assert matrix.statements == len(made)


def test_the_largest_holders_and_targets_come_first_and_the_size_is_kept(world):
    made = world.layer("all")
    matrix = analysis.stance_matrix(AnalysisFilters(), holders=3, targets=4)
    totals = Counter(f"e{m.holder}" for m in made)
    assert len(matrix.holders) == 3
    assert len(matrix.targets) == 4
    assert [side.total for side in matrix.holders] == sorted(totals.values(), reverse=True)[:3]
    targets = Counter(m.target for m in made)
    assert [side.total for side in matrix.targets] == sorted(targets.values(), reverse=True)[:4]


def test_matrix_api_answers_the_same_figures_with_evidence_links(world, api):
    response = api.get(reverse("api-analysis-matrix"), {"holders": 50, "targets": 50})
    assert response.status_code == 200
    body = response.json()
    expected = _expected_cells(world.layer("all"))
    assert {
        (c["holder"], c["target"]): (c["support"], c["oppose"], c["other"]) for c in body["cells"]
    } == {key: (v["support"], v["oppose"], v["other"]) for key, v in expected.items()}
    for cell in body["cells"]:
        assert cell["net"] == cell["support"] - cell["oppose"]
        assert cell["evidence"].startswith(reverse("analysis-evidence"))
    assert body["summary"].startswith(f"{len(world.layer('all'))} stances")


def test_matrix_csv_is_one_tidy_row_per_cell_with_formulas_neutralised(world, api):
    params = {"holders": 50, "targets": 50, "format": "csv"}
    response = api.get(reverse("api-analysis-matrix"), params)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(_expected_cells(world.layer("all")))
    names = {row["holder"] for row in rows} | {row["target"] for row in rows}
    assert "'=SUM(A1) Council" in names
    assert "=SUM(A1) Council" not in names
    assert 'Le "Monde" <Ministry>' in names


def test_a_cells_evidence_is_exactly_its_statements(world, api):
    made = world.layer("all")
    cell_of = defaultdict(set)
    for m in made:
        cell_of[(f"e{m.holder}", m.target)].add(m.pk)
    (holder, target), ids = max(cell_of.items(), key=lambda item: len(item[1]))
    rows = analysis.evidence(AnalysisFilters(), holder=holder, target=target)
    assert set(rows.values_list("pk", flat=True)) == ids
    response = api.get(
        reverse("api-analysis-events"), {"holder": holder, "target": target, "format": "jsonl"}
    )
    lines = [json.loads(line) for line in _text(response).splitlines()]
    assert {line["statement"] for line in lines} == ids


def test_topic_targets_are_one_node_whatever_their_spelling(world):
    made = [m for m in world.layer("all") if m.target.startswith("t:")]
    key = Counter(m.target for m in made).most_common(1)[0][0]
    rows = analysis.evidence(AnalysisFilters(), target=key)
    assert set(rows.values_list("pk", flat=True)) == {m.pk for m in made if m.target == key}


def test_event_list_has_every_statement_in_time_order_with_dna_columns(world, api):
    made = world.layer("confirmed")
    response = api.get(reverse("api-analysis-events"), {"layer": "confirmed", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="events.csv"'
    rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert tuple(rows[0]) == analysis.EVENT_COLUMNS
    assert [int(row["statement"]) for row in rows] == [
        m.pk for m in sorted(made, key=lambda m: (m.published, m.pk))
    ]
    signs = {m.pk: m.sign for m in made}
    assert all(int(row["sign"]) == signs[int(row["statement"])] for row in rows)


def test_an_empty_event_list_is_a_header(world, api):
    response = api.get(reverse("api-analysis-events"), {"q": "nothingmatchesthisword"})
    text = _text(response)
    assert text.splitlines()[0].split(",") == list(analysis.EVENT_COLUMNS)


def test_a_tie_of_congruence_is_backed_by_both_actors_statements_on_shared_targets(world, api):
    made = [m for m in world.layer("all") if m.sign != 0]
    sides = defaultdict(lambda: defaultdict(set))
    for m in made:
        sides[m.holder][m.target].add(m.sign)
    pairs = [
        (a, b, {t for t in sides[a].keys() & sides[b].keys() if sides[a][t] & sides[b][t]})
        for a in sides
        for b in sides
        if a < b
    ]
    a, b, shared = max(pairs, key=lambda p: len(p[2]))
    assert shared
    rows = analysis.evidence(AnalysisFilters(), actors=(f"e{a}", f"e{b}"), relation="congruence")
    expected = {m.pk for m in made if m.holder in (a, b) and m.target in shared}
    assert set(rows.values_list("pk", flat=True)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"layer": "everything"}, "layer"),
        ({"layer": "analyst"}, "analyst"),
        ({"outlet": "x"}, "outlet"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ({"holders": "0"}, "holders"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_a_bad_parameter_is_refused_by_name(world, api, params, field):
    response = api.get(reverse("api-analysis-matrix"), params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"holder": "t:sanctions"}, "holder"),
        ({"target": "x12"}, "target"),
        ({"actors": "e1"}, "actors"),
        ({"relation": "congruence"}, "relation"),
        ({"side": "both"}, "side"),
    ],
)
def test_a_bad_narrowing_of_the_events_is_refused_by_name(world, api, params, field):
    response = api.get(reverse("api-analysis-events"), {**params, "format": "jsonl"})
    assert response.status_code == 400
    assert field in json.loads(response.content)


def test_anonymous_callers_get_401(world):
    for name in (
        "api-analysis-matrix",
        "api-analysis-network",
        "api-analysis-events",
        "api-analysis-timeline",
        "api-analysis-sources",
    ):
        assert APIClient().get(reverse(name)).status_code == 401


def test_a_blind_coder_gets_figures_without_their_unfinished_blind_articles(world):
    coder = world.analyst_b
    blind = world.articles[:5]
    round_ = AssignmentRound.objects.create(label="Round")
    for article in blind:
        Assignment.objects.create(
            round=round_, article=article, analyst=coder, mode=AssignmentMode.BLIND
        )
    filters = AnalysisFilters(viewer=coder.pk)
    blind_ids = {a.pk for a in blind}
    expected = {m.pk for m in world.layer("all") if m.article not in blind_ids}
    assert set(analysis.stances(filters).values_list("pk", flat=True)) == expected
    assert analysis.left_out(filters) == 5
    client = APIClient()
    client.force_authenticate(coder)
    body = client.get(reverse("api-analysis-matrix"), {"holders": 50, "targets": 50}).json()
    assert sum(c["total"] for c in body["cells"]) == len(expected)


# --- networks ---------------------------------------------------------------------------


def _two_mode_expected(made):
    edges = defaultdict(Counter)
    for m in made:
        side = "support" if m.sign > 0 else "oppose" if m.sign < 0 else "other"
        edges[(f"e{m.holder}", m.target)][side] += 1
    return edges


def _one_mode_expected(made, relation):
    """DNA's congruence (same side on a target) or conflict (opposite sides), summed over
    targets as products of the two actors' statement counts; statements of neither side
    left out."""
    counts = defaultdict(Counter)  # actor -> (target, sign) -> statements
    for m in made:
        if m.sign:
            counts[f"e{m.holder}"][(m.target, m.sign)] += 1
    weights = {}
    actors = sorted(counts)
    for i, a in enumerate(actors):
        for b in actors[i + 1 :]:
            total = 0
            for (target, sign), n in counts[a].items():
                other = -sign if relation == "conflict" else sign
                total += n * counts[b][(target, other)]
            if total:
                weights[frozenset((a, b))] = total
    activity = {actor: sum(c.values()) for actor, c in counts.items()}
    return weights, activity


def test_two_mode_network_edges_and_degrees_equal_networkx_on_the_statements(world, api):
    made = world.layer("all")
    body = json.loads(_text(api.get(reverse("api-analysis-network"), {"limit": 500})))
    expected = _two_mode_expected(made)
    got = {(e["source"], e["target"]): e for e in body["edges"]}
    assert set(got) == set(expected)
    for key, sides in expected.items():
        edge = got[key]
        assert (edge["support"], edge["oppose"], edge["other"]) == (
            sides["support"],
            sides["oppose"],
            sides["other"],
        )
        assert edge["weight"] == sum(sides.values())
        polarity = (
            "mixed"
            if sides["support"] and sides["oppose"]
            else "support"
            if sides["support"]
            else "oppose"
            if sides["oppose"]
            else "neutral"
        )
        assert edge["polarity"] == polarity
        assert edge["evidence"].startswith(reverse("analysis-evidence"))
    graph = nx.DiGraph()
    graph.add_edges_from(expected)
    nodes = {n["id"]: n for n in body["nodes"]}
    assert set(nodes) == set(graph.nodes)
    for key, node in nodes.items():
        assert node["degree"] == graph.degree(key)
        if node["entity_id"] is not None:
            assert node["url"] == reverse("entity-detail", args=[node["entity_id"]])
    holders = Counter(f"e{m.holder}" for m in made)
    for key, count in holders.items():
        assert nodes[key]["type"] == "actor"
        # A holder's activity is its statements as a holder (also a target: those too).
        assert nodes[key]["activity"] >= count


@pytest.mark.parametrize("mode", ["two-mode", "congruence", "conflict"])
def test_every_ties_evidence_link_names_its_ends_and_keeps_the_selection(world, api, mode):
    """The links are written per edge from pre-quoted keys (not by urlencode per edge):
    each must read back as the selection plus exactly the tie, topics included."""
    outlet = world.outlets[0].pk
    params = {"mode": mode, "limit": 500, "outlet": outlet}
    body = json.loads(_text(api.get(reverse("api-analysis-network"), params)))
    assert body["edges"]
    if mode == "two-mode":
        assert any(e["target"].startswith("t:") for e in body["edges"])  # topics are quoted
    for edge in body["edges"]:
        path, _, query = edge["evidence"].partition("?")
        assert path == reverse("analysis-evidence")
        got = parse_qs(query, keep_blank_values=True)
        assert got["outlet"] == [str(outlet)]
        if mode == "two-mode":
            assert (got["holder"], got["target"]) == ([edge["source"]], [edge["target"]])
        else:
            assert got["actors"] == [f"{edge['source']},{edge['target']}"]
            assert got["relation"] == [mode]


@pytest.mark.parametrize("relation", ["congruence", "conflict"])
@pytest.mark.parametrize("normalization", ["no", "average"])
def test_actor_network_weights_equal_dnas_counted_by_hand(world, api, relation, normalization):
    made = world.layer("all")
    weights, activity = _one_mode_expected(made, relation)
    body = json.loads(
        _text(
            api.get(
                reverse("api-analysis-network"),
                {"mode": relation, "normalization": normalization, "limit": 500},
            )
        )
    )
    got = {frozenset((e["source"], e["target"])): e["weight"] for e in body["edges"]}
    expected = {}
    for pair, weight in weights.items():
        a, b = sorted(pair)
        if normalization == "average":
            weight = weight / ((activity[a] + activity[b]) / 2)
        expected[pair] = weight
    assert got.keys() == expected.keys()
    for pair, weight in expected.items():
        assert got[pair] == pytest.approx(weight)
    graph = nx.Graph()
    graph.add_nodes_from(n["id"] for n in body["nodes"])
    graph.add_edges_from(tuple(pair) for pair in expected)
    for node in body["nodes"]:
        assert node["degree"] == graph.degree(node["id"])
        assert node["type"] == "actor"
    assert all(e["polarity"] == relation for e in body["edges"])


def test_graphml_and_gexf_read_back_by_networkx_with_every_attribute(world, api):
    made = world.layer("all")
    weights, _ = _one_mode_expected(made, "congruence")
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        response = api.get(
            reverse("api-analysis-network"), {"mode": "congruence", "format": fmt, "limit": 500}
        )
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="network-congruence.{fmt}"'
        graph = reader(io.BytesIO(_text(response).encode()))
        by_key = {}
        for node, data in graph.nodes(data=True):
            key = data.get("key", node)
            by_key[node] = key
            assert {"name", "kind", "activity", "support", "oppose", "degree"} <= set(data) | {
                "name" if "label" in data else ""
            }
            assert data["entity_id"] == int(key[1:])
        got = {
            frozenset((by_key[a], by_key[b])): data["weight"]
            for a, b, data in graph.edges(data=True)
        }
        assert got == {pair: pytest.approx(weight) for pair, weight in weights.items()}
        for _, _, data in graph.edges(data=True):
            assert data["polarity"] == "congruence"
            assert {"support", "oppose", "other", "shared"} <= set(data)
    # The two-mode file names every holder as an actor, hostile names as they are.
    graphml = nx.read_graphml(
        io.BytesIO(_text(api.get(reverse("api-analysis-network"), {"format": "graphml"})).encode())
    )
    actors = {data["name"] for _, data in graphml.nodes(data=True) if data["type"] == "actor"}
    assert actors == {a.name for a in world.actors if any(m.holder == a.pk for m in made)}


def test_a_normalisation_dna_does_not_define_for_the_mode_is_refused(world, api):
    url = reverse("api-analysis-network")
    response = api.get(url, {"mode": "two-mode", "normalization": "jaccard"})
    assert response.status_code == 400
    assert "normalization" in response.json()
    response = api.get(url, {"mode": "congruence", "normalization": "activity"})
    assert response.status_code == 400


def test_the_limit_keeps_the_most_active_actors_and_says_so(world, api):
    body = json.loads(
        _text(api.get(reverse("api-analysis-network"), {"mode": "congruence", "limit": 3}))
    )
    holders = Counter(f"e{m.holder}" for m in world.layer("all"))
    assert len(body["nodes"]) == 3
    assert body["truncated"] is True
    assert "Only the 3 most active actors" in body["summary"]
    assert {n["id"] for n in body["nodes"]} <= set(holders)


def test_event_exports_carry_hostile_text_exactly_and_csv_neutralises_formulas(world, api):
    stance = Stance.objects.filter(pk__in=[m.pk for m in world.layer("all")]).first()
    Entity.objects.filter(pk=stance.holder_id).update(name='=HYPERLINK("x")\\ «Ünïcode»\nline')
    stance.refresh_from_db()
    stance.holder.refresh_from_db()
    params = {"holder": f"e{stance.holder_id}"}
    jsonl = _text(api.get(reverse("api-analysis-events"), {**params, "format": "jsonl"}))
    rows = [json.loads(line) for line in jsonl.splitlines()]
    assert rows
    assert {row["holder"] for row in rows} == {stance.holder.name}
    one = next(row for row in rows if row["statement"] == stance.pk)
    assert one["text"] == stance.exact
    assert one["time"] == stance.article.published_at.replace(microsecond=0).isoformat()
    text = _text(api.get(reverse("api-analysis-events"), {**params, "format": "csv"}))
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [int(row["statement"]) for row in parsed] == [row["statement"] for row in rows]
    assert {row["holder"] for row in parsed} == {"'" + stance.holder.name}
    assert {row["time"] for row in parsed} == {row["time"] for row in rows}
