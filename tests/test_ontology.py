"""The ontology: consistent under OWL 2 RL (owlrl), documented as HTML generated from it.

owlrl reports an inconsistency in two ways, both checked here: it adds
``[] a err:ErrorMessage ; err:error "..."`` nodes (namespace
``http://www.daml.org/2002/03/agents/agent-ont#``) for rule violations such as
owl:disjointWith clashes or ill-typed literals, and it infers ``x rdf:type owl:Nothing``.
A class inferred ``rdfs:subClassOf owl:Nothing`` is unsatisfiable (owlrl adds
``owl:Nothing rdfs:subClassOf C`` for every class, never the other way round).
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

import owlrl
import pytest
from cakg.graph.build import Build
from cakg.graph.model import ontology_graph, ontology_text
from cakg.graph.namespaces import CAKG
from cakg.graph.ontology_doc import ontology_document, ontology_html
from lxml import html as lxml_html
from owlrl.Namespaces import ERRNS
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

SAMPLE = Path(__file__).parent / "shapes" / "sample.trig"
NS = str(CAKG._NS)


def inconsistencies(graph: Graph) -> list[str]:
    """Return what owlrl's OWL 2 RL closure of a copy of ``graph`` finds inconsistent."""
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    found = [f"owlrl: {m}" for m in closure.objects(None, ERRNS.error)]
    found += [f"{s} is of type owl:Nothing" for s in closure.subjects(RDF.type, OWL.Nothing)]
    found += [
        f"{c} is unsatisfiable"
        for c in closure.subjects(RDFS.subClassOf, OWL.Nothing)
        if c != OWL.Nothing
    ]
    return sorted(found)


def _with_ontology(*parts: Graph) -> Graph:
    merged = Graph()
    for part in (ontology_graph(), *parts):
        for triple in part:
            merged.add(triple)
    return merged


@cache
def _sample() -> Graph:
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own TriG parser
        dataset.parse(SAMPLE, format="trig")
    merged = Graph()
    for graph in dataset.graphs():
        for triple in graph:
            merged.add(triple)
    return merged


# ------------------------------------------------------------------------ OWL 2 RL


def test_the_ontology_is_consistent_under_owl2_rl() -> None:
    assert inconsistencies(ontology_graph()) == []


def test_the_ontology_and_sample_data_are_consistent() -> None:
    assert inconsistencies(_with_ontology(_sample())) == []


def test_the_ontology_and_a_seed_source_are_consistent(seed_build: Build) -> None:
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in (
            "https://w3id.org/cakg/id/graph/gazetteer",
            "https://w3id.org/cakg/id/graph/004_05edaf1031469346",
        ):
            dataset.parse(seed_build.graph_dump(name), format="nquads")
    data = Graph()
    for graph in dataset.graphs():
        for triple in graph:
            data.add(triple)
    assert len(data) > 1000
    assert inconsistencies(_with_ontology(data)) == []


def _clash() -> Graph:
    graph = Graph()
    graph.add((CAKG.Person, OWL.disjointWith, CAKG.Country))
    graph.add((URIRef("https://example.org/x"), RDF.type, CAKG.Person))
    graph.add((URIRef("https://example.org/x"), RDF.type, CAKG.Country))
    return graph


def _nothing() -> Graph:
    graph = Graph()
    graph.add((CAKG.Extractor, OWL.equivalentClass, OWL.Nothing))
    graph.add((URIRef("https://example.org/tool"), RDF.type, CAKG.Extractor))
    return graph


def _ill_typed() -> Graph:
    graph = Graph()
    graph.add(
        (URIRef("https://example.org/e"), CAKG.earliestDate, Literal("soon", datatype=XSD.date))
    )
    return graph


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        (_clash, "owlrl: Disjoint classes"),
        (_nothing, "https://example.org/tool is of type owl:Nothing"),
        (_nothing, f"{NS}Extractor is unsatisfiable"),
        (_ill_typed, "owlrl: Lexical value of the literal"),
    ],
    ids=["disjoint-classes", "owl-nothing", "unsatisfiable-class", "ill-typed-literal"],
)
def test_the_consistency_check_detects_planted_inconsistencies(
    planted: object, expected: str
) -> None:
    assert callable(planted)
    found = inconsistencies(_with_ontology(planted()))
    assert any(f.startswith(expected) for f in found), found


# ------------------------------------------------------------------------ HTML documentation


@cache
def _page() -> object:
    return lxml_html.document_fromstring(ontology_html())


def _ids() -> set[str]:
    return set(_page().xpath("//@id"))  # type: ignore[attr-defined]


