"""Serve the views for graph-minded users, network analytics as JSON and downloads.

The views are the graph explorer, the timeline and the ontology diagram.

URLs (all under ``/explore``)::

    /explore                      the graph explorer (HTML)
    /explore/graph.json           what it draws: nodes, edges, groups, sources
    /explore/timeline[.json]      events in time order
    /explore/ontology[.json]      the ontology's classes and properties as a diagram
    /explore/api/stats            size and shape of the network
    /explore/api/centrality       ?measure=pagerank|degree|betweenness|degree_centrality&top=10
                                  [&among=person&among=organisation ...]
    /explore/api/path             ?from=A&to=B[&all=1&cutoff=4]
    /explore/api/neighbours       ?entity=X[&radius=1]
    /explore/api/communities
    /explore/export/<format>      graphml, gexf, cytoscape, node-link, csv-nodes, csv-edges

Every graph URL takes ``view`` (``entities`` or ``actors``), ``class`` and ``source``
(repeatable) and ``provenance=1``, as ``cakg network`` does. Entities are named by IRI,
local id (``person/wang-wentao``) or label. The logic lives in :mod:`cakg.graph`.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from cakg.errors import QueryError
from cakg.graph import analytics
from cakg.graph.export import FORMATS, GROUP_COLOURS, decorate, explorer_json, export_bytes
from cakg.graph.projection import (
    ACTOR_GROUPS,
    GROUPS,
    Quad,
    actor_network,
    entity_graph,
    store_quads,
)
from cakg.graph.store import LocalStore
from cakg.graph.timeline import ontology_diagram, timeline_events
from cakg.web.app import get_store
from cakg.web.errors import HttpError
from flask import Blueprint, Response, current_app, jsonify, render_template, request

__all__ = ["bp", "graph_from_request"]

bp = Blueprint("explore", __name__, url_prefix="/explore")

_CACHE = "cakg.explore.quads"


def _store() -> LocalStore:
    return get_store(current_app)


def _quads() -> list[Quad]:
    """Return the store's quads, read once per store (a build is immutable)."""
    store = _store()
    cache: dict[int, list[Quad]] = current_app.extensions.setdefault(_CACHE, {})
    key = id(store)
    if key not in cache:
        cache.clear()
        cache[key] = store_quads(store)
    return cache[key]


def graph_from_request() -> nx.Graph:
    """Return the graph the request's ``view``, ``class``, ``source`` and ``provenance`` ask for.

    Raises:
        QueryError: an unknown view, class or source.
    """
    view = request.args.get("view", "entities")
    classes = [c for c in request.args.getlist("class") if c]
    sources = [s for s in request.args.getlist("source") if s] or None
    provenance = request.args.get("provenance", "") in ("1", "true", "yes")
    if view == "actors":
        unknown = sorted({c for c in classes if c.lower() not in GROUPS})
        if unknown:
            raise QueryError(f"Unknown group {', '.join(unknown)}: use one of {', '.join(GROUPS)}.")
        return actor_network(
            entity_graph(_quads(), sources=sources),
            actor_groups=[c.lower() for c in classes] or ACTOR_GROUPS,
        )
    if view != "entities":
        raise QueryError(f"Unknown view {view!r}: use view=entities or view=actors.")
    return entity_graph(_quads(), classes=classes or None, sources=sources, provenance=provenance)


def _entity(graph: nx.Graph, parameter: str) -> Any:
    text = request.args.get(parameter, "").strip()
    if not text:
        raise HttpError(400, f"Give the entity as ?{parameter}= (an IRI, a local id or a label).")
    try:
        return analytics.resolve(graph, text)
    except analytics.UnknownEntityError as exc:
        raise HttpError(404, str(exc)) from exc


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise QueryError(f"?{name}= needs a whole number from {low} to {high}.") from exc
    if not low <= value <= high:
        raise QueryError(f"?{name}= needs a whole number from {low} to {high}.")
    return value


# -- pages ------------------------------------------------------------------------------------


