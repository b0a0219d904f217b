"""Content negotiation: a table of Accept headers and overrides -> chosen type, or 406."""

from __future__ import annotations

import pytest
from cakg.graph.formats import (
    FORMATS,
    NotAcceptable,
    UnsupportedMediaType,
    negotiate,
    rdf_format_for_content_type,
)

YASGUI_SELECT = "application/sparql-results+json,*/*;q=0.9"
YASGUI_GRAPH = "application/n-triples,*/*;q=0.9"
RDFLIB_STORE = "application/sparql-results+xml, application/rdf+xml"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
SPARQLWRAPPER_N3 = (
    "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
)
SPARQLWRAPPER_JSONLD = "application/ld+json,application/x-json+ld"

RESULTS = [
    (None, "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    (YASGUI_SELECT, "application/sparql-results+json"),
    (SPARQLWRAPPER_JSON, "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    (RDFLIB_STORE, "application/sparql-results+xml"),
    ("application/json", "application/sparql-results+json"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/*", "text/csv"),
    ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/*;q=0.4", "text/csv"),
    ("*/*;q=0.1, application/sparql-results+json;q=0", "application/sparql-results+xml"),
    ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("application/sparql-results+json;charset=latin1, text/csv;q=0.1", "text/csv"),
    (BROWSER, "application/sparql-results+xml"),
    ("TEXT/CSV", "text/csv"),
    ("garbage;;q=x,,", "application/sparql-results+json"),
]

GRAPHS = [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    (YASGUI_GRAPH, "application/n-triples"),
    (RDFLIB_STORE, "application/rdf+xml"),
    (SPARQLWRAPPER_N3, "text/turtle"),
    (SPARQLWRAPPER_JSONLD, "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("application/trig", "application/trig"),
    ("application/n-quads", "application/n-quads"),
    ("text/plain", "application/n-triples"),
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("application/*", "application/n-triples"),
    (BROWSER, "text/turtle"),
]

NOT_ACCEPTABLE = [
    ("results", "text/turtle"),
    ("results", "image/png"),
    ("results", "application/sparql-results+json;q=0"),
    ("results", "text/csv; charset=iso-8859-1"),
    ("graph", "application/sparql-results+json"),
    ("graph", "text/csv"),
    ("graph", "text/html"),
]


@pytest.mark.parametrize(("accept", "chosen"), RESULTS)
def test_select_and_ask_results(accept: str | None, chosen: str) -> None:
    assert negotiate(accept, "results").media_type == chosen


@pytest.mark.parametrize(("accept", "chosen"), GRAPHS)
def test_construct_and_describe_results(accept: str | None, chosen: str) -> None:
    assert negotiate(accept, "graph").media_type == chosen


@pytest.mark.parametrize(("kind", "accept"), NOT_ACCEPTABLE)
def test_nothing_fits_is_406(kind: str, accept: str) -> None:
    with pytest.raises(NotAcceptable, match="No acceptable media type"):
        negotiate(accept, kind)  # type: ignore[arg-type]


OVERRIDES = [
    ("results", ["json"], "application/sparql-results+json"),
    ("results", ["xml"], "application/sparql-results+xml"),
    ("results", ["csv"], "text/csv"),
    ("results", ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
    ("results", ["text/csv"], "text/csv"),
    ("graph", ["xml"], "application/rdf+xml"),
    ("graph", ["json"], "application/ld+json"),
    ("graph", ["json-ld", "application/ld+json,application/x-json+ld"], "application/ld+json"),
    ("graph", ["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),
    ("graph", ["turtle"], "text/turtle"),
    ("graph", ["n3"], "text/turtle"),
    ("graph", ["nt"], "application/n-triples"),
    ("graph", ["unknown", "trig"], "application/trig"),
]


@pytest.mark.parametrize(("kind", "values", "chosen"), OVERRIDES)
def test_override_parameter_wins_over_accept(kind: str, values: list[str], chosen: str) -> None:
    assert negotiate("image/png", kind, override=values).media_type == chosen  # type: ignore[arg-type]


def test_override_that_fits_nothing_is_406_and_lists_choices() -> None:
    with pytest.raises(NotAcceptable, match="use one of: json, xml, csv, tsv"):
        negotiate(None, "results", override=["turtle"])


def test_every_format_has_an_oxigraph_format_and_a_w3c_iri() -> None:
    for fmt in FORMATS:
        assert (fmt.results_format is None) != (fmt.rdf_format is None)
        assert fmt.iri.startswith("http://www.w3.org/ns/formats/")
        assert fmt.content_type.endswith("; charset=utf-8")


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("text/turtle", True),
        ("text/turtle; charset=utf-8", True),
        ("application/n-triples", True),
        ("application/ld+json", True),
        ("application/rdf+xml", True),
        ("text/turtle; charset=utf-16", False),
        ("application/sparql-query", False),
        ("text/csv", False),
        (None, False),
        ("", False),
    ],
)
def test_rdf_body_types(content_type: str | None, ok: bool) -> None:
    if ok:
        assert rdf_format_for_content_type(content_type) is not None
    else:
        with pytest.raises(UnsupportedMediaType, match="Content-Type"):
            rdf_format_for_content_type(content_type)
