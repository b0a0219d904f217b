"""An incremental build equals a full build of the same inputs, and touches only changes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from cakg.errors import BuildError
from cakg.graph.build import Build, GraphPart, write_build
from cakg.graph.incremental import (
    CONTEXT_KEY,
    FINGERPRINT_KEY,
    build_context,
    plan_changes,
    source_fingerprint,
    write_incremental_build,
)
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

ID = "https://w3id.org/cakg/id/"
CONTEXT = build_context("extractor 1", b"gazetteer bytes")


def _source(source_id: str, *labels: str) -> GraphPart:
    graph = Graph()
    for n, label in enumerate(labels):
        entity = URIRef(f"{ID}person/{source_id}-{n}")
        graph.add((entity, RDF.type, URIRef("https://w3id.org/cakg/ontology#Person")))
        graph.add((entity, RDFS.label, Literal(label, lang="en")))
    fingerprint = source_fingerprint("|".join(labels).encode(), {"published": "2025-01-01"})
    return GraphPart(
        URIRef(f"{ID}graph/{source_id}"),
        graph,
        "source",
        {"source_id": source_id, FINGERPRINT_KEY: fingerprint},
    )


def _reference() -> GraphPart:
    graph = Graph()
    graph.add((URIRef(f"{ID}country/china"), RDFS.label, Literal("China", lang="en")))
    return GraphPart(URIRef(f"{ID}graph/gazetteer"), graph, "reference")


def _info(parts: list[GraphPart]) -> dict[str, object]:
    return {
        CONTEXT_KEY: CONTEXT,
        "sources": sorted(str(p.info["source_id"]) for p in parts if p.kind == "source"),
    }


def _fingerprints(parts: list[GraphPart]) -> dict[str, str]:
    return {
        str(p.info["source_id"]): str(p.info[FINGERPRINT_KEY]) for p in parts if p.kind == "source"
    }


def _quads(build: Build) -> set[str]:
    store = ox.Store.read_only(str(build.store_path))
    return {str(q) for q in store}


BEFORE = [
    _reference(),
    _source("a", "Alice", 'Quote "with" \\ escapes\nand a newline'),
    _source("b", "Bob"),
    _source("c", "Carol"),
]
AFTER = [BEFORE[0], BEFORE[1], _source("b", "Bob", "Bobby"), _source("d", "Dan")]


@pytest.fixture
def previous(tmp_path: Path) -> Build:
    return write_build(BEFORE, tmp_path / "incremental", info=_info(BEFORE))


def test_plan_sorts_sources_into_unchanged_changed_and_removed(previous: Build) -> None:
    plan = plan_changes(previous, _fingerprints(AFTER), context=CONTEXT)
    assert not plan.full and plan.changed
    assert plan.extract == ["b", "d"]
    assert plan.unchanged == {"a": f"{ID}graph/a"}
    assert plan.removed == {"c": f"{ID}graph/c"}


def test_plan_is_full_without_a_previous_build_or_with_a_new_context(previous: Build) -> None:
    fingerprints = _fingerprints(AFTER)
    assert plan_changes(None, fingerprints, context=CONTEXT).full
    other = plan_changes(previous, fingerprints, context=build_context("extractor 2"))
    assert other.full and other.extract == ["a", "b", "d"]
    same = plan_changes(previous, _fingerprints(BEFORE), context=CONTEXT)
    assert not same.changed and same.extract == [] and same.removed == {}


def test_incremental_build_equals_a_full_build(previous: Build, tmp_path: Path) -> None:
    before_dump = previous.graph_dump(f"{ID}graph/a").read_bytes()
    plan = plan_changes(previous, _fingerprints(AFTER), context=CONTEXT)
    changed = [p for p in AFTER if p.kind == "source" and p.info["source_id"] in plan.extract]
    built = write_incremental_build(plan, changed, tmp_path / "incremental", info=_info(AFTER))
    full = write_build(AFTER, tmp_path / "full", info=_info(AFTER))

    assert built.nquads.read_bytes() == full.nquads.read_bytes()
    assert built.trig.read_bytes() == full.trig.read_bytes()
    assert built.manifest == full.manifest
    for row in full.manifest["graphs"]:
        assert (
            built.graph_dump(row["name"]).read_bytes() == full.graph_dump(row["name"]).read_bytes()
        )
    assert _quads(built) == _quads(full)
    assert not built.graph_dump(f"{ID}graph/c").exists()
    # The previous build is untouched (its dumps are shared, not rewritten).
    assert previous.graph_dump(f"{ID}graph/a").read_bytes() == before_dump
    assert f"<{ID}graph/c>" in " ".join(_quads(previous))
    # The unchanged graph's dump is the same file, not a copy.
    assert (
        built.graph_dump(f"{ID}graph/a").stat().st_ino
        == previous.graph_dump(f"{ID}graph/a").stat().st_ino
    )


def test_incremental_build_refuses_a_full_plan(previous: Build, tmp_path: Path) -> None:
    plan = plan_changes(previous, _fingerprints(AFTER), context="another context")
    with pytest.raises(BuildError, match="previous build"):
        write_incremental_build(plan, AFTER, tmp_path / "incremental")


def test_a_part_cannot_replace_a_reused_graph(previous: Build, tmp_path: Path) -> None:
    plan = plan_changes(previous, _fingerprints(AFTER), context=CONTEXT)
    with pytest.raises(BuildError, match="both reused and re-extracted"):
        write_incremental_build(plan, [BEFORE[1]], tmp_path / "incremental")
