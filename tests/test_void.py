"""The VoID / DCAT description at /.well-known/void, and the dumps it points to."""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import lxml.html
import pyoxigraph as ox
import pytest
import rdflib
from cakg.graph.build import Build
from cakg.graph.void import DATASET_IRI, dataset_statistics, graph_slug, graph_slugs
from flask import Flask
from flask.testing import FlaskClient
from rdflib import RDF, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID
from werkzeug.http import parse_options_header

SOURCE_GRAPH = "https://w3id.org/cakg/id/graph/003_d1853fc3ef21e3a4"
GAZETTEER = "https://w3id.org/cakg/id/graph/gazetteer"


def _load_helpers() -> ModuleType:
    path = Path(__file__).parent / "data" / "ld" / "ldapp.py"
    spec = importlib.util.spec_from_file_location("cakg_tests_ldapp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ldapp = _load_helpers()


@pytest.fixture(scope="module")
def ld_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Build]:
    instance = tmp_path_factory.mktemp("void-instance")
    return instance, ldapp.build_ld_fixture(instance)


@pytest.fixture(scope="module")
def app(ld_build: tuple[Path, Build]) -> Iterator[Flask]:
    yield ldapp.make_app(*ld_build)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def void(app: Flask) -> rdflib.Graph:
    response = app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/turtle"
    return rdflib.Graph().parse(data=response.get_data(), format="turtle")


def _int(graph: rdflib.Graph, subject: rdflib.term.Node, prop: URIRef) -> int:
    value = graph.value(subject, prop)
    assert isinstance(value, rdflib.Literal), f"{subject} has no {prop}"
    return int(value.toPython())


def _union_triples(build: Build) -> set[tuple[str, str, str]]:
    triples = set()
    for quad in ox.parse(build.nquads.read_bytes(), format=ox.RdfFormat.N_QUADS):
        triples.add((str(quad.subject), str(quad.predicate), str(quad.object)))
    return triples


def test_void_counts_match_the_dump(void: rdflib.Graph, ld_build: tuple[Path, Build]) -> None:
    _, build = ld_build
    union = _union_triples(build)
    assert (DATASET_IRI, RDF.type, VOID.Dataset) in void
    assert (DATASET_IRI, RDF.type, DCAT.Dataset) in void
    assert _int(void, DATASET_IRI, VOID.triples) == len(union)
    assert _int(void, DATASET_IRI, VOID.distinctSubjects) == len({s for s, _, _ in union})
    assert _int(void, DATASET_IRI, VOID.properties) == len({p for _, p, _ in union})
    assert _int(void, DATASET_IRI, VOID.entities) > 0
    assert str(void.value(DATASET_IRI, VOID.uriSpace)) == "https://w3id.org/cakg/id/"


def test_void_partitions(void: rdflib.Graph, ld_build: tuple[Path, Build]) -> None:
    _, build = ld_build
    union = _union_triples(build)
    partitions = {
        str(void.value(part, VOID["class"])): _int(void, part, VOID.entities)
        for part in void.objects(DATASET_IRI, VOID.classPartition)
    }
    assert partitions["https://w3id.org/cakg/ontology#Person"] == 1
    assert partitions["http://schema.org/Country"] == 2
    properties = {
        str(void.value(part, VOID.property)): _int(void, part, VOID.triples)
        for part in void.objects(DATASET_IRI, VOID.propertyPartition)
    }
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    assert properties[label.strip("<>")] == sum(1 for _, p, _ in union if p == label)
    assert sum(properties.values()) == len(union)
    vocabularies = {str(v) for v in void.objects(DATASET_IRI, VOID.vocabulary)}
    assert "http://schema.org/" in vocabularies
    assert "https://w3id.org/cakg/ontology#" in vocabularies
    assert "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#" in vocabularies


