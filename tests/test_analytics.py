"""Tests of cakg.graph.analytics: centrality, components, communities, paths, ego networks."""

from __future__ import annotations

import networkx as nx
import pytest
from cakg.graph.analytics import (
    NoPathError,
    UnknownEntityError,
    centrality,
    communities,
    components,
    describe_path,
    ego_network,
    most_central,
    network_stats,
    pagerank,
    resolve,
    shortest_path,
    simple_paths,
    undirected,
)
from cakg.graph.namespaces import DATA_BASE
from hypothesis import given, settings
from hypothesis import strategies as st


def star_and_pair() -> nx.Graph:
    graph = nx.Graph(view="actors")
    for node in "hxyzpq":
        graph.add_node(node, label=node.upper(), group="person")
    graph.add_edges_from([("h", "x"), ("h", "y"), ("h", "z"), ("p", "q")])
    return graph


def test_centrality_ranks_the_hub_first() -> None:
    rows = centrality(star_and_pair())
    assert rows[0]["id"] == "h"
    assert rows[0]["degree"] == 3
    assert rows[0]["betweenness"] == pytest.approx(3 / 10)  # 3 of the 10 pairs of 5 others
    assert rows[0]["degree_centrality"] == pytest.approx(3 / 5)
    assert {r["id"] for r in rows[-2:]} <= {"p", "q", "x", "y", "z"}
    assert [r["id"] for r in most_central(star_and_pair(), measure="degree", count=1)] == ["h"]
    with pytest.raises(UnknownEntityError, match="use one of degree"):
        most_central(star_and_pair(), measure="fame")


def test_pagerank_matches_the_closed_form_of_a_star() -> None:
    graph = nx.star_graph(3)  # centre 0, leaves 1..3
    ranks = pagerank(graph)
    alpha, n = 0.85, 4
    # each leaf: (1 - alpha)/n + alpha * centre/3; centre: (1 - alpha)/n + alpha * 3 * leaf
    leaf = ((1 - alpha) / n) * (1 + alpha / 3) / (1 - alpha**2)
    assert ranks[1] == pytest.approx(leaf, rel=1e-6)
    assert ranks[0] == pytest.approx(1 - 3 * leaf, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=30))
def test_pagerank_is_a_distribution(edges: list[tuple[int, int]]) -> None:
    graph = nx.Graph()
    graph.add_edges_from(edges)
    ranks = pagerank(graph)
    assert set(ranks) == set(graph)
    assert sum(ranks.values()) == pytest.approx(1.0)
    assert all(r > 0 for r in ranks.values())


def test_weights_shift_pagerank() -> None:
    graph = nx.Graph()
    graph.add_edge("a", "b", weight=10)
    graph.add_edge("a", "c", weight=1)
    ranks = pagerank(graph)
    assert ranks["b"] > ranks["c"]


def test_undirected_merges_parallel_and_opposite_edges() -> None:
    multi = nx.MultiDiGraph()
    multi.add_edge("a", "b", key="x")
    multi.add_edge("b", "a", key="y")
    multi.add_edge("a", "a", key="self")
    simple = undirected(multi)
    assert simple.edges["a", "b"]["weight"] == 2
    assert not simple.has_edge("a", "a")


def test_components_and_communities() -> None:
    graph = star_and_pair()
    assert components(graph) == [["h", "x", "y", "z"], ["p", "q"]]
    two_triangles = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    assert communities(two_triangles) == [[1, 2, 3], [4, 5, 6]]
    assert communities(nx.empty_graph(2)) == [[0], [1]]


def test_network_stats() -> None:
    stats = network_stats(star_and_pair())
    assert stats["nodes"] == 6
    assert stats["edges"] == 4
    assert stats["components"] == 2
    assert stats["largest_component"] == 4
    assert stats["diameter_of_largest_component"] == 2
    assert stats["nodes_by_group"] == {"person": 6}


def test_paths_ignore_direction() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("w", label="Wang")
    graph.add_node("e", label="Signing")
    graph.add_node("a", label="Anwar")
    graph.add_edge("e", "w", key="participant", label="participant")
    graph.add_edge("e", "a", key="participant", label="participant")
    graph.add_edge("w", "a", key="met", label="met")
    assert shortest_path(graph, "w", "a") == ["w", "a"]
    assert simple_paths(graph, "w", "a", cutoff=2) == [["w", "a"], ["w", "e", "a"]]
    assert simple_paths(graph, "w", "a", cutoff=1) == [["w", "a"]]
    hops = describe_path(graph, ["w", "e", "a"])
    assert hops[0]["relations"] == ["<- participant"]
    assert hops[1]["relations"] == ["-> participant"]
    assert hops[1]["to_label"] == "Anwar"
    graph.add_node("alone", label="Alone")
    with pytest.raises(NoPathError, match="No path between Wang and Alone"):
        shortest_path(graph, "w", "alone")


def test_ego_network_marks_hops() -> None:
    graph = nx.path_graph(5)
    ego = ego_network(graph, 2, radius=1)
    assert sorted(ego) == [1, 2, 3]
    assert ego.nodes[1]["hops"] == 1
    assert ego.nodes[2]["hops"] == 0
    assert sorted(ego_network(graph, 0, radius=2)) == [0, 1, 2]


def test_resolve_accepts_iri_local_id_path_label_and_alias() -> None:
    graph = nx.Graph()
    wang = DATA_BASE + "person/wang-wentao"
    graph.add_node(wang, label="Wang Wentao")
    graph.add_node(DATA_BASE + "org/mofcom", label="Ministry of Commerce", aliases=["MOFCOM"])
    graph.add_node(DATA_BASE + "person/li-1", label="Li Ming")
    graph.add_node(DATA_BASE + "person/li-2", label="Li Ming")
    assert resolve(graph, wang) == wang
    assert resolve(graph, "person/wang-wentao") == wang
    assert resolve(graph, "/id/person/wang-wentao") == wang
    assert resolve(graph, "  wang   WENTAO ") == wang
    assert resolve(graph, "mofcom") == DATA_BASE + "org/mofcom"
    with pytest.raises(UnknownEntityError, match="Did you mean 'wang wentao'"):
        resolve(graph, "Wang Wentau")
    with pytest.raises(UnknownEntityError, match="names several entities"):
        resolve(graph, "li ming")


def test_seed_build_centre_and_path(request: pytest.FixtureRequest) -> None:
    try:
        seed = request.getfixturevalue("seed_build")
    except pytest.FixtureLookupError:
        pytest.skip("the seed_build fixture is not in tests/conftest.py yet")
    from cakg.graph.projection import actor_network, entity_graph, store_quads
    from cakg.graph.store import open_build_store

    entities = entity_graph(store_quads(open_build_store(seed.store_path)))
    actors = actor_network(entities)
    top = most_central(actors, count=3)
    assert {row["label"] for row in top[:2]} == {"ASEAN", "China"}
    wang, anwar = resolve(actors, "Wang Wentao"), resolve(actors, "anwar ibrahim")
    assert shortest_path(actors, wang, anwar) == [wang, anwar]  # both at the signing
    via = shortest_path(entities, wang, anwar)
    assert len(via) == 3
    assert entities.nodes[via[1]]["eventType"] == "signing"
    hops = describe_path(entities, via)
    assert hops[0]["relations"] == ["<- participant"]
