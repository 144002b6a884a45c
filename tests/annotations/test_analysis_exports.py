"""Writers for analysis graphs (annotations/analysis/exports.py), no database.

Every export is read back with an independent reader (json, csv, networkx's GraphML and
GEXF readers, lxml against the GEXF 1.3 schema kept in tests/data/schemas/) and compared
with the graph it came from.
"""

import csv
import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from annotations.analysis.exports import (
    EDGE_BLOCK,
    EDGE_COLUMNS,
    NODE_COLUMNS,
    csv_cell,
    gexf_chunks,
    graph_csv,
    graph_csv_chunks,
    graph_json,
    graph_json_chunks,
    graphml_chunks,
    nodes_csv,
    rows_csv,
    to_gexf,
    to_graphml,
    to_networkx,
)
from annotations.analysis.network import NodeInfo, Tally, one_mode_network, two_mode_network

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"

# Names as articles deliver them: markup, quotes, ampersands, non-Latin script, spreadsheet
# formula starts, and a control character XML cannot carry.
HOSTILE = NodeInfo("e1", 1, '=HYPERLINK("http://x","<b>A&B</b>")', "ORG")
QUOTES = NodeInfo("e2", 2, 'O\'Neil "the" <Minister> & co', "PERSON")
UNICODE = NodeInfo("e3", 3, "Североатлантический альянс \u2013 北约 🇺🇦", "ORG")
PLUS = NodeInfo("e4", 4, "+Ministry\x07 of @Defence", "ORG")
MINUS = NodeInfo("e5", 5, "-1 party", "ORG")
TOPIC = NodeInfo("t:nato enlargement", None, "nato enlargement", "TOPIC")
NODES = [HOSTILE, QUOTES, UNICODE, PLUS, MINUS, TOPIC]
TALLIES = [
    Tally("e1", "t:nato enlargement", 1, 3),
    Tally("e1", "e3", -1, 1),
    Tally("e2", "t:nato enlargement", -1, 2),
    Tally("e2", "t:nato enlargement", 0, 1),
    Tally("e3", "t:nato enlargement", 1, 1),
    Tally("e4", "e3", 1, 2),
    Tally("e4", "t:nato enlargement", -1, 1),
    Tally("e5", "e3", 0, 1),
    Tally("e5", "e1", -1, 4),
]


def two_mode():
    return two_mode_network(NODES, TALLIES, aggregation="subtract")


def one_mode():
    return one_mode_network(NODES, TALLIES, aggregation="conflict", normalization="average")


def xml_clean(text):
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


# -- JSON ----------------------------------------------------------------------------------


def test_graph_json_has_the_contract_shape_and_the_callers_links():
    graph = two_mode()
    seen_nodes, seen_edges = [], []

    def node_url(node):
        seen_nodes.append(node.key)
        return None if node.entity_id is None else f"/entities/{node.entity_id}/"

    def edge_evidence(source, target):
        seen_edges.append((source, target))
        return f"/analysis/evidence/?holder={source}&target={target}"

    data = json.loads(json.dumps(graph_json(graph, node_url, edge_evidence, summary="s")))
    assert {"mode", "normalization", "summary", "nodes", "edges", "truncated", "limit"} <= set(data)
    assert (data["mode"], data["normalization"], data["summary"]) == ("two-mode", "no", "s")
    assert (data["truncated"], data["limit"]) == (False, None)
    assert seen_nodes == [n.key for n in graph.nodes]
    assert seen_edges == [(e.source, e.target) for e in graph.edges]
    node_keys = {
        "id", "entity_id", "name", "kind", "type", "activity", "support", "oppose", "other",
        "degree", "url",
    }  # fmt: skip
    edge_keys = {
        "source", "target", "weight", "support", "oppose", "other", "polarity", "shared",
        "evidence",
    }  # fmt: skip
    assert all(set(n) == node_keys for n in data["nodes"])
    assert all(set(e) == edge_keys for e in data["edges"])
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["e1"]["name"] == HOSTILE.name  # JSON keeps names exactly
    assert by_id["e1"]["url"] == "/entities/1/"
    assert by_id["t:nato enlargement"]["url"] is None
    assert by_id["t:nato enlargement"]["entity_id"] is None
    # e5 -> e1: four oppositions, subtract weight -4.
    edge = next(e for e in data["edges"] if (e["source"], e["target"]) == ("e5", "e1"))
    assert (edge["weight"], edge["oppose"], edge["polarity"]) == (-4.0, 4, "oppose")
    assert edge["evidence"] == "/analysis/evidence/?holder=e5&target=e1"