def test_void_has_one_subset_per_graph(void: rdflib.Graph, ld_build: tuple[Path, Build]) -> None:
    _, build = ld_build
    subsets = {
        str(s)
        for s in void.objects(DATASET_IRI, VOID.subset)
        if (s, RDF.type, VOID.Linkset) not in void
    }
    assert subsets == {SOURCE_GRAPH, GAZETTEER}
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    assert str(void.value(linksets[0], VOID.linkPredicate)).endswith("ontology#wikidata")
    assert _int(void, linksets[0], VOID.triples) == 1
    examples = {str(e) for e in void.objects(DATASET_IRI, VOID.exampleResource)}
    assert "https://w3id.org/cakg/id/person/wang-wentao" in examples
    source = URIRef(SOURCE_GRAPH)
    rows = {row["name"]: row for row in build.manifest["graphs"]}
    assert _int(void, source, VOID.triples) == rows[SOURCE_GRAPH]["triples"]
    assert str(void.value(source, DCTERMS.source)) == (
        "https://w3id.org/cakg/id/source/003_d1853fc3ef21e3a4"
    )
    dumps = {str(d) for d in void.objects(source, VOID.dataDump)}
    assert "http://localhost/dumps/graphs/003_d1853fc3ef21e3a4.nq" in dumps
    assert "http://localhost/dumps/graphs/003_d1853fc3ef21e3a4.trig.gz" in dumps


def test_void_names_the_dumps_and_the_endpoint(void: rdflib.Graph, client: FlaskClient) -> None:
    dumps = {str(d) for d in void.objects(DATASET_IRI, VOID.dataDump)}
    assert dumps == {
        "http://localhost/dumps/dataset.trig",
        "http://localhost/dumps/dataset.trig.gz",
        "http://localhost/dumps/dataset.nq",
        "http://localhost/dumps/dataset.nq.gz",
    }
    for url in dumps:
        response = client.get(url.removeprefix("http://localhost"), buffered=True)
        assert response.status_code == 200, url
        size = void.value(URIRef(url), DCAT.byteSize)
        if isinstance(size, rdflib.Literal):
            assert int(size.toPython()) == len(response.get_data())
    assert str(void.value(DATASET_IRI, VOID.sparqlEndpoint)) == "http://localhost/sparql"
    service = void.value(DATASET_IRI, DCAT.accessService)
    assert str(void.value(service, DCAT.endpointURL)) == "http://localhost/sparql"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle", "text/turtle"),
    ],
)
def test_void_formats_hold_the_same_graph(
    client: FlaskClient, void: rdflib.Graph, accept: str, media_type: str
) -> None:
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    graph = ldapp.as_graph(response.get_data(), media_type)
    assert len(graph) == len(void)
    assert _int(graph, DATASET_IRI, VOID.triples) == _int(void, DATASET_IRI, VOID.triples)


def test_void_html_page(client: FlaskClient, void: rdflib.Graph) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert page.get_element_by_id("void-triples").text == str(_int(void, DATASET_IRI, VOID.triples))
    hrefs = page.xpath("//a/@href")
    assert "/dumps/graphs/003_d1853fc3ef21e3a4.trig" in hrefs
    assert "/dumps/dataset.nq.gz" in hrefs
    assert page.xpath("//p[@class='examples']/a/@href") == [
        "/id/person/wang-wentao",
        "/id/event/cafta-3-0-upgrade-protocol/signing",
    ]