def _terms(rdf_type: URIRef) -> list[str]:
    graph = ontology_graph()
    return sorted(
        str(s)[len(NS) :] for s in set(graph.subjects(RDF.type, rdf_type)) if str(s).startswith(NS)
    )


def test_the_page_is_a_complete_html_document() -> None:
    text = ontology_html()
    assert text.startswith("<!DOCTYPE html>")
    page = _page()
    assert page.findtext(".//title") == "China–ASEAN Knowledge Graph ontology"  # type: ignore[attr-defined]
    assert page.findtext(".//h1") == "China–ASEAN Knowledge Graph ontology"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme]
)
def test_every_class_property_and_scheme_has_an_anchor(kind: URIRef) -> None:
    terms = _terms(kind)
    assert terms
    assert sorted(set(terms) - _ids()) == []


def test_every_term_of_the_namespace_has_an_anchor() -> None:
    names = {n for n in CAKG.__annotations__ if not n.startswith("_")}
    assert sorted(names - _ids()) == []


def test_every_internal_link_resolves() -> None:
    targets = {h[1:] for h in _page().xpath("//a/@href") if h.startswith("#")}  # type: ignore[attr-defined]
    assert len(targets) > 100
    assert sorted(targets - _ids()) == []


def test_a_class_shows_its_superclasses_alignments_and_properties() -> None:
    section = _page().get_element_by_id("Tenure")  # type: ignore[attr-defined]
    text = section.text_content()
    assert "cakg:Tenure — tenure" in text
    assert "A person holding a post in an organisation" in text
    facts = dict(zip(section.xpath(".//dt/text()"), section.xpath(".//dd"), strict=True))
    assert facts["Subclass of"].text_content().strip() == "org:Membership"
    assert facts["Alignments"].text_content().strip() == "schema:OrganizationRole"
    assert "cakg:post" in facts["Domain of"].text_content()
    assert facts["Subclass of"].xpath(".//a/@href") == ["http://www.w3.org/ns/org#Membership"]


def test_a_property_shows_its_domain_range_and_characteristics() -> None:
    section = _page().get_element_by_id("post")  # type: ignore[attr-defined]
    facts = dict(zip(section.xpath(".//dt/text()"), section.xpath(".//dd"), strict=True))
    assert facts["Domain"].xpath(".//a/@href") == ["#Tenure"]
    assert facts["Range"].xpath(".//a/@href") == ["#Post"]
    assert facts["Characteristics"].text_content().strip() == "functional"


def test_a_scheme_lists_its_concepts_and_concepts_their_scheme() -> None:
    scheme = _page().get_element_by_id("EventStatuses")  # type: ignore[attr-defined]
    assert scheme.xpath(".//dd//a/@href")[:2] == ["#Occurred", "#Planned"]
    concept = _page().get_element_by_id("SubstantialConclusion")  # type: ignore[attr-defined]
    facts = dict(zip(concept.xpath(".//dt/text()"), concept.xpath(".//dd"), strict=True))
    assert facts["Broader"].xpath(".//a/@href") == ["#Conclusion"]
    assert facts["In scheme"].xpath(".//a/@href") == ["#EventTypes"]


def test_metadata_and_prefixes_come_from_the_turtle() -> None:
    page = _page()
    header = page.find(".//header").text_content()  # type: ignore[attr-defined]
    assert "https://w3id.org/cakg/ontology/0.1.0" in header
    assert "creativecommons.org/licenses/by/4.0" in header
    rows = page.get_element_by_id("prefixes").xpath(".//tr/td[1]/code/text()")  # type: ignore[attr-defined]
    assert "cakg:" in rows
    assert "sdmx-dimension:" in rows
    declared = ontology_text().count("@prefix ")
    assert len(rows) == declared


def test_the_document_follows_the_turtle_it_is_given() -> None:
    turtle = ontology_text() + (
        '\ncakg:Widget a owl:Class ; rdfs:subClassOf cakg:Event ; rdfs:label "widget"@en ;'
        ' rdfs:comment "A test class."@en .\n'
    )
    page = ontology_document(turtle)
    widget = page.get_element_by_id("Widget")
    assert widget.xpath(".//dd//a/@href")[0] == "#Event"
    assert "#Widget" in page.get_element_by_id("Event").xpath(".//a/@href")


def test_anchors_are_unique() -> None:
    ids = _page().xpath("//@id")  # type: ignore[attr-defined]
    assert len(ids) == len(set(ids))


def test_the_page_can_be_written_to_a_file(tmp_path: Path) -> None:
    from cakg.graph.ontology_doc import main

    out = tmp_path / "ontology.html"
    assert main([str(out)]) == 0
    assert out.read_text("utf-8") == ontology_html()
