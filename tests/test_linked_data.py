"""Linked data: 303 content negotiation, documents, ETag / 304, entity pages, 404s."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import lxml.html
import pyoxigraph as ox
import pytest
import rdflib
from cakg.graph.build import Build
from cakg.graph.describe import LocalPaths, describe
from cakg.web.app import create_app
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

ID = "https://w3id.org/cakg/id/"
WANG = ID + "person/wang-wentao"
SIGNING = ID + "event/cafta-3-0-upgrade-protocol/signing"
TEXT = ID + "text/003_d1853fc3ef21e3a4"


def _load_helpers() -> ModuleType:
    path = Path(__file__).parent / "data" / "ld" / "ldapp.py"
    spec = importlib.util.spec_from_file_location("cakg_tests_ldapp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ldapp = _load_helpers()
make_app = ldapp.make_app
as_graph = ldapp.as_graph


@pytest.fixture(scope="module")
def ld_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Build]:
    instance = tmp_path_factory.mktemp("ld-instance")
    return instance, ldapp.build_ld_fixture(instance)


@pytest.fixture(scope="module")
def app(ld_build: tuple[Path, Build]) -> Iterator[Flask]:
    instance, build = ld_build
    yield make_app(instance, build)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def html_of(response: object) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))  # type: ignore[attr-defined]


# ---------------------------------------------------------------- 303 and negotiation


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "rdf"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf"),
        ("application/json", "jsonld"),
        ("text/plain", "nt"),
        ("*/*", "html"),
        ("text/*", "html"),
        ("application/*;q=0.5, text/turtle", "ttl"),
    ],
)
def test_resource_redirects_by_accept(client: FlaskClient, accept: str, extension: str) -> None:
    response = client.get("/id/person/wang-wentao", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/id/person/wang-wentao.{extension}")
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"' in response.headers["Link"]


def test_unacceptable_type_is_406_with_the_choices(client: FlaskClient) -> None:
    response = client.get("/id/person/wang-wentao", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("extension", "media_type", "rdflib_format"),
    [
        ("ttl", "text/turtle", "turtle"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("nt", "application/n-triples", "nt"),
        ("rdf", "application/rdf+xml", "xml"),
    ],
)
def test_rdf_documents_describe_the_resource(
    client: FlaskClient, extension: str, media_type: str, rdflib_format: str
) -> None:
    response = client.get(f"/id/person/wang-wentao.{extension}", headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    if rdflib_format == "json-ld":
        graph = as_graph(response.get_data(), media_type)
    else:
        graph = rdflib.Graph().parse(data=response.get_data(), format=rdflib_format)
    wang = URIRef(WANG)
    assert (wang, rdflib.RDFS.label, rdflib.Literal("Wang Wentao", lang="en")) in graph
    assert (wang, rdflib.RDF.type, URIRef("http://schema.org/Person")) in graph
    # incoming link, with the label of the linking resource
    assert (
        URIRef(SIGNING),
        URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/hasActor"),
        wang,
    ) in graph
    assert graph.value(URIRef(SIGNING), rdflib.RDFS.label) is not None
    # the reified statement and its evidence travel with the description
    evidence = set(graph.objects(None, URIRef("https://w3id.org/cakg/ontology#evidence")))
    assert URIRef(TEXT + "#char=36,47") in evidence
    # the IRIs are the data's, not this server's
    assert not any("localhost" in str(t) for triple in graph for t in triple)
    links = response.headers["Link"]
    for other in ("ttl", "jsonld", "nt", "rdf", "html"):
        assert f"/id/person/wang-wentao.{other}>" in links


def test_etag_and_conditional_get(client: FlaskClient) -> None:
    first = client.get("/id/person/wang-wentao.ttl")
    etag = first.headers["ETag"]
    assert etag
    again = client.get("/id/person/wang-wentao.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    other = client.get("/id/person/wang-wentao.ttl", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
    html = client.get("/id/person/wang-wentao.html")
    assert html.headers["ETag"] != etag
    assert (
        client.get(
            "/id/person/wang-wentao.html", headers={"If-None-Match": html.headers["ETag"]}
        ).status_code
        == 304
    )


def test_unknown_iri_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/id/person/nobody-at-all", headers={"Accept": "text/html"})
    assert response.status_code == 404
    page = html_of(response)
    assert page.findtext(".//h1") == "Not found"
    assert "https://w3id.org/cakg/id/person/nobody-at-all" in page.text_content()
    plain = client.get("/id/person/nobody-at-all.ttl", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    assert plain.mimetype == "application/json"
    assert "person/nobody-at-all" in plain.get_json()["error"]["message"]


def test_head_request(client: FlaskClient) -> None:
    response = client.head("/id/person/wang-wentao.ttl")
    assert response.status_code == 200
    assert response.get_data() == b""


# ---------------------------------------------------------------- entity pages


def test_entity_page_shows_label_types_links_and_provenance(client: FlaskClient) -> None:
    response = client.get(
        "/id/event/cafta-3-0-upgrade-protocol/signing.html", headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    page = html_of(response)
    assert page.findtext(".//h1") == "Signing of the CAFTA 3.0 Upgrade Protocol"
    type_links = page.xpath("//p[@class='types']/a/@href")
    assert "/ontology#Event" in type_links
    assert "schema:Event" in page.xpath("//p[@class='types']/a/text()")
    rows = page.xpath("//table[contains(@class,'outgoing')]/tbody/tr")
    by_property = {row.xpath("string(td[1])").strip(): row for row in rows}
    actor = by_property["sem:hasActor"]
    assert actor.xpath("td[2]/a/@href") == ["/id/person/wang-wentao"]
    assert actor.xpath("string(td[2]/a)") == "Wang Wentao"
    # provenance: source, date and the sentence with the quoted span highlighted
    assert actor.xpath("td[3]//a[@class='source']/@href") == ["/id/source/003_d1853fc3ef21e3a4"]
    assert actor.xpath("string(td[3]//time/@datetime)") == "2025-10-28"
    sentence = actor.xpath("td[3]//blockquote")[0]
    assert sentence.text_content().strip().startswith("¶ On October 28, Minister of Commerce")
    assert [m.text for m in sentence.findall(".//mark")] == ["Wang Wentao"]
    place = by_property["sem:hasPlace"]
    assert place.xpath("td[2]/a/@href") == ["/id/place/kuala-lumpur"]
    assert [m.text for m in place.findall(".//mark")] == ["Kuala Lumpur"]
    # a literal value stays text
    date = by_property["cakg:date"]
    assert date.xpath("td[2]/a") == []
    assert "2025-10-28" in date.xpath("string(td[2])")
    alternates = page.xpath("//link[@rel='alternate']/@type")
    assert "text/turtle" in alternates


def test_entity_page_lists_incoming_links(client: FlaskClient) -> None:
    page = html_of(client.get("/id/person/wang-wentao.html", headers={"Accept": "text/html"}))
    assert page.findtext(".//h1") == "Wang Wentao"
    incoming = page.xpath("//table[contains(@class,'incoming')]/tbody/tr")
    assert len(incoming) == 1
    assert incoming[0].xpath("td[1]/a/@href") == ["/id/event/cafta-3-0-upgrade-protocol/signing"]
    assert incoming[0].xpath("string(td[2])").strip() == "sem:hasActor"
    assert incoming[0].xpath("td[3]//mark/text()") == ["Wang Wentao"]
    # other labels, with their language
    assert page.xpath("//p[@class='labels']/span[@lang='zh']/text()") == ["王文涛"]
    # external links stay external
    assert "http://www.wikidata.org/entity/Q7771380" in page.xpath("//a/@href")


def test_hash_iris_are_served_by_their_document(client: FlaskClient) -> None:
    response = client.get("/id/text/003_d1853fc3ef21e3a4", headers={"Accept": "text/html"})
    assert response.status_code == 303
    page = html_of(client.get(response.headers["Location"]))
    assert page.get_element_by_id("char=0,263") is not None
    assert page.get_element_by_id("char=36,47") is not None
    # the evidence links point at the fragment on the document page
    signing = html_of(client.get("/id/event/cafta-3-0-upgrade-protocol/signing.html"))
    assert "/id/text/003_d1853fc3ef21e3a4#char=0,263" in signing.xpath("//a/@href")
    # a sentence lists the facts extracted from it, and is titled by its words
    sentence = page.get_element_by_id("char=0,263")
    assert sentence.findtext("p[@class='anchor']").startswith("On October 28, Minister")
    extracted = sentence.xpath(".//table[contains(@class,'extracted')]/tbody/tr")
    properties = {row.xpath("string(td[2])").strip() for row in extracted}
    assert properties == {"sem:hasPlace", "cakg:date", "cakg:titleText"}
    turtle = client.get("/id/text/003_d1853fc3ef21e3a4.ttl").get_data(as_text=True)
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert (
        URIRef(TEXT + "#char=36,47"),
        URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"),
        rdflib.Literal("Wang Wentao"),
    ) in graph


def test_configured_data_base_maps_local_paths(ld_build: tuple[Path, Build]) -> None:
    instance, build = ld_build
    other = make_app(instance, build, CAKG_DATA_BASE="https://example.org/data/")
    client = other.test_client()
    # /id/... now stands for the configured base, which the data does not use
    assert (
        client.get("/id/person/wang-wentao", headers={"Accept": "text/turtle"}).status_code == 404
    )
    paths = LocalPaths("https://example.org/data/")
    assert paths.to_local("https://example.org/data/x/y") == "/id/x/y"
    assert paths.to_iri("x/y") == "https://example.org/data/x/y"


def test_iris_do_not_depend_on_the_host(client: FlaskClient) -> None:
    response = client.get(
        "/id/person/wang-wentao.nt", base_url="http://kg.example.net:8080/", headers={}
    )
    text = response.get_data(as_text=True)
    assert f"<{WANG}>" in text
    assert "kg.example.net" not in text


# ---------------------------------------------------------------- ontology and shapes


def test_ontology_is_served_as_html_and_turtle(client: FlaskClient) -> None:
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert "Accept" in html.headers["Vary"]
    assert html.headers["Content-Location"].endswith("/ontology.html")
    page = html_of(html)
    assert page.get_element_by_id("Tenure") is not None
    assert page.get_element_by_id("Signing") is not None

    def facts(term: str) -> dict[str, list[str]]:
        section = page.get_element_by_id(term)
        return {dt.text_content(): dt.getnext().xpath(".//a/@href") for dt in section.iter("dt")}

    assert facts("Tenure")["Subclass of"] == ["http://www.w3.org/ns/org#Membership"]
    assert facts("about")["Domain"] == ["#Event"]
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=turtle.get_data(), format="turtle")
    assert (
        URIRef("https://w3id.org/cakg/ontology"),
        rdflib.RDF.type,
        rdflib.OWL.Ontology,
    ) in graph
    version = client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert version.status_code == 200
    assert version.get_data() == turtle.get_data()
    assert client.get("/ontology/9.9.9", headers={"Accept": "text/turtle"}).status_code == 404
    jsonld = client.get("/ontology.jsonld")
    assert jsonld.mimetype == "application/ld+json"
    assert len(as_graph(jsonld.get_data(), "application/ld+json")) == len(graph)


def test_shapes_are_served(client: FlaskClient) -> None:
    response = client.get("/shapes", headers={"Accept": "text/turtle"})
    from importlib.resources import files

    if not (files("cakg.ontology") / "shapes.ttl").is_file():
        assert response.status_code == 404
        return
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.get_data(), format="turtle")
    shacl = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert any(graph.subjects(rdflib.RDF.type, shacl.NodeShape))
    page = html_of(client.get("/shapes", headers={"Accept": "text/html"}))
    assert "sh:NodeShape" in page.findtext(".//pre")
    # every named shape has an anchor, so that its IRI lands on its entry
    for shape in graph.subjects(rdflib.RDF.type, shacl.NodeShape):
        if str(shape).startswith("https://w3id.org/cakg/shapes#"):
            entry = page.get_element_by_id(str(shape).split("#", 1)[1])
            assert entry.tag == "dt"
    entity = page.get_element_by_id("EntityShape").getnext()
    assert "sh:targetClass" in [th.text for th in entity.iter("th")]
    assert "/ontology#Person" in entity.xpath(".//a/@href")


# ---------------------------------------------------------------- graph.describe


def test_describe_unknown_iri_does_not_exist(app: Flask) -> None:
    store = app.extensions["cakg.store"]
    assert not describe(store, ID + "person/nobody").exists
    assert describe(store, WANG).exists


# ---------------------------------------------------------------- the seed build


@pytest.fixture(scope="module")
def seed_client(seed_instance: Path, seed_build: Build) -> FlaskClient:
    app: Flask = make_app(seed_instance, seed_build)
    return app.test_client()


def _seed_documents(seed_build: Build) -> list[str]:
    """Return the data IRIs (without fragment) that the seed build's triples mention."""
    found: set[str] = set()
    for quad in ox.parse(seed_build.nquads.read_bytes(), format=ox.RdfFormat.N_QUADS):
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(ID):
                found.add(term.value.split("#", 1)[0])
    return sorted(found)