def test_graph_json_of_an_empty_graph():
    data = graph_json(one_mode_network([], []), lambda n: "x", lambda s, t: "y")
    assert (data["nodes"], data["edges"], data["truncated"]) == ([], [], False)


# -- networkx ------------------------------------------------------------------------------


def test_to_networkx_carries_every_attribute():
    graph = two_mode()
    result = to_networkx(graph)
    assert isinstance(result, nx.DiGraph)
    assert isinstance(to_networkx(one_mode()), nx.Graph)
    assert not isinstance(to_networkx(one_mode()), nx.DiGraph)
    assert list(result.nodes) == [n.key for n in graph.nodes]
    for node in graph.nodes:
        attrs = result.nodes[node.key]
        assert attrs["name"] == attrs["label"] == node.name
        assert (attrs["kind"], attrs["type"], attrs["degree"]) == (
            node.kind,
            node.type,
            node.degree,
        )
        assert (attrs["activity"], attrs["support"], attrs["oppose"], attrs["other"]) == (
            node.activity,
            node.support,
            node.oppose,
            node.other,
        )
        # A null entity id is left out, never -1.
        assert attrs.get("entity_id") == node.entity_id
        assert ("entity_id" in attrs) == (node.entity_id is not None)
    for edge in graph.edges:
        attrs = result.edges[edge.source, edge.target]
        assert attrs == {
            "weight": edge.weight,
            "support": edge.support,
            "oppose": edge.oppose,
            "other": edge.other,
            "shared": edge.shared,
            "polarity": edge.polarity,
        }
    assert result.graph == {
        "mode": "two-mode",
        "aggregation": "subtract",
        "normalization": "no",
        "truncated": False,
    }
    # networkx's degree agrees with the graph's.
    assert dict(result.degree()) == {n.key: n.degree for n in graph.nodes}


# -- GraphML -------------------------------------------------------------------------------


def graphml_structure_is_valid(document):
    """The rules of the GraphML schema a writer can break (the schema itself is not kept
    in the repository: see tests/data/schemas/README.md)."""
    root = etree.fromstring(document)
    assert root.tag == f"{GRAPHML_NS}graphml"
    keys = {}
    for key in root.findall(f"{GRAPHML_NS}key"):
        assert key.get("attr.type") in {"boolean", "int", "long", "float", "double", "string"}
        assert key.get("for") in {"all", "graph", "node", "edge"}
        assert key.get("id") not in keys
        keys[key.get("id")] = key.get("for")
    (graph,) = root.findall(f"{GRAPHML_NS}graph")
    assert graph.get("edgedefault") in {"directed", "undirected"}
    ids = [node.get("id") for node in graph.iter(f"{GRAPHML_NS}node")]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[\w.:-]+", node_id) for node_id in ids)  # NMTOKEN
    for data in root.iter(f"{GRAPHML_NS}data"):
        parent = data.getparent().tag.removeprefix(GRAPHML_NS)
        assert keys[data.get("key")] in {parent, "all"}
    for edge in graph.iter(f"{GRAPHML_NS}edge"):
        assert edge.get("source") in ids
        assert edge.get("target") in ids


