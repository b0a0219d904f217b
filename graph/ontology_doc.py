"""HTML documentation of the ontology, generated from the Turtle file itself.

Every term of the ``cakg:`` namespace gets an element whose ``id`` is its local name, so
that ``https://w3id.org/cakg/ontology#Tenure`` lands on the documentation of
``cakg:Tenure``. Sections: metadata, classes (with superclasses, subclasses, alignments and
the properties that use them), object and datatype properties (with domain, range and
characteristics), concept schemes with their concepts, and the prefixes of the file.
``python -m cakg.graph.ontology_doc [FILE]`` writes the page for offline reading.

>>> page = ontology_html()
>>> page.startswith("<!DOCTYPE html>") and 'id="Tenure"' in page
True
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cakg.graph.model import ontology_graph, ontology_text
from cakg.graph.namespaces import CAKG, ONTOLOGY_IRI
from lxml import html as lxml_html
from lxml.html import builder as E
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

__all__ = ["main", "ontology_document", "ontology_html", "ontology_version"]

VANN = "http://purl.org/vocab/vann/"
_PREFIX_LINE = re.compile(r"^@prefix\s+([A-Za-z][\w.-]*|):\s*<([^>]*)>\s*\.", re.MULTILINE)
_ALIGNMENTS = (SKOS.exactMatch, SKOS.closeMatch, OWL.equivalentClass, OWL.equivalentProperty)
_CHARACTERISTICS = {
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.SymmetricProperty: "symmetric",
    OWL.TransitiveProperty: "transitive",
    URIRef("http://purl.org/linked-data/cube#DimensionProperty"): "Data Cube dimension",
    URIRef("http://purl.org/linked-data/cube#AttributeProperty"): "Data Cube attribute",
    URIRef("http://purl.org/linked-data/cube#MeasureProperty"): "Data Cube measure",
}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
code { font-size: 0.95em; }
section.term { border-top: 1px solid #ddd; padding: 0.5rem 0; }
section.term:target { background: #fff8dc; }
section.term h3 a { color: inherit; text-decoration: none; }
dl.facts { display: grid; grid-template-columns: 10rem 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
.lang { color: #666; }
"""


@dataclass(frozen=True)
class _Doc:
    graph: Graph
    prefixes: tuple[tuple[str, str], ...]
    namespace: str

    def own(self, node: Node) -> bool:
        return isinstance(node, URIRef) and str(node).startswith(self.namespace)

    def local(self, node: URIRef) -> str:
        return str(node)[len(self.namespace) :]

    def curie(self, node: Node) -> str:
        if isinstance(node, Literal):
            return str(node)
        text = str(node)
        best = max(
            ((p, ns) for p, ns in self.prefixes if ns and text.startswith(ns)),
            key=lambda pair: len(pair[1]),
            default=None,
        )
        if best is None:
            return text
        return f"{best[0]}:{text[len(best[1]) :]}"

    def link(self, node: Node) -> Any:
        if isinstance(node, URIRef) and self.own(node):
            return E.A(E.CODE(self.curie(node)), href=f"#{self.local(node)}")
        if isinstance(node, URIRef):
            return E.A(E.CODE(self.curie(node)), href=str(node))
        return E.CODE(self.curie(node))

    def label(self, node: Node) -> str:
        labels = _by_language(self.graph.objects(node, RDFS.label))
        return labels.get("en") or next(iter(labels.values()), self.curie(node))

    def own_subjects(self, rdf_type: URIRef) -> list[URIRef]:
        found = {s for s in self.graph.subjects(RDF.type, rdf_type) if isinstance(s, URIRef)}
        return sorted((s for s in found if self.own(s)), key=str)


def _by_language(literals: Iterable[Node]) -> dict[str, str]:
    found: dict[str, str] = {}
    for literal in sorted(literals, key=str):
        if isinstance(literal, Literal):
            found.setdefault(literal.language or "", str(literal))
    return found


def _declared_prefixes(turtle: str) -> tuple[tuple[str, str], ...]:
    return tuple(_PREFIX_LINE.findall(turtle))


