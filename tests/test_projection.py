"""Tests of cakg.graph.projection: the RDF dataset as networkx graphs of entities and actors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from cakg.errors import QueryError
from cakg.graph.namespaces import DATA_BASE
from cakg.graph.projection import (
    Lit,
    actor_network,
    entity_graph,
    local_path,
    source_ids,
    store_quads,
)
from cakg.graph.store import LocalStore

DATA = Path(__file__).parent / "data" / "analytics"
ID = DATA_BASE
WANG = ID + "person/wang-wentao"
ANWAR = ID + "person/anwar-ibrahim"
SIGNING = ID + "event/signing"


@pytest.fixture(scope="module")
def quads() -> list[Any]:
    store = ox.Store()
    store.load(path=str(DATA / "mini.trig"), format=ox.RdfFormat.TRIG)
    return store_quads(LocalStore(store))


def test_store_quads_are_plain_values(quads: list[Any]) -> None:
    assert len(quads) > 100
    label = next(q for q in quads if q[1] == WANG and q[2].endswith("#label"))
    assert label[0] == ID + "graph/gazetteer"
    assert label[3] == Lit(
        "Wang Wentao", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString", "en"
    )
    assert source_ids(quads) == ["src-a", "src-b"]


def test_entities_are_nodes_with_labels_classes_and_literals(quads: list[Any]) -> None:
    graph = entity_graph(quads)
    assert isinstance(graph, nx.MultiDiGraph)
    wang = graph.nodes[WANG]
    assert wang["label"] == "Wang Wentao"
    assert wang["group"] == "person"
    assert wang["class_label"] == "person"  # from the ontology graph
    assert wang["path"] == "/id/person/wang-wentao"
    assert wang["sources"] == ["src-a", "src-b"]
    mofcom = graph.nodes[ID + "org/mofcom"]
    assert mofcom["class"] == "GovernmentBody"
    assert mofcom["aliases"] == ["MOFCOM"]
    assert graph.nodes[ID + "country/china"]["wikidata"] == "Q148"  # an IRI's name as it is
    signing = graph.nodes[SIGNING]
    assert signing["date"] == "2025-10-28"
    assert signing["eventType"] == "signing"  # a concept becomes its label
    assert graph.nodes[ID + "agreement/cafta/v3"]["versionLabel"] == "3.0"
    # n-ary nodes, statements and documents are not drawn by default
    groups = {d["group"] for _, d in graph.nodes(data=True)}
    assert groups == {"person", "organisation", "country", "place", "agreement", "version", "event"}
    assert not any("/p1" in n or "tenure/" in n for n in graph)


def test_participations_fold_into_edges_with_role_and_party(quads: list[Any]) -> None:
    graph = entity_graph(quads)
    edge = graph.edges[SIGNING, WANG, "participant"]
    assert edge["role"] == ["signatory"]
    assert edge["on_behalf_of"] == [ID + "country/china"]
    assert edge["sources"] == ["src-b"]
    # the evidence of the folded triples goes with the edge
    assert edge["evidence"] == [
        "On October 28, Minister of Commerce Wang Wentao signed in Kuala Lumpur."
    ]
    assert graph.edges[SIGNING, ANWAR, "participant"]["role"] == ["witness"]
    # sem:hasActor repeats what the participation says: no second edge
    assert not graph.has_edge(SIGNING, WANG, "hasActor")
    # but stays where it is the only link
    assert graph.has_edge(ID + "event/summit-2021", ID + "person/xi-jinping", "hasActor")
    assert graph.edges[WANG, ID + "country/china", "onBehalfOf"]["event"] == [SIGNING]


def test_tenures_fold_into_member_of_edges(quads: list[Any]) -> None:
    graph = entity_graph(quads)
    edge = graph.edges[WANG, ID + "org/mofcom", "memberOf"]
    assert edge["label"] == "member of"
    assert edge["title"] == ["Minister of Commerce"]


def test_evidence_only_with_provenance_nodes(quads: list[Any]) -> None:
    plain = entity_graph(quads)
    place = plain.edges[SIGNING, ID + "place/kuala-lumpur", "hasPlace"]
    assert place["evidence"] == [
        "On October 28, Minister of Commerce Wang Wentao signed in Kuala Lumpur."
    ]
    assert ID + "source/src-b" not in plain
    with_provenance = entity_graph(quads, provenance=True)
    assert with_provenance.nodes[ID + "source/src-b"]["group"] == "source"
    assert (
        with_provenance.edges[WANG, ID + "source/src-a", "sourceDocument"]["label"]
        == "mentioned in"
    )


def test_class_filter_takes_groups_and_class_names(quads: list[Any]) -> None:
    people = entity_graph(quads, classes=["person"])
    assert {d["group"] for _, d in people.nodes(data=True)} == {"person"}
    assert people.number_of_edges() == 0
    bodies = entity_graph(quads, classes=["GovernmentBody", "statistic", "country"])
    assert set(bodies) == {ID + "org/mofcom", ID + "statistic/src-a/1", ID + "country/china"}
    stat = bodies.nodes[ID + "statistic/src-a/1"]
    assert stat["obsValue"] == 6.99
    assert stat["yearOnYearChange"] == 9
    assert bodies.has_edge(ID + "statistic/src-a/1", ID + "country/china", "refArea")
    everything = entity_graph(quads, classes=["all"])
    assert {"statistic", "person", "event"} <= {d["group"] for _, d in everything.nodes(data=True)}
    with pytest.raises(QueryError, match="Unknown class 'planet'"):
        entity_graph(quads, classes=["planet"])


def test_source_filter_keeps_what_the_sources_state(quads: list[Any]) -> None:
    only_a = entity_graph(quads, sources=["src-a"])
    assert only_a.graph["sources"] == ["src-a"]
    assert SIGNING not in only_a
    assert ANWAR not in only_a
    assert only_a.has_edge(ID + "event/press-conference", WANG, "participant")
    assert all("src-a" in d["sources"] for _, d in only_a.nodes(data=True))
    with pytest.raises(QueryError, match="use one of src-a, src-b"):
        entity_graph(quads, sources=["nope"])


def test_actor_network_weights_co_occurrence(quads: list[Any]) -> None:
    network = actor_network(entity_graph(quads))
    assert network.graph["view"] == "actors"
    assert {d["group"] for _, d in network.nodes(data=True)} <= {
        "person",
        "organisation",
        "country",
    }
    tie = network.edges[WANG, ANWAR]
    assert tie["weight"] == 1
    assert tie["events"] == [SIGNING]
    assert tie["dates"] == ["2025-10-28"]
    # the parties the signatories acted for took part too
    assert network.has_edge(ID + "country/china", ID + "org/asean")
    # Wang took part in two events: the signing and the press conference
    assert network.nodes[WANG]["events"] == 2
    # actors without events stay out unless asked for
    assert ID + "org/mofcom" in network  # Wang spoke on its behalf
    assert network.number_of_nodes() == 8


def test_actor_network_counts_each_shared_event() -> None:
    graph = nx.MultiDiGraph(view="entities")
    for node, group in [("e1", "event"), ("e2", "event"), ("a", "person"), ("b", "person")]:
        graph.add_node(node, group=group, label=node.upper(), earliestDate="2020-01-0" + node[-1])
    graph.add_node("lonely", group="person", label="L")
    for event in ("e1", "e2"):
        graph.add_edge(event, "a", key="participant")
        graph.add_edge(event, "b", key="participant")
    network = actor_network(graph)
    assert network.edges["a", "b"]["weight"] == 2
    assert network.edges["a", "b"]["event_labels"] == ["E1", "E2"]
    assert "lonely" not in network
    assert "lonely" in actor_network(graph, include_isolated=True)


def test_local_path_only_for_our_iris() -> None:
    assert local_path(WANG) == "/id/person/wang-wentao"
    assert local_path("http://example.org/x") == ""


def test_seed_build_projects(request: pytest.FixtureRequest) -> None:
    try:
        seed = request.getfixturevalue("seed_build")
    except pytest.FixtureLookupError:
        pytest.skip("the seed_build fixture is not in tests/conftest.py yet")
    from cakg.graph.store import open_build_store

    quads = store_quads(open_build_store(seed.store_path))
    graph = entity_graph(quads)
    names = {d["label"].casefold() for _, d in graph.nodes(data=True)}
    assert {"wang wentao", "anwar ibrahim"} <= names
    network = actor_network(graph)
    assert network.number_of_edges() > 0