def test_every_seed_iri_dereferences(seed_client: FlaskClient, seed_build: Build) -> None:
    documents = _seed_documents(seed_build)
    assert len(documents) > 100
    by_kind: dict[str, str] = {}
    for iri in documents:
        path = iri.removeprefix(ID)
        response = seed_client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
        assert response.status_code == 303, iri
        assert response.headers["Location"] == f"/id/{path}.ttl"
        by_kind.setdefault(path.split("/", 1)[0], path)
    assert {"person", "org", "country", "event", "source", "text", "graph", "fact"} <= set(by_kind)
    for path in by_kind.values():
        page = seed_client.get(f"/id/{path}.html", headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        assert html_of(page).findtext(".//h1")
        turtle = seed_client.get(f"/id/{path}.ttl")
        graph = rdflib.Graph().parse(data=turtle.get_data(), format="turtle")
        assert any(graph.triples((URIRef(ID + path), None, None))) or any(
            graph.triples((None, None, URIRef(ID + path)))
        ), path


def test_seed_person_page_cites_the_press_release(seed_client: FlaskClient) -> None:
    page = html_of(seed_client.get("/id/person/wang-wentao.html", headers={"Accept": "text/html"}))
    assert page.findtext(".//h1") == "Wang Wentao"
    cited = page.xpath("//p[@class='sources']/a[@class='source']/@href")
    assert "/id/source/003_d1853fc3ef21e3a4" in cited
    assert len(cited) == len(set(cited))
    incoming = page.xpath("//table[contains(@class,'incoming')]/tbody/tr")
    actors = [
        row
        for row in incoming
        if row.xpath("string(td[2])").strip() == "sem:hasActor"
        and row.xpath("td[1]/a/@href") == ["/id/event/cafta-3-upgrade-protocol/signing"]
    ]
    assert len(actors) == 1
    evidence = actors[0].xpath(".//li[@class='evidence-item']")
    assert evidence, "the signing fact has its sentence"
    dates = {li.xpath("string(.//time/@datetime)") for li in evidence}
    assert "2025-10-28" in dates
    sources = {li.xpath("string(.//a[@class='source']/@href)") for li in evidence}
    assert "/id/source/003_d1853fc3ef21e3a4" in sources
    marks = {m.text for li in evidence for m in li.iter("mark")}
    assert "Wang Wentao" in marks


def test_seed_quotation_highlights_the_quoted_words(seed_client: FlaskClient) -> None:
    rows = seed_client.application.extensions["cakg.store"].select(
        "SELECT ?q ?text WHERE { ?q a cakg:QuotedStatement ; schema:text ?text ; "
        "cakg:quoteSpan ?span } ORDER BY ?q LIMIT 1"
    )
    assert rows, "the seed build has quotations"
    quote, text = rows[0]["q"].value, rows[0]["text"].value
    page = html_of(seed_client.get("/id/" + quote.removeprefix(ID) + ".html"))
    marks = [m.text_content() for m in page.iter("mark")]
    assert text in marks


# ---------------------------------------------------------------- odd paths


@pytest.mark.parametrize(
    "path",
    ["a%20b", "a%3Eb", "a%22b", "a{b}", "%E4%B8%AD", "a\\b", ".ttl", "a%00b", "a^b", "%", "a%23b"],
)
def test_odd_paths_are_404_not_errors(client: FlaskClient, path: str) -> None:
    response = client.get(f"/id/{path}", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "Nothing in the dataset is called" in response.get_json()["error"]["message"]


def test_percent_encoded_hash_iri_redirects_to_its_document(client: FlaskClient) -> None:
    response = client.get(
        "/id/text/003_d1853fc3ef21e3a4%23char=36,47", headers={"Accept": "text/html"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/id/text/003_d1853fc3ef21e3a4.html#char=36,47"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.text(min_size=1, max_size=30), accept=st.sampled_from(["*/*", "text/html", "x/y"]))
def test_no_path_under_id_is_a_server_error(client: FlaskClient, path: str, accept: str) -> None:
    response = client.get("/id/" + quote(path), headers={"Accept": accept})
    assert response.status_code < 500, (path, response.get_data(as_text=True)[:300])


def test_no_build_is_a_503_that_says_what_to_do(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "CAKG_INSTANCE": str(tmp_path), "CAKG_ACCESS_LOG": False})
    client = app.test_client()
    for path in ("/id/person/wang-wentao", "/.well-known/void"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 503
        assert "cakg build" in response.get_json()["error"]["message"]
    dump = client.get("/dumps/dataset.nq", headers={"Accept": "application/json"})
    assert dump.status_code == 503
