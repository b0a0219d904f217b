"""Real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) against ``cakg serve``.

Every result format is requested the way each client does it (its own Accept headers and,
for SPARQLWrapper, its ``format`` / ``output`` / ``results`` parameters) and parsed by
the client itself. Warnings are errors, so a client complaining about the returned
Content-Type fails the test.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from tests_support import servers

pytestmark = [
    pytest.mark.server,
    # SPARQLWrapper itself builds RDF results in a ConjunctiveGraph, deprecated by rdflib 7.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

ASEAN = "https://w3id.org/cakg/id/org/asean"
LABELS = (
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
    "ORDER BY ?label LIMIT 2"
)
CONSTRUCT = "CONSTRUCT WHERE { ?s a ?type }"
DESCRIBE = f"DESCRIBE <{ASEAN}>"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("clients") / "instance"
    servers.build_sample(instance)
    with servers.running_server(instance, "--workers", "2", "--threads", "4") as base:
        yield f"{base}/sparql"


def wrapper(endpoint: str, query: str, fmt: str, method: str = GET) -> Any:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client.query()


# -- SPARQLWrapper --------------------------------------------------------------------------


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_json(endpoint: str, method: str) -> None:
    result = wrapper(endpoint, LABELS, JSON, method)
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    bindings = result.convert()["results"]["bindings"]
    assert bindings[0]["s"] == {"type": "uri", "value": ASEAN}
    assert bindings[0]["label"] == {"type": "literal", "value": "ASEAN", "xml:lang": "en"}


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_xml(endpoint: str, method: str) -> None:
    document = wrapper(endpoint, LABELS, XML, method).convert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert uris[0] == ASEAN


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_csv(endpoint: str, method: str) -> None:
    data = wrapper(endpoint, LABELS, CSV, method).convert()
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert table[0] == {"s": ASEAN, "label": "ASEAN"}


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_tsv(endpoint: str, method: str) -> None:
    data = wrapper(endpoint, LABELS, TSV, method).convert().decode("utf-8")
    header, first, *_ = data.splitlines()
    assert header == "?s\t?label"
    assert first == f'<{ASEAN}>\t"ASEAN"@en'


@pytest.mark.parametrize(("fmt", "answer"), [(JSON, True), (XML, True)])
def test_sparqlwrapper_ask(endpoint: str, fmt: str, answer: bool) -> None:
    result = wrapper(endpoint, "ASK { ?s a ?t }", fmt).convert()
    if fmt == JSON:
        assert result["boolean"] is answer
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_sparqlwrapper_graphs_as_turtle(endpoint: str, fmt: str, query: str) -> None:
    result = wrapper(endpoint, query, fmt)
    assert result.response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=result.convert(), format="turtle")
    assert (URIRef(ASEAN), None, None) in graph


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        (XML, "application/rdf+xml"),
        (RDFXML, "application/rdf+xml"),
        (JSONLD, "application/ld+json"),
    ],
)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_sparqlwrapper_graphs_parsed_by_the_client(
    endpoint: str, fmt: str, media_type: str, query: str
) -> None:
    result = wrapper(endpoint, query, fmt)
    assert result.response.headers["Content-Type"].startswith(media_type)
    graph = result.convert()
    assert (URIRef(ASEAN), None, None) in graph


# -- rdflib SPARQLStore ---------------------------------------------------------------------


def store_graph(endpoint: str, fmt: str, method: str = "GET") -> rdflib.Graph:
    return rdflib.Graph(store=SPARQLStore(endpoint, returnFormat=fmt, method=method))


@pytest.mark.parametrize("fmt", ["xml", "json", "csv", "tsv"])
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_select(endpoint: str, fmt: str, method: str) -> None:
    first = next(iter(store_graph(endpoint, fmt, method).query(LABELS)))
    assert first[0] == URIRef(ASEAN)  # type: ignore[index]
    # CSV carries no language tags (SPARQL 1.1 CSV is lossy by design).
    expected = Literal("ASEAN") if fmt == "csv" else Literal("ASEAN", lang="en")
    assert first[1] == expected  # type: ignore[index]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_rdflib_sparqlstore_ask(endpoint: str, fmt: str) -> None:
    graph = store_graph(endpoint, fmt)
    assert graph.query("ASK { ?s a ?t }").askAnswer is True
    assert graph.query("ASK { ?s a <http://nothing.example/C> }").askAnswer is False


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_rdflib_sparqlstore_graphs(endpoint: str, query: str) -> None:
    result = store_graph(endpoint, "xml").query(query)
    assert result.graph is not None
    assert (URIRef(ASEAN), None, None) in result.graph


def test_rdflib_sparqlstore_json_construct_is_refused_cleanly(endpoint: str) -> None:
    """rdflib asks for SPARQL JSON only: a graph cannot be sent that way, so 406."""
    from urllib.error import HTTPError

    # rdflib wraps the HTTP error in a ValueError of its own.
    with pytest.raises(ValueError) as caught:
        store_graph(endpoint, "json").query(CONSTRUCT)
    cause = caught.value.__context__
    assert isinstance(cause, HTTPError)
    assert cause.code == 406
    cause.close()
