"""Writers for a `network.Graph`: the API's JSON dict, networkx, GraphML, GEXF 1.3 and CSV.

Names come from articles and are untrusted: XML writers escape them (and drop the control
characters XML 1.0 cannot carry), CSV writers neutralise cells that a spreadsheet would run
as a formula.

Null values: GraphML and GEXF have no null, so an attribute whose value is None (a topic's
`entity_id`, an unlimited graph's `limit`) is *omitted* from that node, edge or graph,
never written as -1 or "None". Readers see the attribute missing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from annotations.analysis.network import Edge, Graph, Node

NODE_COLUMNS = (
    "id",
    "entity_id",
    "name",
    "kind",
    "type",
    "activity",
    "support",
    "oppose",
    "other",
    "degree",
)
EDGE_COLUMNS = (
    "source",
    "source_entity_id",
    "source_name",
    "target",
    "target_entity_id",
    "target_name",
    "weight",
    "support",
    "oppose",
    "other",
    "shared",
    "polarity",
)

NodeLink = Callable[[Node], str | None]
EdgeLink = Callable[[Edge], str | None]


# -- JSON ----------------------------------------------------------------------------------


def graph_json(
    graph: Graph,
    node_url: NodeLink,
    edge_evidence: EdgeLink,
    *,
    summary: str = "",
) -> dict[str, Any]:
    """The API's network shape (analysis_contract.md); links come from the caller."""
    return {
        "mode": graph.mode,
        "aggregation": graph.aggregation,
        "normalization": graph.normalization,
        "summary": summary,
        "nodes": [
            {
                "id": node.key,
                "entity_id": node.entity_id,
                "name": node.name,
                "kind": node.kind,
                "type": node.type,
                "activity": node.activity,
                "support": node.support,
                "oppose": node.oppose,
                "other": node.other,
                "degree": node.degree,
                "url": node_url(node),
            }
            for node in graph.nodes
        ],
        "edges": [
            {
                "source": edge.source,
                "target": edge.target,
                "weight": edge.weight,
                "support": edge.support,
                "oppose": edge.oppose,
                "other": edge.other,
                "polarity": edge.polarity,
                "shared": edge.shared,
                "evidence": edge_evidence(edge),
            }
            for edge in graph.edges
        ],
        "truncated": graph.truncated,
        "limit": graph.limit,
    }


# -- networkx ------------------------------------------------------------------------------


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def to_networkx(graph: Graph) -> nx.Graph:
    """nx.DiGraph for the two-mode network, nx.Graph for a one-mode one.

    Node ids are the node keys ("e12", "t:nato enlargement"). Node attributes: label and
    name (the display name), kind, type, entity_id (omitted for topics), activity, support,
    oppose, other, degree. Edge attributes: weight (float), support, oppose, other, shared
    (int), polarity. Graph attributes: mode, aggregation, normalization, truncated, limit
    and neutral (each omitted when None).
    """
    result: nx.Graph = nx.DiGraph() if graph.directed else nx.Graph()
    result.graph.update(
        _without_none(
            {
                "mode": graph.mode,
                "aggregation": graph.aggregation,
                "normalization": graph.normalization,
                "truncated": graph.truncated,
                "limit": graph.limit,
                "neutral": graph.neutral,
            }
        )
    )
    for node in graph.nodes:
        result.add_node(
            node.key,
            **_without_none(
                {
                    "label": node.name,
                    "name": node.name,
                    "kind": node.kind,
                    "type": node.type,
                    "entity_id": node.entity_id,
                    "activity": node.activity,
                    "support": node.support,
                    "oppose": node.oppose,
                    "other": node.other,
                    "degree": node.degree,
                }
            ),
        )
    for edge in graph.edges:
        result.add_edge(
            edge.source,
            edge.target,
            weight=float(edge.weight),
            support=edge.support,
            oppose=edge.oppose,
            other=edge.other,
            shared=edge.shared,
            polarity=edge.polarity,
        )
    return result


# -- XML -----------------------------------------------------------------------------------

# Characters XML 1.0 cannot represent, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry (escaping is the writer's)."""
    return _XML_ILLEGAL.sub("", value)


def _xml_safe_copy(source: nx.Graph) -> nx.Graph:
    def clean(values: dict[str, Any]) -> dict[str, Any]:
        return {k: xml_text(v) if isinstance(v, str) else v for k, v in values.items()}

    result = source.__class__()
    result.graph.update(clean(source.graph))
    ids: dict[str, str] = {}
    for key, values in source.nodes(data=True):
        node_id = xml_text(key)
        if node_id != key and node_id in ids.values():
            node_id = f"{node_id}~{len(ids)}"  # two keys that differ only in stripped characters
        ids[key] = node_id
        result.add_node(node_id, **clean(values))
    for u, v, values in source.edges(data=True):
        result.add_edge(ids[u], ids[v], **clean(values))
    return result


