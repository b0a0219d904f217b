"""An incremental build equals a full build of the same inputs, and touches only changes."""

from __future__ import annotations

import gzip
import importlib.util
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cakg.graph.build
import pyoxigraph as ox
import pytest
from cakg.errors import BuildError
from cakg.graph.build import DATASET_DUMPS, Build, GraphPart, write_build
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

    # Asking for the dataset-wide dumps writes them, with the bytes of a full build's.
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


# -- the dataset-wide dumps: derived from the graphs' dumps, written on first use ---------


def _incremental(previous: Build, tmp_path: Path) -> tuple[Build, Build]:
    """Return an incremental build from ``previous`` to ``AFTER``, and a full build of it."""
    plan = plan_changes(previous, _fingerprints(AFTER), context=CONTEXT)
    changed = [p for p in AFTER if p.kind == "source" and p.info["source_id"] in plan.extract]
    built = write_incremental_build(plan, changed, tmp_path / "incremental", info=_info(AFTER))
    return built, write_build(AFTER, tmp_path / "full", info=_info(AFTER))


def _leftovers(build: Build) -> list[str]:
    return sorted(p.name for p in build.path.iterdir() if p.name.startswith("."))


def test_an_incremental_build_does_not_write_the_dataset_wide_dumps(
    previous: Build, tmp_path: Path
) -> None:
    built, full = _incremental(previous, tmp_path)
    assert not (built.path / "dataset.nq").exists()
    assert not (built.path / "dataset.trig").exists()
    # What it does write is the same as a full build's: the changed graphs and the manifest,
    # whose content hash comes from the graphs' recorded digests.
    assert built.manifest["content_sha256"] == full.manifest["content_sha256"]
    assert built.manifest["quads"] == full.manifest["quads"]
    # Its N-Quads dump's size is known before it is written (the VoID description says it).
    assert built.dataset_dump_size("nq") == full.dataset_dump_size("nq")
    assert built.dataset_dump_size("trig") is None
    assert not (built.path / "dataset.nq").exists()


def test_a_full_build_writes_the_nquads_it_loads_and_leaves_the_trig_to_first_use(
    tmp_path: Path,
) -> None:
    full = write_build(AFTER, tmp_path, info=_info(AFTER))
    assert (full.path / "dataset.nq").is_file()
    assert not (full.path / "dataset.trig").exists()
    assert full.trig == full.path / "dataset.trig"
    assert len(list(ox.parse(path=str(full.trig)))) == full.manifest["quads"]


def test_the_dumps_are_written_once_and_then_read(previous: Build, tmp_path: Path) -> None:
    built, full = _incremental(previous, tmp_path)
    first = built.dataset_dump("nq")
    written = first.stat()
    assert built.dataset_dump("nq") == first == built.nquads
    assert first.stat().st_mtime_ns == written.st_mtime_ns and first.stat().st_ino == written.st_ino
    assert built.dataset_dump("trig").read_bytes() == full.trig.read_bytes()
    assert _leftovers(built) == []


def test_concurrent_first_requests_in_threads_get_the_whole_dump(
    previous: Build, tmp_path: Path
) -> None:
    built, full = _incremental(previous, tmp_path)
    extensions = list(DATASET_DUMPS) * 8
    with ThreadPoolExecutor(max_workers=len(extensions)) as pool:
        contents = list(pool.map(lambda ext: built.dataset_dump(ext).read_bytes(), extensions))
    expected = {"nq": full.nquads.read_bytes(), "trig": full.trig.read_bytes()}
    assert all(data == expected[ext] for ext, data in zip(extensions, contents, strict=True))
    assert _leftovers(built) == []


def test_concurrent_first_requests_in_processes_do_not_corrupt_the_dump(
    previous: Build, tmp_path: Path
) -> None:
    built, full = _incremental(previous, tmp_path)
    script = (
        "import sys; from pathlib import Path; from cakg.graph.build import Build; "
        "print(len(Build(Path(sys.argv[1])).dataset_dump(sys.argv[2]).read_bytes()))"
    )
    extensions = list(DATASET_DUMPS) * 3
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(built.path), ext], stdout=subprocess.PIPE
        )
        for ext in extensions
    ]
    sizes = [int(child.communicate(timeout=120)[0]) for child in children]
    assert all(child.returncode == 0 for child in children)
    expected = {"nq": full.nquads.read_bytes(), "trig": full.trig.read_bytes()}
    # Each process read a whole dump, whichever of the racing writers renamed it last.
    assert sizes == [len(expected[ext]) for ext in extensions]
    assert built.nquads.read_bytes() == expected["nq"]
    assert built.trig.read_bytes() == expected["trig"]
    assert _leftovers(built) == []


def test_many_graphs_are_merged_in_rounds(
    previous: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built, full = _incremental(previous, tmp_path)
    monkeypatch.setattr(cakg.graph.build, "_MERGE_FAN_IN", 2)  # 4 graphs: two rounds
    assert built.nquads.read_bytes() == full.nquads.read_bytes()
    assert _leftovers(built) == []


def test_a_missing_graph_dump_is_reported_with_the_fix(previous: Build, tmp_path: Path) -> None:
    built, _ = _incremental(previous, tmp_path)
    built.graph_dump(f"{ID}graph/d").unlink()
    with pytest.raises(BuildError, match=r"cakg build --full"):
        built.dataset_dump("nq")
    with pytest.raises(BuildError, match="nq"):
        built.dataset_dump("ttl")
    assert built.dataset_dump_size("nq") is None
    assert _leftovers(built) == []


def _ldapp() -> object:
    path = Path(__file__).parent / "data" / "ld" / "ldapp.py"
    spec = importlib.util.spec_from_file_location("cakg_tests_ldapp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_web_app_serves_an_incremental_builds_dumps(previous: Build, tmp_path: Path) -> None:
    built, full = _incremental(previous, tmp_path)
    app = _ldapp().make_app(tmp_path / "incremental", built)  # type: ignore[attr-defined]
    client = app.test_client()
    nq = client.get("/dumps/dataset.nq.gz", buffered=True)
    assert nq.status_code == 200
    assert gzip.decompress(nq.get_data()) == full.nquads.read_bytes()
    trig = client.get("/dumps/dataset.trig", buffered=True)
    assert trig.status_code == 200 and trig.mimetype == "application/trig"
    assert trig.get_data() == full.trig.read_bytes()