def _facts(rows: Iterable[tuple[str, list[Any]]]) -> Any:
    items: list[Any] = []
    for name, values in rows:
        if not values:
            continue
        cell: list[Any] = []
        for i, value in enumerate(values):
            if i:
                cell.append(", ")
            cell.append(value)
        items.extend([E.DT(name), E.DD(*cell)])
    return E.DL(E.CLASS("facts"), *items) if items else None


def _term_section(doc: _Doc, term: URIRef, rows: Iterable[tuple[str, list[Any]]]) -> Any:
    labels = _by_language(doc.graph.objects(term, RDFS.label))
    heading: list[Any] = [E.CODE(doc.curie(term)), " — ", labels.get("en", "")]
    for lang, text in labels.items():
        if lang != "en":
            heading.extend([" ", E.SPAN(E.CLASS("lang"), f"({lang}: {text})")])
    body = [E.H3(E.A(*heading, href=f"#{doc.local(term)}"))]
    for comment in sorted(doc.graph.objects(term, RDFS.comment), key=str):
        body.append(E.P(str(comment)))
    facts = _facts([*rows, ("IRI", [E.CODE(str(term))])])
    if facts is not None:
        body.append(facts)
    return E.SECTION(E.CLASS("term"), *body, id=doc.local(term))


def _links(doc: _Doc, nodes: Iterable[Node]) -> list[Any]:
    return [doc.link(n) for n in sorted(set(nodes), key=lambda n: doc.curie(n))]


def _alignments(doc: _Doc, term: URIRef) -> list[Any]:
    return _links(doc, (o for p in _ALIGNMENTS for o in doc.graph.objects(term, p)))


def _class_sections(doc: _Doc) -> Iterator[Any]:
    g = doc.graph
    for cls in doc.own_subjects(OWL.Class):
        yield _term_section(
            doc,
            cls,
            [
                ("Subclass of", _links(doc, g.objects(cls, RDFS.subClassOf))),
                ("Superclass of", _links(doc, g.subjects(RDFS.subClassOf, cls))),
                ("Alignments", _alignments(doc, cls)),
                ("Domain of", _links(doc, g.subjects(RDFS.domain, cls))),
                ("Range of", _links(doc, g.subjects(RDFS.range, cls))),
                ("Instances", _links(doc, (s for s in g.subjects(RDF.type, cls) if doc.own(s)))),
            ],
        )


def _property_sections(doc: _Doc, kind: URIRef) -> Iterator[Any]:
    g = doc.graph
    for prop in doc.own_subjects(kind):
        characteristics = [
            E.SPAN(name) for t, name in _CHARACTERISTICS.items() if (prop, RDF.type, t) in g
        ]
        yield _term_section(
            doc,
            prop,
            [
                ("Domain", _links(doc, g.objects(prop, RDFS.domain))),
                ("Range", _links(doc, g.objects(prop, RDFS.range))),
                ("Subproperty of", _links(doc, g.objects(prop, RDFS.subPropertyOf))),
                ("Inverse of", _links(doc, g.objects(prop, OWL.inverseOf))),
                ("Characteristics", characteristics),
                ("Alignments", _alignments(doc, prop)),
            ],
        )


def _scheme_sections(doc: _Doc) -> Iterator[Any]:
    g = doc.graph
    for scheme in doc.own_subjects(SKOS.ConceptScheme):
        concepts = sorted(
            (c for c in set(g.subjects(SKOS.inScheme, scheme)) if isinstance(c, URIRef)), key=str
        )
        yield _term_section(doc, scheme, [("Concepts", _links(doc, concepts))])
        for concept in concepts:
            yield _term_section(
                doc,
                concept,
                [
                    ("Type", _links(doc, g.objects(concept, RDF.type))),
                    ("In scheme", [doc.link(scheme)]),
                    ("Broader", _links(doc, g.objects(concept, SKOS.broader))),
                    ("Narrower", _links(doc, g.subjects(SKOS.broader, concept))),
                    ("Alignments", _alignments(doc, concept)),
                ],
            )