_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def to_graphml(graph: Graph) -> bytes:
    """Standard GraphML (no yEd extensions), written by networkx, every key typed.

    GraphML node ids must be XML NMTOKENs (no spaces), which a topic key need not be, so
    nodes are written as "n0", "n1", ... in graph order and the key is the `key` attribute.
    networkx writes booleans as "True"/"False"; they are rewritten as the XML Schema
    boolean "true"/"false" that GraphML's `attr.type="boolean"` means.
    """
    source = _xml_safe_copy(to_networkx(graph))
    ids = {key: f"n{i}" for i, key in enumerate(source.nodes)}
    relabelled = nx.relabel_nodes(source, ids, copy=True)
    for key, node_id in ids.items():
        relabelled.nodes[node_id]["key"] = key
    buffer = io.BytesIO()
    nx.write_graphml_xml(relabelled, buffer, encoding="utf-8")
    return _graphml_booleans(buffer.getvalue())


_KEY_TAG = re.compile(rb"<key\b[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w.:]+)="([^"]*)"')


def _graphml_booleans(document: bytes) -> bytes:
    """ "True"/"False" -> "true"/"false" in the data of the boolean keys: the keys are read
    from the header's <key> tags and the values rewritten in place (no second parse of a
    document of thousands of edges)."""
    booleans = []
    for tag in _KEY_TAG.findall(document):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get(b"attr.type") == b"boolean" and b"id" in attributes:
            booleans.append(re.escape(attributes[b"id"]))
    if not booleans:
        return document
    data = re.compile(rb'(<data key="(?:' + b"|".join(booleans) + rb')">)\s*(True|False)\s*<')
    return data.sub(lambda m: m.group(1) + m.group(2).lower() + b"<", document)


_GEXF_NS = "http://gexf.net/1.3"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


_GRAPH_NAME = re.compile(rb'(<graph\b[^>]*?)\s+name="[^"]*"')


def to_gexf(graph: Graph) -> bytes:
    """GEXF 1.3 (networkx's writer): node id = key, label = name, typed `attvalues`, the
    edge weight as GEXF's own `weight` attribute, `defaultedgetype` directed/undirected.

    networkx 3.6.1's 1.3 output is not valid against the GEXF 1.3 schema in two places,
    both mended here: it declares the `xsi` prefix with a wrong namespace
    (http://w3.org/2001/... without "www") and it writes `name=""` on `<graph>`, an
    attribute GEXF 1.3 no longer has. GEXF has no graph-level attributes, so the network's
    settings go into `<meta><description>`.
    """
    source = _xml_safe_copy(to_networkx(graph))
    source.graph.clear()  # networkx would read "mode" as GEXF's static/dynamic mode
    buffer = io.BytesIO()
    nx.write_gexf(source, buffer, encoding="utf-8", version="1.3")
    document = buffer.getvalue().replace(
        b'xmlns:xsi="http://w3.org/2001/XMLSchema-instance"',
        f'xmlns:xsi="{_XSI_NS}"'.encode(),
        1,
    )
    # Edits in place on the writer's own output (no second parse of thousands of edges):
    # the <graph> tag loses its name, the <meta> gains the description.
    document = _GRAPH_NAME.sub(rb"\1", document, count=1)
    if b"</meta>" in document:
        settings = [
            f"mode={graph.mode}",
            f"aggregation={graph.aggregation}",
            f"normalization={graph.normalization}",
            f"truncated={'true' if graph.truncated else 'false'}",
        ]
        if graph.limit is not None:
            settings.append(f"limit={graph.limit}")
        if graph.neutral is not None:
            settings.append(f"neutral={graph.neutral}")
        description = escape("Newsdesk discourse network; " + "; ".join(settings))
        document = document.replace(
            b"</meta>", f"  <description>{description}</description>\n  </meta>".encode(), 1
        )
    return document


# -- CSV -----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading single quote.

    Only text is touched: numbers (a negative `subtract` weight) stay numbers. None is an
    empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (RFC 4180 quoting, CRLF line ends) with a header row; every cell
    neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def nodes_csv(graph: Graph) -> str:
    """One row per node: NODE_COLUMNS."""
    return rows_csv(
        NODE_COLUMNS,
        (
            (
                node.key,
                node.entity_id,
                node.name,
                node.kind,
                node.type,
                node.activity,
                node.support,
                node.oppose,
                node.other,
                node.degree,
            )
            for node in graph.nodes
        ),
    )


def graph_csv(graph: Graph) -> str:
    """Tidy edge list, one row per edge: EDGE_COLUMNS (ids, entity ids and names of both
    ends, then every edge attribute). One-mode edges are undirected; source is the first
    of the pair in graph order."""
    by_key = {node.key: node for node in graph.nodes}

    def row(edge: Edge) -> tuple[Any, ...]:
        source, target = by_key[edge.source], by_key[edge.target]
        return (
            source.key,
            source.entity_id,
            source.name,
            target.key,
            target.entity_id,
            target.name,
            edge.weight,
            edge.support,
            edge.oppose,
            edge.other,
            edge.shared,
            edge.polarity,
        )

    return rows_csv(EDGE_COLUMNS, (row(edge) for edge in graph.edges))
