"""Tests of ``cakg network ...`` on a small build (tests/data/analytics/mini.trig)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from cakg.graph.build import GraphPart, write_build
from cakg.graph.namespaces import DATA_BASE
from cakg.web.cli import cli
from click.testing import CliRunner
from rdflib import Graph, URIRef

DATA = Path(__file__).parent / "data" / "analytics"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = ox.Store()
    store.load(path=str(DATA / "mini.trig"), format=ox.RdfFormat.TRIG)
    parts = []
    for name in store.named_graphs():
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, name)]
        text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        graph = Graph()
        graph.parse(data=text.decode("utf-8") if isinstance(text, bytes) else "", format="nt")
        parts.append(GraphPart(URIRef(str(name.value)), graph, "source"))
    folder = tmp_path_factory.mktemp("instance")
    write_build(parts, folder)
    return folder


def run(instance: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--instance", str(instance), "network", *args])
    return result.exit_code, result.stdout, result.stderr


def test_stats(instance: Path) -> None:
    code, out, _ = run(instance, "stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["view"] == "actors"
    assert stats["nodes"] == 8
    assert stats["sources"] == ["src-a", "src-b"]
    code, out, _ = run(instance, "stats", "--view", "entities", "--source", "src-a")
    assert code == 0
    assert "sources                          src-a\n" in out


def test_centrality_table_and_json(instance: Path) -> None:
    code, out, _ = run(instance, "centrality", "--top", "2", "--measure", "degree", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["label"] for r in rows] == ["ASEAN", "Wang Wentao"]
    code, out, _ = run(
        instance, "centrality", "--view", "entities", "--among", "person", "--json", "--top", "2"
    )
    assert code == 0
    # Tengku Zafrul Aziz also signed on behalf of ASEAN: one link more than Anwar Ibrahim
    assert [r["label"] for r in json.loads(out)] == ["Wang Wentao", "Tengku Zafrul Aziz"]
    code, out, _ = run(instance, "centrality", "--top", "1")
    assert code == 0
    assert out.splitlines()[1].split()[:2] == ["1", "ASEAN"]


def test_path_by_label_and_local_id(instance: Path) -> None:
    code, out, _ = run(
        instance, "path", "WANG WENTAO", "person/anwar-ibrahim", "--view", "entities"
    )
    assert code == 0
    assert out.splitlines() == [
        "Wang Wentao",
        "  <- participant  signing of the CAFTA 3.0 protocol",
        "  -> participant  Anwar Ibrahim",
    ]
    code, out, _ = run(
        instance, "path", "wang wentao", "kuala lumpur", "--view", "entities", "--evidence"
    )
    assert code == 0
    assert out.splitlines()[1:] == [
        "  <- participant  signing of the CAFTA 3.0 protocol",
        "      “On October 28, Minister of Commerce Wang Wentao signed in Kuala Lumpur.”",
        "  -> place  Kuala Lumpur",
        "      “On October 28, Minister of Commerce Wang Wentao signed in Kuala Lumpur.”",
    ]
    code, out, _ = run(instance, "path", "wang wentao", "xi jinping", "--all", "--json")
    paths = json.loads(out)
    assert code == 0
    assert [len(p["nodes"]) for p in paths] == sorted(len(p["nodes"]) for p in paths)
    assert paths[0]["nodes"][1] == DATA_BASE + "org/asean"


def test_neighbours_and_communities(instance: Path) -> None:
    code, out, _ = run(instance, "neighbours", "mofcom", "--view", "entities", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["centre"] == DATA_BASE + "org/mofcom"
    assert {r["label"] for r in result["neighbours"]} == {"China", "Wang Wentao"}
    code, out, _ = run(instance, "communities", "--json")
    assert code == 0
    found = json.loads(out)
    assert sum(len(c) for c in found["communities"]) == 8
    assert found["components"] == [8]


def test_export_to_file_re_reads(instance: Path, tmp_path: Path) -> None:
    target = tmp_path / "actors.graphml"
    code, _, err = run(instance, "export", "--format", "graphml", "-o", str(target))
    assert code == 0
    assert "8 nodes, 17 edges" in err
    graph = nx.read_graphml(target)
    assert graph.number_of_nodes() == 8
    assert all("pagerank" in d for _, d in graph.nodes(data=True))
    code, out, _ = run(instance, "export", "--format", "node-link", "--view", "entities")
    assert code == 0
    assert len(json.loads(out)["nodes"]) == 14


def test_errors_say_what_to_do(instance: Path, tmp_path: Path) -> None:
    code, _, err = run(instance, "path", "nobody", "china")
    assert code == 2
    assert "give an IRI, a local id such as person/wang-wentao, or a label" in err
    code, _, err = run(tmp_path / "empty", "stats")
    assert code == 2
    assert "Run `cakg build` first" in err
    code, _, err = run(instance, "stats", "--class", "planet")
    assert code == 2
    assert "Unknown group planet" in err
    code, _, err = run(instance, "stats", "--view", "entities", "--source", "x")
    assert code == 2
    assert "use one of src-a, src-b" in err