def _metadata(doc: _Doc, ontology: URIRef) -> Any:
    g = doc.graph

    def values(p: URIRef) -> list[Any]:
        return [
            doc.link(v) if isinstance(v, URIRef) else E.SPAN(str(v))
            for v in sorted(g.objects(ontology, p), key=str)
        ]

    return _facts(
        [
            ("IRI", [E.CODE(str(ontology))]),
            ("Version IRI", values(OWL.versionIRI)),
            ("Version", values(OWL.versionInfo)),
            ("Creator", values(DCTERMS.creator)),
            ("License", values(DCTERMS.license)),
            ("Preferred prefix", values(URIRef(VANN + "preferredNamespacePrefix"))),
            ("Namespace", values(URIRef(VANN + "preferredNamespaceUri"))),
            ("Imports", values(OWL.imports)),
        ]
    )


def ontology_document(turtle: str, *, ontology_iri: URIRef = ONTOLOGY_IRI) -> Any:
    """Return the documentation of the ontology in ``turtle`` as an lxml ``<html>`` element."""
    graph = Graph()
    graph.parse(data=turtle, format="turtle")
    doc = _Doc(graph, _declared_prefixes(turtle), str(CAKG._NS))
    title = str(graph.value(ontology_iri, DCTERMS.title) or graph.value(ontology_iri, RDFS.label))
    description = graph.value(ontology_iri, DCTERMS.description) or graph.value(
        ontology_iri, RDFS.comment
    )
    sections: list[tuple[str, str, list[Any]]] = [
        ("classes", "Classes", list(_class_sections(doc))),
        (
            "object-properties",
            "Object properties",
            list(_property_sections(doc, OWL.ObjectProperty)),
        ),
        (
            "datatype-properties",
            "Datatype properties",
            list(_property_sections(doc, OWL.DatatypeProperty)),
        ),
        ("concept-schemes", "Concept schemes and concepts", list(_scheme_sections(doc))),
    ]
    toc = E.UL(
        *(
            E.LI(E.A(heading, href=f"#{anchor}"), f" ({len(items)})")
            for anchor, heading, items in sections
        ),
        E.LI(E.A("Prefixes", href="#prefixes")),
    )
    prefix_rows = [
        E.TR(E.TD(E.CODE(prefix + ":")), E.TD(E.A(E.CODE(ns), href=ns)))
        for prefix, ns in sorted(doc.prefixes)
    ]
    body = E.BODY(
        E.HEADER(
            E.H1(title),
            E.P(str(description)) if description is not None else "",
            _metadata(doc, ontology_iri),
        ),
        E.NAV(E.H2("Contents"), toc),
        *(E.SECTION(E.H2(heading), *items, id=anchor) for anchor, heading, items in sections),
        E.SECTION(
            E.H2("Prefixes"),
            E.TABLE(E.TR(E.TH("Prefix"), E.TH("Namespace")), *prefix_rows),
            id="prefixes",
        ),
    )
    return E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.TITLE(title),
            E.STYLE(_STYLE),
        ),
        body,
        lang="en",
    )


@lru_cache(maxsize=1)
def ontology_version() -> str:
    """Return the ontology's ``owl:versionInfo`` (the version its versioned IRI serves)."""
    return str(ontology_graph().value(ONTOLOGY_IRI, OWL.versionInfo) or "")


@lru_cache(maxsize=1)
def ontology_html() -> str:
    """Return the HTML page documenting the package's ontology (``cakg.ontology/cakg.ttl``)."""
    page = ontology_document(ontology_text())
    text: str = lxml_html.tostring(
        page, doctype="<!DOCTYPE html>", encoding="unicode", pretty_print=True
    )
    return text


def main(argv: list[str] | None = None) -> int:
    """Write the ontology's HTML page to the file given, or to stdout."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        Path(args[0]).write_text(ontology_html(), "utf-8")
    else:
        sys.stdout.write(ontology_html())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