@pytest.mark.parametrize("make", [two_mode, one_mode])
def test_graphml_round_trip_keeps_every_attribute_and_type(make):
    graph = make()
    document = to_graphml(graph)
    graphml_structure_is_valid(document)
    back = nx.read_graphml(io.BytesIO(document))
    assert back.is_directed() == graph.directed
    key_of = {node_id: attrs["key"] for node_id, attrs in back.nodes(data=True)}
    assert sorted(key_of.values()) == sorted(n.key for n in graph.nodes)
    by_key = {key_of[node_id]: attrs for node_id, attrs in back.nodes(data=True)}
    for node in graph.nodes:
        attrs = by_key[node.key]
        assert attrs["name"] == attrs["label"] == xml_clean(node.name)
        assert (attrs["kind"], attrs["type"]) == (node.kind, node.type)
        for name in ("activity", "support", "oppose", "other", "degree"):
            assert attrs[name] == getattr(node, name)
            assert type(attrs[name]) is int
        assert attrs.get("entity_id") == node.entity_id
    edges = {(key_of[u], key_of[v]): attrs for u, v, attrs in back.edges(data=True)}
    if not graph.directed:
        edges.update({(v, u): attrs for (u, v), attrs in list(edges.items())})
    assert len(back.edges) == len(graph.edges) > 0
    for edge in graph.edges:
        attrs = edges[edge.source, edge.target]
        assert attrs["weight"] == pytest.approx(edge.weight)
        assert type(attrs["weight"]) is float
        assert (attrs["support"], attrs["oppose"], attrs["other"], attrs["shared"]) == (
            edge.support,
            edge.oppose,
            edge.other,
            edge.shared,
        )
        assert type(attrs["shared"]) is int
        assert attrs["polarity"] == edge.polarity
    assert back.graph["mode"] == graph.mode
    assert back.graph["truncated"] is graph.truncated
    assert b">False<" not in document
    assert b">True<" not in document


def test_graphml_writes_true_booleans_and_a_limit():
    graph = one_mode_network(NODES, TALLIES, limit=2)
    document = to_graphml(graph)
    assert b">true<" in document
    back = nx.read_graphml(io.BytesIO(document))
    assert (back.graph["truncated"], back.graph["limit"]) == (True, 2)
    assert back.number_of_nodes() == 2


def test_graphml_of_an_empty_graph():
    document = to_graphml(two_mode_network([], []))
    graphml_structure_is_valid(document)
    back = nx.read_graphml(io.BytesIO(document))
    assert (back.number_of_nodes(), back.number_of_edges()) == (0, 0)


# -- GEXF 1.3 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gexf_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.xsd")))


@pytest.mark.parametrize(
    "make", [two_mode, one_mode, lambda: one_mode_network([], []), lambda: two_mode_network([], [])]
)
def test_gexf_is_valid_gexf_1_3(make, gexf_schema):
    document = to_gexf(make())
    root = etree.fromstring(document)
    assert gexf_schema.validate(root), gexf_schema.error_log
    assert root.get("version") == "1.3"
    assert root.tag == "{http://gexf.net/1.3}gexf"


