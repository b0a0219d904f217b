"""The synthetic data generators and the benchmark's quick mode work (not a measurement)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the benchmarks folder is not installed: run it from the tree

from cakg.graph.catalog import list_queries  # noqa: E402

from benchmarks import run as bench  # noqa: E402
from benchmarks.http_load import form_query, run_load  # noqa: E402
from benchmarks.servers import rdflib_server  # noqa: E402
from benchmarks.synth import (  # noqa: E402
    Templates,
    load_templates,
    write_synthetic_articles,
    write_synthetic_build,
)

SEED_SOURCES = Path(__file__).parent / "data" / "seed_sources"
CAKG = "https://w3id.org/cakg/ontology#"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return load_templates(SEED_SOURCES, tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="module")
def synthetic(templates: Templates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    instance = tmp_path_factory.mktemp("synthetic")
    write_synthetic_build(instance, templates, triples=20_000, seed=3)
    yield instance


def _count(store: ox.Store, cls: str) -> int:
    rows = store.query(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{CAKG}{cls}> }}",
        use_default_graph_as_union=True,
    )
    assert isinstance(rows, ox.QuerySolutions)
    value = next(iter(rows))["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def test_synthetic_graph_has_the_real_shapes_at_the_asked_size(
    templates: Templates, tmp_path: Path
) -> None:
    synth = write_synthetic_build(tmp_path / "a", templates, triples=20_000, seed=3)
    assert 18_000 <= synth.quads <= 22_000
    store = ox.Store.read_only(str(synth.build.store_path))
    named = sum(1 for q in store if not isinstance(q.graph_name, ox.DefaultGraph))
    assert named == synth.quads == synth.build.manifest["quads"]
    # The default graph holds the union of the named graphs, as a set, as in a real build.
    union = {q.triple for q in store if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == len(union)
    names = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert set(synth.source_graphs) <= names and len(synth.source_graphs) == synth.sources
    for cls in ("Person", "Event", "Tenure", "QuotedStatement", "Statistic", "Participation"):
        assert _count(store, cls) > 0, cls
    assert len(synth.entities) == len(set(synth.entities)) > 10


def test_synthetic_graph_is_reproducible(templates: Templates, tmp_path: Path) -> None:
    one = write_synthetic_build(tmp_path / "one", templates, triples=12_000, seed=5)
    two = write_synthetic_build(tmp_path / "two", templates, triples=12_000, seed=5)
    other = write_synthetic_build(tmp_path / "other", templates, triples=12_000, seed=6)
    assert one.build.nquads.read_bytes() == two.build.nquads.read_bytes()
    assert one.entities == two.entities
    assert one.build.nquads.read_bytes() != other.build.nquads.read_bytes()


def test_synthetic_articles_build_through_the_real_loaders(
    templates: Templates, tmp_path: Path
) -> None:
    from cakg.loaders import build_from_sources

    names = write_synthetic_articles(tmp_path / "articles", templates, count=4, seed=2)
    again = write_synthetic_articles(tmp_path / "again", templates, count=4, seed=2)
    assert names == again
    texts = {(tmp_path / "articles" / n).read_text("utf-8") for n in names}
    assert len(texts) == 4  # every article is distinct, even those from one template
    report = build_from_sources(tmp_path / "articles", tmp_path / "instance")
    assert not report.problems, report.problems
    assert len(report.sources) == 4 and all(n > 10 for n in report.facts.values())


@pytest.mark.server
def test_quick_benchmark_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick", "--no-rdflib", "--article-cap", "1"]) == 0
    out = capsys.readouterr().out
    assert "== HTTP on loopback" in out and "cakg/oxigraph" in out
    lines = [line for line in out.splitlines() if line.strip().startswith("10k")]
    assert any("lookup c8" in line for line in lines)
    assert not any(
        " e" in line.split("|", 1)[-1] for line in lines if "mix" in line or "lookup" in line
    )
    for query in list_queries():
        assert query.name in out


@pytest.mark.server
def test_rdflib_endpoint_serves_the_same_data(synthetic: Path, tmp_path: Path) -> None:
    from cakg.graph.build import current_build

    pytest.importorskip("rdflib_endpoint", reason="the bench extra (rdflib-endpoint) is missing")
    pytest.importorskip("uvicorn", reason="the bench extra (uvicorn) is missing")
    build = current_build(synthetic)
    with rdflib_server(build.nquads, tmp_path / "rdflib.log", limit=60) as server:
        person = f"{CAKG}Person"
        request = form_query("/", f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{person}> }}")
        load = run_load(
            "127.0.0.1", server.port, [request], concurrency=1, duration=5, max_requests=2
        )
    assert load.errors == 0 and load.requests == 2
