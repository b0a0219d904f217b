"""Export networkx graphs for drawing tools: GraphML, GEXF 1.3, Cytoscape.js, node-link, CSV.

Every format is written by networkx's own writer and read back by networkx's reader
(:func:`read_back`); :func:`decorate` first adds what makes a good picture: centrality,
community, colour and size per node. GEXF gets dynamic attributes from event dates: events
live over their dates, relations from an event on, and in the actor network each tie over
the dates of the events it comes from, with its weight growing as they happen.

>>> g = nx.Graph()
>>> g.add_node("a", label="A", group="person")
>>> g.add_node("b", label="B", group="country")
>>> g.add_edge("a", "b", label="member of", sources=["s1"])
>>> sorted(read_back(export_bytes(g, "graphml"), "graphml").nodes(data="label"))
[('a', 'A'), ('b', 'B')]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
from cakg.errors import QueryError
from cakg.graph.analytics import centrality, communities
from cakg.graph.projection import event_interval
from lxml import etree

__all__ = [
    "FORMATS",
    "GROUP_COLOURS",
    "ExportFormat",
    "decorate",
    "explorer_json",
    "export_bytes",
    "graph_from_csv",
    "read_back",
]

#: Colours of node groups (the explorer page and GEXF/GraphML use the same).
GROUP_COLOURS: dict[str, str] = {
    "person": "#d62728",
    "organisation": "#1f77b4",
    "mechanism": "#17becf",
    "country": "#2ca02c",
    "place": "#8c564b",
    "agreement": "#9467bd",
    "version": "#c5b0d5",
    "instrument": "#e377c2",
    "area": "#bcbd22",
    "event": "#ff7f0e",
    "statistic": "#7f7f7f",
    "statement": "#aec7e8",
    "post": "#98df8a",
    "source": "#c7c7c7",
}
_DEFAULT_COLOUR = "#999999"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class ExportFormat:
    """A file format: its media type, file suffix and what it is for."""

    media_type: str
    suffix: str
    description: str


FORMATS: dict[str, ExportFormat] = {
    "graphml": ExportFormat("application/graphml+xml", ".graphml", "GraphML (Cytoscape, yEd)"),
    "graphml-yed": ExportFormat(
        "application/graphml+xml", ".yed.graphml", "GraphML with yEd graphics (yEd)"
    ),
    "gexf": ExportFormat("application/gexf+xml", ".gexf", "GEXF 1.3 (Gephi), dynamic"),
    "cytoscape": ExportFormat("application/json", ".cyjs", "Cytoscape.js JSON"),
    "node-link": ExportFormat("application/json", ".json", "networkx node-link JSON"),
    "csv-nodes": ExportFormat("text/csv", ".nodes.csv", "CSV node list (Gephi's columns)"),
    "csv-edges": ExportFormat("text/csv", ".edges.csv", "CSV edge list (Gephi's columns)"),
}


def decorate(graph: nx.Graph) -> nx.Graph:
    """Return a copy of ``graph`` with what makes a good picture on every node.

    That is degree, betweenness, PageRank, community (0 = largest), colour (by group) and
    size (10 to 50, by PageRank).
    """
    copy = graph.copy()
    rows = centrality(graph)
    top = max((r["pagerank"] for r in rows), default=0.0) or 1.0
    for row in rows:
        data = copy.nodes[row["id"]]
        for measure in ("degree", "betweenness", "pagerank"):
            data[measure] = row[measure]
        data["size"] = round(10 + 40 * row["pagerank"] / top, 2)
        data["color"] = GROUP_COLOURS.get(str(data.get("group", "")), _DEFAULT_COLOUR)
    for number, members in enumerate(communities(graph)):
        for node in members:
            copy.nodes[node]["community"] = number
    return copy


# Characters XML 1.0 does not allow (https://www.w3.org/TR/xml/#charsets).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        value = "; ".join(str(v) for v in value if v is not None and v != "")
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _flat_attributes(items: list[dict[str, Any]]) -> None:
    """Make attributes scalar and of one type per name (what XML formats want), in place."""
    kinds: dict[str, set[type]] = {}
    for data in items:
        for name in [n for n, v in data.items() if v is None]:
            del data[name]
        for name, value in data.items():
            data[name] = _flat(value)
            kinds.setdefault(name, set()).add(type(data[name]))
    for name, seen in kinds.items():
        convert: Callable[[Any], Any] | None = None
        if seen == {int, float}:
            convert = float
        elif len(seen) > 1:
            convert = str
        if convert is not None:
            for data in items:
                if name in data:
                    data[name] = convert(data[name])


def _flat_copy(graph: nx.Graph) -> nx.Graph:
    """Return a copy with scalar attributes and, for multigraphs, edge keys ``e0``, ``e1``..."""
    flat: nx.Graph = graph.__class__()
    flat.graph.update({k: _flat(v) for k, v in graph.graph.items()})
    flat.add_nodes_from((n, dict(d)) for n, d in graph.nodes(data=True))
    if graph.is_multigraph():
        for number, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
            flat.add_edge(u, v, key=f"e{number}", relation=str(key), **data)
    else:
        flat.add_edges_from((u, v, dict(d)) for u, v, d in graph.edges(data=True))
    _flat_attributes([d for _, d in flat.nodes(data=True)])
    if flat.is_multigraph():
        _flat_attributes([d for _, _, _, d in flat.edges(keys=True, data=True)])
    else:
        _flat_attributes([d for _, _, d in flat.edges(data=True)])
    return flat


_NMTOKEN_BAD = re.compile(r"[^\w.\-:]")


def graphml_id(node: Any) -> str:
    """Return a GraphML node id (an XML NMTOKEN) for a node: the IRI's path, dotted.

    >>> graphml_id("https://w3id.org/cakg/id/agreement/cafta/v3")
    'agreement.cafta.v3'
    """
    text = str(node)
    for prefix in ("https://w3id.org/cakg/id/", "https://w3id.org/cakg/"):
        text = text.removeprefix(prefix)
    return _NMTOKEN_BAD.sub("_", text.replace("/", ".")) or "_"


def _graphml_graph(graph: nx.Graph) -> nx.Graph:
    """Return the flat copy of ``graph`` that GraphML gets: NMTOKEN ids, the IRI kept."""
    flat = _flat_copy(graph)
    mapping = {node: graphml_id(node) for node in flat}
    if len(set(mapping.values())) != len(mapping):
        mapping = {node: f"n{i}" for i, node in enumerate(flat)}
    for node in flat:
        flat.nodes[node].setdefault("iri", str(node))
    return nx.relabel_nodes(flat, mapping)


def _graphml(graph: nx.Graph) -> bytes:
    out = io.BytesIO()
    nx.write_graphml(_graphml_graph(graph), out, encoding="utf-8", prettyprint=True)
    return out.getvalue()


_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
_Y = "http://www.yworks.com/xml/graphml"


def _graphml_yed(graph: nx.Graph) -> bytes:
    """Return GraphML with yEd's graphics: labels, colours, sizes, arrows, and positions on
    a circle, so that the file opens in yEd as a picture (then *Layout* arranges it)."""
    flat = _graphml_graph(graph)
    out = io.BytesIO()
    nx.write_graphml(flat, out, encoding="utf-8", prettyprint=False)
    old = etree.fromstring(out.getvalue(), parser=etree.XMLParser(resolve_entities=False))
    root = etree.Element(f"{{{_GRAPHML}}}graphml", nsmap={None: _GRAPHML, "y": _Y, "xsi": _XSI})
    for name, value in old.attrib.items():
        root.set(name, value)
    keys = old.findall(f"{{{_GRAPHML}}}key")
    for key in keys:
        root.append(key)
    for kind in ("node", "edge"):
        key = etree.SubElement(root, f"{{{_GRAPHML}}}key", id=f"yfiles-{kind}")
        key.set("for", kind)
        key.set("yfiles.type", f"{kind}graphics")
    for child in list(old):
        if child.tag != f"{{{_GRAPHML}}}key":
            root.append(child)
    total = max(flat.number_of_nodes(), 1)
    radius = max(200.0, total * 15.0)
    arrow = "standard" if flat.is_directed() else "none"
    for i, element in enumerate(root.iter(f"{{{_GRAPHML}}}node")):
        data = flat.nodes[element.get("id")]
        size = float(data.get("size", 30))
        angle = 2 * math.pi * i / total
        shape = etree.SubElement(
            etree.SubElement(element, f"{{{_GRAPHML}}}data", key="yfiles-node"),
            f"{{{_Y}}}ShapeNode",
        )
        etree.SubElement(
            shape,
            f"{{{_Y}}}Geometry",
            x=f"{radius * math.cos(angle):.1f}",
            y=f"{radius * math.sin(angle):.1f}",
            width=f"{size:.1f}",
            height=f"{size:.1f}",
        )
        colour = str(data.get("color", _DEFAULT_COLOUR)).upper()
        etree.SubElement(shape, f"{{{_Y}}}Fill", color=colour, transparent="false")
        etree.SubElement(shape, f"{{{_Y}}}BorderStyle", color="#FFFFFF", type="line", width="1.0")
        label = etree.SubElement(shape, f"{{{_Y}}}NodeLabel", modelName="sides", modelPosition="e")
        label.text = str(data.get("label", element.get("id")))
        etree.SubElement(shape, f"{{{_Y}}}Shape", type="ellipse")
    for element in root.iter(f"{{{_GRAPHML}}}edge"):
        line = etree.SubElement(
            etree.SubElement(element, f"{{{_GRAPHML}}}data", key="yfiles-edge"),
            f"{{{_Y}}}PolyLineEdge",
        )
        etree.SubElement(line, f"{{{_Y}}}LineStyle", color="#B8BFCC", type="line", width="1.0")
        etree.SubElement(line, f"{{{_Y}}}Arrows", source="none", target=arrow)
        label_key = next(
            (k.get("id") for k in keys if k.get("for") == "edge" and k.get("attr.name") == "label"),
            None,
        )
        text = element.findtext(f"{{{_GRAPHML}}}data[@key='{label_key}']") if label_key else None
        if text:
            etree.SubElement(line, f"{{{_Y}}}EdgeLabel").text = text
    etree.indent(root)
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return result


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _dynamic(graph: nx.Graph) -> nx.Graph:
    """Return a copy with GEXF time: ``start``/``end`` and ``spells`` from event dates."""
    timed = graph.copy()
    for _, data in timed.nodes(data=True):
        if data.get("group") == "event":
            first, last = event_interval(data)
            start, end = _date(first), _date(last)
            if start:
                data["start"] = start.isoformat()
            if start and end and end >= start:
                data["end"] = end.isoformat()
    edges = timed.edges(keys=True, data=True) if timed.is_multigraph() else timed.edges(data=True)
    for edge in edges:
        u, v, data = edge[0], edge[1], edge[-1]
        if graph.graph.get("view") == "actors":
            _actor_tie_time(graph, data)
            continue
        for end_node in (u, v):
            if timed.nodes[end_node].get("group") == "event" and "start" in timed.nodes[end_node]:
                data["start"] = timed.nodes[end_node]["start"]
    if graph.graph.get("view") == "actors":
        for node, data in timed.nodes(data=True):
            dates = [d["start"] for _, _, d in timed.edges(node, data=True) if "start" in d]
            if dates:
                data["start"] = min(dates)
    return timed


def _actor_tie_time(graph: nx.Graph, data: dict[str, Any]) -> None:
    """Date a tie of the actor network from the events its two actors shared.

    The tie starts with the first shared event, and its weight grows by one with each
    shared event (a dynamic attribute).
    """
    days: dict[dt.date, int] = {}
    for event_date in data.get("dates", []):
        day = _date(event_date)
        if day:
            days[day] = days.get(day, 0) + 1
    if not days:
        return
    ordered = sorted(days)
    data["start"] = ordered[0].isoformat()
    history: list[tuple[int, str, str | None]] = []
    total = 0
    for i, day in enumerate(ordered):
        total += days[day]
        # Intervals of one attribute must not overlap: each ends the day before the next.
        until = (
            (ordered[i + 1] - dt.timedelta(days=1)).isoformat() if i + 1 < len(ordered) else None
        )
        history.append((total, day.isoformat(), until))
    data["weight_over_time"] = history


def _gexf(graph: nx.Graph) -> bytes:
    timed = _dynamic(graph)
    # Dynamic values are lists of (value, start, end): kept apart from flattening.
    history = {}
    if not timed.is_multigraph():
        for u, v, d in timed.edges(data=True):
            if "weight_over_time" in d:
                history[(u, v)] = d.pop("weight_over_time")
    flat = _flat_copy(timed)
    for (u, v), values in history.items():
        flat.edges[u, v]["weight_over_time"] = values
    for _, data in flat.nodes(data=True):
        colour = str(data.get("color", _DEFAULT_COLOUR)).lstrip("#")
        viz: dict[str, Any] = {
            "color": {
                "r": int(colour[0:2], 16),
                "g": int(colour[2:4], 16),
                "b": int(colour[4:6], 16),
                "a": 1.0,
            }
        }
        if "size" in data:
            viz["size"] = float(data["size"])
        data["viz"] = viz
    out = io.BytesIO()
    nx.write_gexf(flat, out, encoding="utf-8", prettyprint=True, version="1.3")
    return _fix_gexf(out.getvalue(), str(graph.graph.get("name", "")))


def _fix_gexf(data: bytes, name: str) -> bytes:
    """Return networkx's GEXF 1.3 output made valid against the GEXF 1.3 grammar.

    networkx writes the XML Schema instance namespace without ``www.`` and a ``name`` on
    ``<graph>``, which the 1.3 grammar does not have; the name goes to
    ``<meta><description>`` instead.
    """
    data = data.replace(b'"http://w3.org/2001/XMLSchema-instance"', f'"{_XSI}"'.encode(), 1)
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
    ns = root.nsmap.get(None, "")
    graph = root.find(f"{{{ns}}}graph")
    if graph is not None and "name" in graph.attrib:
        del graph.attrib["name"]
    meta = root.find(f"{{{ns}}}meta")
    if meta is not None and name:
        etree.SubElement(meta, f"{{{ns}}}description").text = name
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return result


def _cytoscape(graph: nx.Graph) -> bytes:
    copy = graph.copy()
    for node, data in copy.nodes(data=True):
        data["name"] = str(data.get("label", node))
    return json.dumps(nx.cytoscape_data(copy), ensure_ascii=False, indent=1).encode("utf-8")


def _node_link(graph: nx.Graph) -> bytes:
    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


_NODE_FIRST = ["Id", "Label", "group", "class", "path"]
_EDGE_FIRST = ["Source", "Target", "Type", "Label", "Weight", "relation"]


def _csv(rows: list[dict[str, Any]], first: list[str]) -> bytes:
    columns = [c for c in first if any(c in r for r in rows)]
    columns += sorted({c for r in rows for c in r} - set(columns))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _csv_nodes(graph: nx.Graph) -> bytes:
    flat = _flat_copy(graph)
    rows = [{"Id": str(n), "Label": d.pop("label", str(n)), **d} for n, d in flat.nodes(data=True)]
    return _csv(rows, _NODE_FIRST)


def _csv_edges(graph: nx.Graph) -> bytes:
    flat = _flat_copy(graph)
    kind = "Directed" if flat.is_directed() else "Undirected"
    rows = []
    for u, v, data in flat.edges(data=True):
        row = {"Source": str(u), "Target": str(v), "Type": kind}
        row["Label"] = data.pop("label", "")
        row["Weight"] = data.pop("weight", 1)
        rows.append({**row, **data})
    return _csv(rows, _EDGE_FIRST)


_WRITERS: dict[str, Callable[[nx.Graph], bytes]] = {
    "graphml": _graphml,
    "graphml-yed": _graphml_yed,
    "gexf": _gexf,
    "cytoscape": _cytoscape,
    "node-link": _node_link,
    "csv-nodes": _csv_nodes,
    "csv-edges": _csv_edges,
}


def export_bytes(graph: nx.Graph, fmt: str) -> bytes:
    """Return ``graph`` in format ``fmt`` (a key of :data:`FORMATS`).

    Raises:
        QueryError: ``fmt`` is not a known format.
    """
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise QueryError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return writer(graph)


def read_back(data: bytes, fmt: str) -> nx.Graph:
    """Read an export back with networkx (CSV: one list alone gives nodes or edges only).

    Raises:
        QueryError: ``fmt`` is not a known format.
    """
    if fmt in ("graphml", "graphml-yed"):
        graph: nx.Graph = nx.read_graphml(io.BytesIO(data))
        return graph
    if fmt == "gexf":
        graph = nx.read_gexf(io.BytesIO(data), version="1.3")
        return graph
    if fmt == "cytoscape":
        graph = nx.cytoscape_graph(json.loads(data))
        return graph
    if fmt == "node-link":
        graph = nx.node_link_graph(json.loads(data), edges="edges")
        return graph
    if fmt == "csv-nodes":
        return graph_from_csv(data, None)
    if fmt == "csv-edges":
        return graph_from_csv(None, data)
    raise QueryError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")


def graph_from_csv(nodes: bytes | None, edges: bytes | None) -> nx.MultiDiGraph:
    """Return the graph of a CSV node list and/or edge list as written by this module."""
    graph = nx.MultiDiGraph()
    if nodes is not None:
        for row in csv.DictReader(io.StringIO(nodes.decode("utf-8"))):
            node = row.pop("Id")
            graph.add_node(node, label=row.pop("Label", node), **row)
    if edges is not None:
        for row in csv.DictReader(io.StringIO(edges.decode("utf-8"))):
            graph.add_edge(row.pop("Source"), row.pop("Target"), **row)
    return graph


def explorer_json(graph: nx.Graph) -> dict[str, Any]:
    """Return what the explorer page draws: decorated nodes, edges, groups and sources."""
    decorated = decorate(graph)
    nodes = [
        {
            "id": str(node),
            "label": str(data.get("label", node)),
            "group": str(data.get("group", "")),
            "class": str(data.get("class", "")),
            "class_label": str(data.get("class_label", "")),
            "path": str(data.get("path", "")),
            "sources": list(data.get("sources", [])),
            "color": data.get("color", _DEFAULT_COLOUR),
            "size": data.get("size", 10),
            "degree": data.get("degree", 0),
            "pagerank": data.get("pagerank", 0.0),
            "betweenness": data.get("betweenness", 0.0),
            "community": data.get("community", 0),
        }
        for node, data in decorated.nodes(data=True)
    ]
    edges = [
        {
            "source": str(u),
            "target": str(v),
            "label": str(data.get("label", "")),
            "weight": data.get("weight", 1),
            "sources": list(data.get("sources", [])),
            "evidence": list(data.get("evidence", [])),
        }
        for u, v, data in decorated.edges(data=True)
    ]
    groups = sorted({n["group"] for n in nodes})
    return {
        "view": graph.graph.get("view", ""),
        "nodes": nodes,
        "edges": edges,
        "groups": [{"name": g, "color": GROUP_COLOURS.get(g, _DEFAULT_COLOUR)} for g in groups],
        "sources": list(graph.graph.get("sources", [])),
    }