@bp.get("")
def explorer() -> str:
    """Render the interactive graph explorer."""
    return render_template(
        "explore.html",
        groups=[{"name": g, "color": c} for g, c in GROUP_COLOURS.items()],
        formats=FORMATS,
    )


@bp.get("/timeline")
def timeline() -> str:
    """Render the timeline of events."""
    return render_template("timeline.html")


@bp.get("/ontology")
def ontology() -> str:
    """Render the diagram of the ontology's classes and properties."""
    return render_template("ontology_diagram.html")


# -- data -------------------------------------------------------------------------------------


@bp.get("/graph.json")
def graph_json() -> Response:
    """Return the nodes and edges the explorer draws, with colours and centrality."""
    return jsonify(explorer_json(graph_from_request()))


@bp.get("/timeline.json")
def timeline_json() -> Response:
    """Return the events in time order."""
    return jsonify({"events": timeline_events(_store())})


@bp.get("/ontology.json")
def ontology_json() -> Response:
    """Return the ontology's classes and their links."""
    return jsonify(ontology_diagram(_store()))


@bp.get("/api/stats")
def stats() -> Response:
    """Return the size and shape of the network."""
    graph = graph_from_request()
    return jsonify({**analytics.network_stats(graph), "sources": graph.graph.get("sources", [])})


@bp.get("/api/centrality")
def centrality() -> Response:
    """Return the most central nodes by one measure."""
    measure = request.args.get("measure", "pagerank")
    if measure not in analytics.MEASURES:
        raise QueryError(
            f"Unknown measure {measure!r}: use one of {', '.join(analytics.MEASURES)}."
        )
    top = _int("top", 10, 1, 10_000)
    among = [g for g in request.args.getlist("among") if g] or None
    rows = analytics.most_central(graph_from_request(), measure=measure, count=top, groups=among)
    return jsonify({"measure": measure, "nodes": rows})


@bp.get("/api/path")
def path() -> Response:
    """Return the shortest path between two entities, or all simple paths up to ``cutoff``."""
    graph = graph_from_request()
    a, b = _entity(graph, "from"), _entity(graph, "to")
    cutoff = _int("cutoff", 4, 1, 6)
    try:
        if request.args.get("all", "") in ("1", "true", "yes"):
            paths = analytics.simple_paths(graph, a, b, cutoff=cutoff, limit=50)
        else:
            paths = [analytics.shortest_path(graph, a, b)]
    except analytics.NoPathError as exc:
        raise HttpError(404, str(exc)) from exc
    return jsonify(
        {
            "from": a,
            "to": b,
            "paths": [{"nodes": p, "hops": analytics.describe_path(graph, p)} for p in paths],
        }
    )


@bp.get("/api/neighbours")
def neighbours() -> Response:
    """Return the ego network of an entity as explorer JSON, with each node's hops."""
    graph = graph_from_request()
    centre = _entity(graph, "entity")
    ego = analytics.ego_network(graph, centre, radius=_int("radius", 1, 1, 4))
    data = explorer_json(ego)
    for node in data["nodes"]:
        node["hops"] = ego.nodes[node["id"]]["hops"]
    return jsonify({"centre": centre, **data})


@bp.get("/api/communities")
def communities() -> Response:
    """Return the communities (greedy modularity) and component sizes."""
    graph = graph_from_request()
    found = analytics.communities(graph)
    return jsonify(
        {
            "modularity": round(analytics.modularity(graph, found), 6),
            "communities": [
                [{"id": n, "label": graph.nodes[n].get("label", n)} for n in c] for c in found
            ],
            "components": [len(c) for c in analytics.components(graph)],
        }
    )


@bp.get("/export/<fmt>")
def export(fmt: str) -> Response:
    """Download the chosen view in a graph format."""
    if fmt not in FORMATS:
        raise HttpError(404, f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
    graph = decorate(graph_from_request())
    name = f"cakg-{graph.graph.get('view', 'graph')}{FORMATS[fmt].suffix}"
    response = Response(export_bytes(graph, fmt), mimetype=FORMATS[fmt].media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