def test_void_etag(client: FlaskClient) -> None:
    first = client.get("/.well-known/void.ttl")
    assert first.status_code == 200
    again = client.get("/.well-known/void.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# ---------------------------------------------------------------- dumps


def test_dataset_dumps(client: FlaskClient, ld_build: tuple[Path, Build]) -> None:
    _, build = ld_build
    nq = client.get("/dumps/dataset.nq", buffered=True)
    assert nq.mimetype == "application/n-quads"
    assert nq.get_data() == build.nquads.read_bytes()
    trig = client.get("/dumps/dataset.trig", buffered=True)
    assert trig.mimetype == "application/trig"
    quads = {str(q) for q in ox.parse(trig.get_data(), format=ox.RdfFormat.TRIG) if q.graph_name}
    expected = {str(q) for q in ox.parse(build.nquads.read_bytes(), format=ox.RdfFormat.N_QUADS)}
    assert len(quads) == len(expected)
    compressed = client.get("/dumps/dataset.nq.gz", buffered=True)
    assert compressed.mimetype == "application/gzip"
    assert gzip.decompress(compressed.get_data()) == build.nquads.read_bytes()
    etag = compressed.headers["ETag"]
    assert client.get("/dumps/dataset.nq.gz", headers={"If-None-Match": etag}).status_code == 304


def test_dumps_are_streamed_from_files_with_validators_and_ranges(
    client: FlaskClient, ld_build: tuple[Path, Build]
) -> None:
    _, build = ld_build
    whole = build.nquads.read_bytes()
    first = client.get("/dumps/dataset.nq", buffered=True)
    disposition = parse_options_header(first.headers["Content-Disposition"])
    assert disposition == ("attachment", {"filename": "dataset.nq"})
    # A client's fresh copy: 304 by ETag or by date, without the body.
    tag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/dumps/dataset.nq", headers={"If-None-Match": tag}).status_code == 304
    dated = client.get("/dumps/dataset.nq", headers={"If-Modified-Since": modified})
    assert dated.status_code == 304 and dated.data == b""
    # A resumed download: a byte range.
    part = client.get("/dumps/dataset.nq", headers={"Range": "bytes=10-19"}, buffered=True)
    assert part.status_code == 206 and part.data == whole[10:20]
    # The gzipped dump is written once next to the plain one, the same bytes each time.
    gz = client.get("/dumps/dataset.nq.gz", buffered=True)
    assert (build.path / "dataset.nq.gz").read_bytes() == gz.data
    assert gzip.decompress(gz.data) == whole
    assert client.get("/dumps/dataset.nq.gz", buffered=True).headers["ETag"] == gz.headers["ETag"]


def test_graph_dumps(client: FlaskClient, ld_build: tuple[Path, Build]) -> None:
    _, build = ld_build
    nq = client.get("/dumps/graphs/003_d1853fc3ef21e3a4.nq", buffered=True)
    assert nq.status_code == 200
    assert nq.get_data() == build.graph_dump(SOURCE_GRAPH).read_bytes()
    quads = list(ox.parse(nq.get_data(), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} == {
        SOURCE_GRAPH
    }
    trig = client.get("/dumps/graphs/gazetteer.trig.gz", buffered=True)
    assert trig.mimetype == "application/gzip"
    text = gzip.decompress(trig.get_data())
    gazetteer = list(ox.parse(text, format=ox.RdfFormat.TRIG))
    assert len(gazetteer) == len(build.graph_dump(GAZETTEER).read_text("utf-8").splitlines())
    missing = client.get("/dumps/graphs/no-such-graph.nq", headers={"Accept": "application/json"})
    assert missing.status_code == 404
    assert "gazetteer" in missing.get_json()["error"]["message"]


def test_graph_slugs_are_unique() -> None:
    names = ["https://w3id.org/cakg/id/graph/a", "https://example.org/x/a", "urn:a"]
    slugs = graph_slugs(names)
    assert len(slugs) == 3
    assert set(slugs.values()) == set(names)
    assert graph_slug("https://w3id.org/cakg/id/graph/gazetteer") == "gazetteer"


def test_statistics_of_the_store(app: Flask) -> None:
    stats = dataset_statistics(app.extensions["cakg.store"])
    assert set(stats.graphs) == {SOURCE_GRAPH, GAZETTEER}
    assert stats.sources[SOURCE_GRAPH].endswith("source/003_d1853fc3ef21e3a4")
    assert stats.source_labels[SOURCE_GRAPH] == "MOFCOM press release of 2025-10-28"


def test_seed_void_has_a_subset_per_source(seed_instance: Path, seed_build: Build) -> None:
    client = ldapp.make_app(seed_instance, seed_build).test_client()
    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    void = ldapp.as_graph(response.get_data(), "application/n-triples")
    rows = seed_build.manifest["graphs"]
    subsets = {
        str(s)
        for s in void.objects(DATASET_IRI, VOID.subset)
        if (s, RDF.type, VOID.Linkset) not in void
    }
    assert subsets == {row["name"] for row in rows}
    sources = [row for row in rows if row["kind"] == "source"]
    assert len(sources) == 3
    for row in sources:
        subset = URIRef(row["name"])
        assert _int(void, subset, VOID.triples) == row["triples"]
        assert str(void.value(subset, DCTERMS.source)).endswith("source/" + row["source_id"])
        for url in void.objects(subset, VOID.dataDump):
            assert (
                client.get(str(url).removeprefix("http://localhost"), buffered=True).status_code
                == 200
            )
    assert _int(void, DATASET_IRI, VOID.triples) == len(_union_triples(seed_build))
