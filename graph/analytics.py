"""Network analytics over networkx graphs: centrality, components, communities, paths, egos.

Pure functions over the graphs :mod:`cakg.graph.projection` makes (or any networkx graph
whose nodes carry ``label`` and ``group`` attributes); none of them needs RDF.

>>> g = nx.Graph()
>>> g.add_edges_from([("a", "b"), ("b", "c"), ("c", "d")])
>>> [row["id"] for row in centrality(g)][:2]
['b', 'c']
>>> shortest_path(g, "a", "d")
['a', 'b', 'c', 'd']
"""

from __future__ import annotations

import difflib
import itertools
from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx
from cakg.errors import NoPathError, UnknownEntityError
from cakg.graph.namespaces import BASE, DATA_BASE
from networkx.algorithms import community as nx_community

__all__ = [
    "MEASURES",
    "NoPathError",
    "UnknownEntityError",
    "centrality",
    "communities",
    "components",
    "describe_path",
    "ego_network",
    "modularity",
    "most_central",
    "network_stats",
    "pagerank",
    "resolve",
    "shortest_path",
    "simple_paths",
    "undirected",
]

#: The centrality measures :func:`centrality` computes, by the name its rows use.
MEASURES = ("degree", "degree_centrality", "betweenness", "pagerank")


def undirected(graph: nx.Graph) -> nx.Graph:
    """Return ``graph`` as a simple undirected graph; ``weight`` counts the relations.

    Parallel and opposite edges merge into one edge whose weight is the sum of their
    weights (1 each where they have none); node attributes are kept.
    """
    simple = nx.Graph()
    simple.graph.update(graph.graph)
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        weight = data.get("weight", 1)
        if simple.has_edge(u, v):
            simple.edges[u, v]["weight"] += weight
        else:
            simple.add_edge(u, v, weight=weight)
    return simple


def pagerank(
    graph: nx.Graph,
    *,
    alpha: float = 0.85,
    weight: str | None = "weight",
    tol: float = 1.0e-10,
    max_iter: int = 500,
) -> dict[Any, float]:
    """Return the PageRank of every node (power iteration, pure Python; sums to 1).

    Undirected edges count both ways; nodes without out-edges spread their rank evenly,
    as in networkx's ``pagerank``.
    """
    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    directed = graph.to_directed() if not graph.is_directed() else graph
    out_weight: dict[Any, float] = dict.fromkeys(nodes, 0.0)
    links: dict[Any, list[tuple[Any, float]]] = {node: [] for node in nodes}
    for u, v, data in directed.edges(data=True):
        w = float(data.get(weight, 1.0)) if weight else 1.0
        links[u].append((v, w))
        out_weight[u] += w
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(rank[node] for node in nodes if out_weight[node] == 0) / n
        new = dict.fromkeys(nodes, (1.0 - alpha) / n + dangling)
        for u in nodes:
            if out_weight[u]:
                share = alpha * rank[u] / out_weight[u]
                for v, w in links[u]:
                    new[v] += share * w
        error = sum(abs(new[node] - rank[node]) for node in nodes)
        rank = new
        if error < n * tol:
            break
    return rank


def centrality(graph: nx.Graph) -> list[dict[str, Any]]:
    """Return one row per node with its degree, betweenness and PageRank, most central first.

    Rows are sorted by PageRank, then degree, then label; measures are computed on the
    undirected simple graph (betweenness unweighted, PageRank weighted).
    """
    simple = undirected(graph)
    degree_c = nx.degree_centrality(simple) if len(simple) > 1 else dict.fromkeys(simple, 0.0)
    between = nx.betweenness_centrality(simple, normalized=True)
    ranks = pagerank(simple)
    rows = [
        {
            "id": node,
            "label": data.get("label", str(node)),
            "group": data.get("group", ""),
            "degree": simple.degree(node),
            "degree_centrality": round(degree_c[node], 6),
            "betweenness": round(between[node], 6),
            "pagerank": round(ranks[node], 6),
        }
        for node, data in simple.nodes(data=True)
    ]
    rows.sort(key=lambda r: (-r["pagerank"], -r["degree"], str(r["label"]).lower()))
    return rows