@pytest.mark.parametrize("make", [two_mode, one_mode])
def test_gexf_round_trip_keeps_every_attribute_and_type(make, gexf_schema):
    graph = make()
    document = to_gexf(graph)
    root = etree.fromstring(document)
    ns = {"g": "http://gexf.net/1.3"}
    (graph_element,) = root.findall("g:graph", ns)
    assert graph_element.get("defaultedgetype") == ("directed" if graph.directed else "undirected")
    declared = {
        (a.getparent().get("class"), a.get("title")): a.get("type")
        for a in root.iterfind(".//g:attribute", ns)
    }
    assert declared[("node", "activity")] == "long"
    assert declared[("node", "entity_id")] == "long"
    assert declared[("node", "kind")] == "string"
    assert declared[("edge", "polarity")] == "string"
    assert declared[("edge", "shared")] == "long"
    # The weight is GEXF's own edge attribute, not an attvalue.
    assert ("edge", "weight") not in declared
    assert all(e.get("weight") is not None for e in root.iterfind(".//g:edge", ns))
    description = root.find("g:meta/g:description", ns).text
    assert f"mode={graph.mode}" in description

    back = nx.read_gexf(io.BytesIO(document))
    assert back.is_directed() == graph.directed
    assert list(back.nodes) == [n.key for n in graph.nodes]
    for node in graph.nodes:
        attrs = back.nodes[node.key]
        assert attrs["label"] == attrs["name"] == xml_clean(node.name)
        assert (attrs["kind"], attrs["type"]) == (node.kind, node.type)
        for name in ("activity", "support", "oppose", "other", "degree"):
            assert attrs[name] == getattr(node, name)
            assert type(attrs[name]) is int
        assert attrs.get("entity_id") == node.entity_id
    for edge in graph.edges:
        attrs = back.edges[edge.source, edge.target]
        assert attrs["weight"] == pytest.approx(edge.weight)
        assert type(attrs["weight"]) is float
        assert (attrs["support"], attrs["oppose"], attrs["other"], attrs["shared"]) == (
            edge.support,
            edge.oppose,
            edge.other,
            edge.shared,
        )
        assert attrs["polarity"] == edge.polarity
    assert back.number_of_edges() == len(graph.edges)


def test_xml_exports_drop_only_characters_xml_cannot_carry():
    graph = two_mode()
    for document in (to_gexf(graph), to_graphml(graph)):
        text = document.decode("utf-8")
        assert "\x07" not in text
        assert "+Ministry of @Defence" in text
        assert "Североатлантический альянс \u2013 北约 🇺🇦" in text
        assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in text  # escaped, never raw markup
        assert "<b>" not in text


# -- CSV -----------------------------------------------------------------------------------


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_cells_that_start_a_formula_are_neutralised():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("+49 30") == "'+49 30"
    assert csv_cell("-x") == "'-x"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("\tx") == "'\tx"
    assert csv_cell("plain = text") == "plain = text"
    assert csv_cell(-4.0) == -4.0  # numbers stay numbers
    assert csv_cell(None) == ""
    rows = read_csv(rows_csv(["a", "=b"], [["=x", 1], ["y", None]]))
    assert rows == [{"a": "'=x", "'=b": "1"}, {"a": "y", "'=b": ""}]


def test_edge_csv_is_one_tidy_row_per_edge():
    graph = two_mode()
    text = graph_csv(graph)
    assert text.splitlines()[0] == ",".join(EDGE_COLUMNS)
    rows = read_csv(text)
    assert len(rows) == len(graph.edges)
    names = {n.key: n.name for n in graph.nodes}
    ids = {n.key: n.entity_id for n in graph.nodes}
    for row, edge in zip(rows, graph.edges, strict=True):
        assert (row["source"], row["target"]) == (edge.source, edge.target)
        for end in ("source", "target"):
            key = row[end]
            expected_name = names[key]
            if expected_name[0] in "=+-@":
                expected_name = "'" + expected_name
            assert row[f"{end}_name"] == expected_name
            assert row[f"{end}_entity_id"] == ("" if ids[key] is None else str(ids[key]))
        assert float(row["weight"]) == edge.weight
        assert int(row["support"]) == edge.support
        assert int(row["oppose"]) == edge.oppose
        assert int(row["other"]) == edge.other
        assert int(row["shared"]) == edge.shared
        assert row["polarity"] == edge.polarity
    negative = next(r for r in rows if (r["source"], r["target"]) == ("e5", "e1"))
    assert negative["weight"] == "-4.0"  # a number, not neutralised
    assert negative["source_name"] == "'-1 party"
    assert negative["target_name"] == "'" + HOSTILE.name
    quoted = next(r for r in rows if r["source"] == "e2")
    assert quoted["source_name"] == QUOTES.name  # quotes survive CSV quoting


