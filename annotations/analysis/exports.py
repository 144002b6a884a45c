"""Writers for a `network.Graph`: the API's JSON, networkx, GraphML, GEXF 1.3 and CSV.

Every file writer is a generator of byte chunks that formats the edges block by block
straight from the graph's edge table (`network.EdgeTable`), so that a network of a hundred
thousand ties leaves the server as it is written: the first bytes go out before the last
edge is formatted and no whole document is ever held. `to_graphml`, `to_gexf`, `graph_csv`
and `graph_json` join the chunks for callers that want the whole thing.

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
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from annotations.analysis.network import Graph, Node
from newsdesk.spreadsheet import csv_cell

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
# Edges formatted per chunk: large enough that the per-chunk cost vanishes, small enough
# that a chunk stays a few hundred kilobytes.
EDGE_BLOCK = 2048

NodeLink = Callable[[Node], str | None]
# The evidence link of an edge, from the keys of its two ends (source, target).
EdgeLink = Callable[[str, str], str | None]

EdgeRow = tuple[int, int, float, int, int, int, int, str]


def edge_rows(graph: Graph) -> Iterator[list[EdgeRow]]:
    """The edges in blocks of `EDGE_BLOCK`: (source position, target position, weight,
    support, oppose, other, shared, polarity), plain Python values."""
    table = graph.edge_table
    for start in range(0, len(table), EDGE_BLOCK):
        part = slice(start, start + EDGE_BLOCK)
        yield list(
            zip(
                table.source[part].tolist(),
                table.target[part].tolist(),
                table.weight[part].tolist(),
                table.support[part].tolist(),
                table.oppose[part].tolist(),
                table.other[part].tolist(),
                table.shared[part].tolist(),
                table.polarity[part],
                strict=True,
            )
        )


# -- JSON ----------------------------------------------------------------------------------

_json_text = json.encoder.encode_basestring  # the C encoder of a JSON string, no wrapper


def _dumps(value: Any) -> str:
    """Compact JSON, as the API's renderer writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _node_dict(node: Node, url: str | None) -> dict[str, Any]:
    return {
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
        "url": url,
    }


def graph_json_chunks(
    graph: Graph,
    node_url: NodeLink,
    edge_evidence: EdgeLink,
    *,
    summary: str = "",
    more: dict[str, Any] | None = None,
) -> Iterator[bytes]:
    """The API's network shape (analysis_contract.md) as JSON text in chunks: the graph's
    settings, `summary` and `more` first, then the nodes, then the edges block by block.
    Links come from the caller."""
    head = {
        "mode": graph.mode,
        "aggregation": graph.aggregation,
        "normalization": graph.normalization,
        "summary": summary,
        "truncated": graph.truncated,
        "limit": graph.limit,
        **(more or {}),
    }
    nodes = _dumps([_node_dict(node, node_url(node)) for node in graph.nodes])
    yield (_dumps(head)[:-1] + f',"nodes":{nodes},"edges":[').encode()
    keys = [node.key for node in graph.nodes]
    quoted = [_json_text(key) for key in keys]
    polarities: dict[str, str] = {}
    first = True
    for block in edge_rows(graph):
        parts = []
        for s, t, weight, support, oppose, other, shared, polarity in block:
            link = edge_evidence(keys[s], keys[t])
            pol = polarities.get(polarity) or polarities.setdefault(polarity, _json_text(polarity))
            parts.append(
                f'{{"source":{quoted[s]},"target":{quoted[t]},"weight":{weight!r},'
                f'"support":{support},"oppose":{oppose},"other":{other},'
                f'"polarity":{pol},"shared":{shared},'
                f'"evidence":{"null" if link is None else _json_text(link)}}}'
            )
        yield (("" if first else ",") + ",".join(parts)).encode()
        first = False
    yield b"]}"