def most_central(
    graph: nx.Graph,
    *,
    measure: str = "pagerank",
    count: int = 3,
    groups: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Return the ``count`` most central nodes by ``measure`` (optionally of some groups).

    Raises:
        UnknownEntityError: ``measure`` is not one of :data:`MEASURES`.
    """
    if measure not in MEASURES:
        raise UnknownEntityError(f"Unknown measure {measure!r}: use one of {', '.join(MEASURES)}.")
    wanted = set(groups) if groups else None
    rows = [r for r in centrality(graph) if wanted is None or r["group"] in wanted]
    rows.sort(key=lambda r: (-r[measure], -r["pagerank"], str(r["label"]).lower()))
    return rows[:count]


def components(graph: nx.Graph) -> list[list[Any]]:
    """Return the connected components (weakly, for directed graphs), largest first."""
    parts = nx.connected_components(undirected(graph))
    return sorted((sorted(p, key=str) for p in parts), key=lambda p: (-len(p), str(p[0])))


def communities(graph: nx.Graph) -> list[list[Any]]:
    """Return the communities by greedy modularity maximisation (weighted), largest first.

    Deterministic: the same graph always gives the same communities.
    """
    simple = undirected(graph)
    if simple.number_of_edges() == 0:
        return [[node] for node in sorted(simple, key=str)]
    found = nx_community.greedy_modularity_communities(simple, weight="weight")
    return sorted((sorted(c, key=str) for c in found), key=lambda c: (-len(c), str(c[0])))


def modularity(graph: nx.Graph, parts: list[list[Any]]) -> float:
    """Return the modularity of a partition of ``graph`` (0 for a graph without edges)."""
    simple = undirected(graph)
    if simple.number_of_edges() == 0:
        return 0.0
    return float(nx_community.modularity(simple, [set(p) for p in parts], weight="weight"))


def network_stats(graph: nx.Graph) -> dict[str, Any]:
    """Return the size and shape of ``graph``: counts, density, components, communities."""
    simple = undirected(graph)
    parts = components(graph)
    groups = Counter(str(d.get("group", "")) for _, d in graph.nodes(data=True))
    largest = simple.subgraph(parts[0]) if parts else simple
    found = communities(graph)
    return {
        "view": graph.graph.get("view", ""),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "density": round(nx.density(simple), 6) if len(simple) > 1 else 0.0,
        "average_degree": round(2 * simple.number_of_edges() / len(simple), 4)
        if len(simple)
        else 0.0,
        "components": len(parts),
        "largest_component": len(parts[0]) if parts else 0,
        "diameter_of_largest_component": nx.diameter(largest) if len(largest) > 1 else 0,
        "communities": len(found),
        "modularity": round(modularity(graph, found), 6),
        "nodes_by_group": dict(sorted(groups.items())),
    }


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def resolve(graph: nx.Graph, text: str) -> Any:
    """Return the node that ``text`` names.

    ``text`` is an IRI, a local id (``person/wang-wentao``), a path
    (``/id/person/wang-wentao``), a label or an alias (any case).

    Raises:
        UnknownEntityError: nothing matches, or a label matches several nodes; the message
            lists suggestions.
    """
    text = text.strip()
    for candidate in (
        text,
        DATA_BASE + text.strip("/"),
        BASE + text.strip("/"),
        DATA_BASE + text.strip("/").removeprefix("id/"),
    ):
        if candidate in graph:
            return candidate
    wanted = _normal(text)
    names: dict[str, set[Any]] = {}
    for node, data in graph.nodes(data=True):
        aliases = data.get("aliases", [])
        for name in [data.get("label", ""), *(aliases if isinstance(aliases, list) else [])]:
            names.setdefault(_normal(str(name)), set()).add(node)
    matches = names.get(wanted, set())
    if len(matches) == 1:
        return next(iter(matches))
    if matches:
        listed = ", ".join(sorted(str(m) for m in matches))
        raise UnknownEntityError(f"{text!r} names several entities: {listed}; give an IRI.")
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownEntityError(
        f"No entity {text!r} in this graph: give an IRI, a local id such as "
        f"person/wang-wentao, or a label.{hint}"
    )


def shortest_path(graph: nx.Graph, source: Any, target: Any) -> list[Any]:
    """Return a shortest path between two nodes, ignoring edge direction.

    Raises:
        NoPathError: the two nodes are in different components.
    """
    try:
        path: list[Any] = nx.shortest_path(undirected(graph), source, target)
    except nx.NetworkXNoPath as exc:
        raise NoPathError(
            f"No path between {_name(graph, source)} and {_name(graph, target)}: they are in "
            "different components (try the full entity graph, or more sources)."
        ) from exc
    return path


def simple_paths(
    graph: nx.Graph, source: Any, target: Any, *, cutoff: int = 4, limit: int = 100
) -> list[list[Any]]:
    """Return up to ``limit`` simple paths of at most ``cutoff`` edges, shortest first."""
    found = nx.all_simple_paths(undirected(graph), source, target, cutoff=cutoff)
    paths = [list(p) for p in itertools.islice(found, 10 * limit)]
    paths.sort(key=lambda p: (len(p), [str(n) for n in p]))
    return paths[:limit]


def ego_network(graph: nx.Graph, centre: Any, *, radius: int = 1) -> nx.Graph:
    """Return the subgraph of nodes within ``radius`` hops of ``centre`` (any direction)."""
    near = nx.single_source_shortest_path_length(undirected(graph), centre, cutoff=radius)
    ego = graph.subgraph(near).copy()
    for node, hops in near.items():
        ego.nodes[node]["hops"] = hops
    return ego


def _name(graph: nx.Graph, node: Any) -> str:
    return str(graph.nodes[node].get("label", node)) if node in graph else str(node)


def describe_path(graph: nx.Graph, path: list[Any]) -> list[dict[str, Any]]:
    """Return the hops of ``path``: each with both ends and the relations between them.

    A relation reads ``->`` when the edge goes along the path, ``<-`` when against it;
    ``evidence`` holds the source sentences the relations were extracted from.
    """
    hops = []
    for a, b in itertools.pairwise(path):
        relations: list[str] = []
        evidence: set[str] = set()
        for u, v, arrow in ((a, b, "->"), (b, a, "<-")):
            if not graph.has_edge(u, v):
                continue
            datas = graph[u][v].values() if graph.is_multigraph() else [graph[u][v]]
            for data in datas:
                evidence.update(str(e) for e in data.get("evidence", []))
                label = str(data.get("label", "related to"))
                if graph.is_directed():
                    relations.append(f"{arrow} {label}")
                elif f"- {label}" not in relations:
                    relations.append(f"- {label}")
        hops.append(
            {
                "from": a,
                "from_label": _name(graph, a),
                "to": b,
                "to_label": _name(graph, b),
                "relations": sorted(set(relations)),
                "evidence": sorted(evidence),
            }
        )
    return hops