def test_nodes_csv_has_every_node_attribute():
    graph = one_mode()
    rows = read_csv(nodes_csv(graph))
    assert list(rows[0]) == list(NODE_COLUMNS)
    assert [r["id"] for r in rows] == [n.key for n in graph.nodes]
    for row, node in zip(rows, graph.nodes, strict=True):
        assert row["name"] == ("'" + node.name if node.name[0] in "=+-@" else node.name)
        assert row["entity_id"] == str(node.entity_id)
        assert (row["kind"], row["type"]) == (node.kind, node.type)
        for name in ("activity", "support", "oppose", "other", "degree"):
            assert int(row[name]) == getattr(node, name)
    plus = next(r for r in rows if r["id"] == "e4")
    assert plus["name"] == "'+Ministry\x07 of @Defence"


def test_csv_of_an_empty_graph_is_a_header():
    graph = one_mode_network([], [])
    assert graph_csv(graph) == ",".join(EDGE_COLUMNS) + "\r\n"
    assert nodes_csv(graph) == ",".join(NODE_COLUMNS) + "\r\n"


def test_keys_that_differ_only_in_control_characters_stay_two_nodes():
    plain = NodeInfo("t:talks", None, "talks", "TOPIC")
    bell = NodeInfo("t:talks\x07", None, "talks\x07", "TOPIC")
    tallies = [Tally("e1", "t:talks", 1, 1), Tally("e1", "t:talks\x07", -1, 1)]
    graph = two_mode_network([HOSTILE, plain, bell], tallies)
    back = nx.read_gexf(io.BytesIO(to_gexf(graph)))
    assert back.number_of_nodes() == 3
    assert back.number_of_edges() == 2
    assert nx.read_graphml(io.BytesIO(to_graphml(graph))).number_of_nodes() == 3


# -- streaming -----------------------------------------------------------------------------


def many_edges():
    """A two-mode graph of 30 holders x 200 targets: 6,000 edges, three blocks."""
    actors = [NodeInfo(f"e{i}", i, f"Actor {i}", "ORG") for i in range(1, 31)]
    topics = [NodeInfo(f"t:topic {j}", None, f"Topic {j}", "TOPIC") for j in range(200)]
    tallies = [
        Tally(a.key, t.key, (-1, 0, 1)[(i + j) % 3], 1 + (i * j) % 4)
        for i, a in enumerate(actors)
        for j, t in enumerate(topics)
    ]
    return two_mode_network([*actors, *topics], tallies)


@pytest.mark.parametrize(
    "write",
    [
        graphml_chunks,
        gexf_chunks,
        graph_csv_chunks,
        lambda g: graph_json_chunks(g, lambda n: None, lambda s, t: f"/e?{s}&{t}"),
    ],
)
def test_writers_stream_edges_in_blocks_never_the_whole_document(write):
    graph = many_edges()
    assert len(graph.edges) == 6000 > 2 * EDGE_BLOCK
    chunks = list(write(graph))
    # At least one chunk per block of edges (the head and tail come on their own or with
    # a block).
    assert len(chunks) >= -(-len(graph.edges) // EDGE_BLOCK)
    biggest = max(len(chunk) for chunk in chunks)
    assert biggest < len(b"".join(chunks)) / 2
    assert all(isinstance(chunk, bytes) and chunk for chunk in chunks)


def test_streamed_documents_read_back_whole():
    graph = many_edges()
    back = nx.read_graphml(io.BytesIO(b"".join(graphml_chunks(graph))))
    assert back.number_of_edges() == 6000
    back = nx.read_gexf(io.BytesIO(b"".join(gexf_chunks(graph))))
    assert back.number_of_edges() == 6000
    assert len(read_csv(b"".join(graph_csv_chunks(graph)).decode())) == 6000
    data = json.loads(b"".join(graph_json_chunks(graph, lambda n: None, lambda s, t: None)))
    assert len(data["edges"]) == 6000
    weights = {(e["source"], e["target"]): e["weight"] for e in data["edges"]}
    assert weights == {(e.source, e.target): e.weight for e in graph.edges}