def graph_json(
    graph: Graph,
    node_url: NodeLink,
    edge_evidence: EdgeLink,
    *,
    summary: str = "",
    more: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`graph_json_chunks`, read back: the same document as a dict."""
    document = b"".join(
        graph_json_chunks(graph, node_url, edge_evidence, summary=summary, more=more)
    )
    result: dict[str, Any] = json.loads(document)
    return result


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
# In an attribute value, white space other than a space would be normalised away.
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 cannot carry (escaping is the writer's)."""
    return _XML_ILLEGAL.sub("", value)


def _text(value: Any) -> str:
    """Element content: XML-safe and escaped."""
    return escape(xml_text(value)) if isinstance(value, str) else str(value)


def _attribute(value: Any) -> str:
    """An attribute value (without its quotes): XML-safe and escaped."""
    return escape(xml_text(str(value)), _ATTRIBUTE_ENTITIES)


def _xml_scalar(value: Any) -> str:
    """XML Schema's lexical form: booleans as true/false, floats as Python writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_ids(graph: Graph) -> list[str]:
    """Node ids for XML: the key without what XML cannot carry; two keys that differ only
    in such characters stay two nodes."""
    ids: list[str] = []
    seen: set[str] = set()
    for node in graph.nodes:
        node_id = xml_text(node.key)
        if node_id in seen:
            node_id = f"{node_id}~{len(ids)}"
        seen.add(node_id)
        ids.append(node_id)
    return ids


def _graph_settings(graph: Graph) -> list[tuple[str, Any]]:
    """The graph's settings that have a value, in a fixed order."""
    values = [
        ("mode", graph.mode),
        ("aggregation", graph.aggregation),
        ("normalization", graph.normalization),
        ("truncated", graph.truncated),
        ("limit", graph.limit),
        ("neutral", graph.neutral),
    ]
    return [(name, value) for name, value in values if value is not None]


def _node_values(node: Node) -> list[tuple[str, Any]]:
    """A node's attributes for the XML formats, None left out."""
    values = [
        ("name", node.name),
        ("kind", node.kind),
        ("type", node.type),
        ("entity_id", node.entity_id),
        ("activity", node.activity),
        ("support", node.support),
        ("oppose", node.oppose),
        ("other", node.other),
        ("degree", node.degree),
    ]
    return [(name, value) for name, value in values if value is not None]


_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
# The XML formats' attributes and their XML Schema types (GraphML's attr.type, GEXF's
# type): a node's, then an edge's besides its weight.
_NODE_TYPES = (
    ("name", "string"),
    ("kind", "string"),
    ("type", "string"),
    ("entity_id", "long"),
    ("activity", "long"),
    ("support", "long"),
    ("oppose", "long"),
    ("other", "long"),
    ("degree", "long"),
)
_EDGE_TYPES = (
    ("support", "long"),
    ("oppose", "long"),
    ("other", "long"),
    ("shared", "long"),
    ("polarity", "string"),
)
_GRAPH_TYPES = (
    ("mode", "string"),
    ("aggregation", "string"),
    ("normalization", "string"),
    ("truncated", "boolean"),
    ("limit", "long"),
    ("neutral", "string"),
)
# GraphML keys: (id, for, attr.name, attr.type). Ids are unique across graph, node and
# edge keys, as GraphML requires.
_GRAPHML_KEYS = (
    *((f"g_{name}", "graph", name, kind) for name, kind in _GRAPH_TYPES),
    *(
        (f"n_{name}", "node", name, kind)
        for name, kind in (("key", "string"), ("label", "string"), *_NODE_TYPES)
    ),
    *((f"e_{name}", "edge", name, kind) for name, kind in (("weight", "double"), *_EDGE_TYPES)),
)


def graphml_chunks(graph: Graph) -> Iterator[bytes]:
    """Standard GraphML (no yEd extensions), every key typed, in chunks.

    GraphML node ids must be XML NMTOKENs (no spaces), which a topic key need not be, so
    nodes are written as "n0", "n1", ... in graph order and the key is the `key` attribute;
    `label` and `name` are the display name. Booleans are XML Schema's "true"/"false".
    """
    head = [
        _XML_DECLARATION,
        f'<graphml xmlns="{_GRAPHML_NS}" xmlns:xsi="{_XSI_NS}" '
        f'xsi:schemaLocation="{_GRAPHML_NS} {_GRAPHML_NS}/1.0/graphml.xsd">\n',
    ]
    head += [
        f'  <key id="{key_id}" for="{domain}" attr.name="{name}" attr.type="{kind}" />\n'
        for key_id, domain, name, kind in _GRAPHML_KEYS
    ]
    head.append(f'  <graph edgedefault="{"directed" if graph.directed else "undirected"}">\n')
    head += [
        f'    <data key="g_{name}">{_text(_xml_scalar(value))}</data>\n'
        for name, value in _graph_settings(graph)
    ]
    for i, node in enumerate(graph.nodes):
        values = [("key", node.key), ("label", node.name), *_node_values(node)]
        data = "".join(f'<data key="n_{name}">{_text(value)}</data>' for name, value in values)
        head.append(f'    <node id="n{i}">{data}</node>\n')
    yield "".join(head).encode()
    for block in edge_rows(graph):
        yield "".join(
            f'    <edge source="n{s}" target="n{t}"><data key="e_weight">{weight!r}</data>'
            f'<data key="e_support">{support}</data><data key="e_oppose">{oppose}</data>'
            f'<data key="e_other">{other}</data><data key="e_shared">{shared}</data>'
            f'<data key="e_polarity">{_text(polarity)}</data></edge>\n'
            for s, t, weight, support, oppose, other, shared, polarity in block
        ).encode()
    yield b"  </graph>\n</graphml>\n"


def to_graphml(graph: Graph) -> bytes:
    return b"".join(graphml_chunks(graph))


_GEXF_NS = "http://gexf.net/1.3"


# Edge attribute ids follow the node ones: one id space, as networkx writes it.
def gexf_chunks(graph: Graph, *, today: date | None = None) -> Iterator[bytes]:
    """GEXF 1.3, valid against its schema, in chunks: node id = key, label = name, typed
    `attvalues`, the edge weight as GEXF's own `weight` attribute, `defaultedgetype`
    directed/undirected. GEXF has no graph-level attributes, so the network's settings go
    into `<meta><description>`."""
    settings = "; ".join(f"{name}={_xml_scalar(value)}" for name, value in _graph_settings(graph))
    node_ids = {name: str(i) for i, (name, _) in enumerate(_NODE_TYPES)}
    offset = len(_NODE_TYPES)  # edge attribute ids follow the node ones: one id space
    head = [
        _XML_DECLARATION,
        f'<gexf xmlns="{_GEXF_NS}" xmlns:xsi="{_XSI_NS}" '
        f'xsi:schemaLocation="{_GEXF_NS} {_GEXF_NS}/gexf.xsd" version="1.3">\n',
        f'  <meta lastmodifieddate="{(today or date.today()).isoformat()}">\n',
        "    <creator>Newsdesk</creator>\n",
        f"    <description>{_text('Newsdesk discourse network; ' + settings)}</description>\n",
        "  </meta>\n",
        f'  <graph defaultedgetype="{"directed" if graph.directed else "undirected"}" '
        'mode="static">\n',
        '    <attributes class="node" mode="static">\n',
        *(
            f'      <attribute id="{i}" title="{name}" type="{kind}" />\n'
            for i, (name, kind) in enumerate(_NODE_TYPES)
        ),
        "    </attributes>\n",
        '    <attributes class="edge" mode="static">\n',
        *(
            f'      <attribute id="{offset + i}" title="{name}" type="{kind}" />\n'
            for i, (name, kind) in enumerate(_EDGE_TYPES)
        ),
        "    </attributes>\n",
        "    <nodes>\n",
    ]
    ids = _xml_ids(graph)
    for node_id, node in zip(ids, graph.nodes, strict=True):
        values = "".join(
            f'<attvalue for="{node_ids[name]}" value="{_attribute(value)}" />'
            for name, value in _node_values(node)
        )
        head.append(
            f'      <node id="{_attribute(node_id)}" label="{_attribute(node.name)}">'
            f"<attvalues>{values}</attvalues></node>\n"
        )
    head.append("    </nodes>\n    <edges>\n")
    yield "".join(head).encode()
    quoted = [_attribute(node_id) for node_id in ids]
    number = 0
    for block in edge_rows(graph):
        parts = []
        for s, t, weight, support, oppose, other, shared, polarity in block:
            parts.append(
                f'      <edge id="{number}" source="{quoted[s]}" target="{quoted[t]}" '
                f'weight="{weight!r}"><attvalues>'
                f'<attvalue for="{offset}" value="{support}" />'
                f'<attvalue for="{offset + 1}" value="{oppose}" />'
                f'<attvalue for="{offset + 2}" value="{other}" />'
                f'<attvalue for="{offset + 3}" value="{shared}" />'
                f'<attvalue for="{offset + 4}" value="{_attribute(polarity)}" />'
                "</attvalues></edge>\n"
            )
            number += 1
        yield "".join(parts).encode()
    yield b"    </edges>\n  </graph>\n</gexf>\n"


def to_gexf(graph: Graph) -> bytes:
    return b"".join(gexf_chunks(graph))


# -- CSV -----------------------------------------------------------------------------------


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


def graph_csv_chunks(graph: Graph) -> Iterator[bytes]:
    """Tidy edge list in chunks, one row per edge: EDGE_COLUMNS (ids, entity ids and names
    of both ends, then every edge attribute). One-mode edges are undirected; source is the
    first of the pair in graph order."""
    ends = [
        (csv_cell(node.key), csv_cell(node.entity_id), csv_cell(node.name)) for node in graph.nodes
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(column) for column in EDGE_COLUMNS])
    for block in edge_rows(graph):
        writer.writerows(
            (*ends[s], *ends[t], weight, support, oppose, other, shared, csv_cell(polarity))
            for s, t, weight, support, oppose, other, shared, polarity in block
        )
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def graph_csv(graph: Graph) -> str:
    return b"".join(graph_csv_chunks(graph)).decode()
