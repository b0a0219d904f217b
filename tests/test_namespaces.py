"""The closed ``CAKG`` namespace and the OWL file declare exactly the same terms."""

from __future__ import annotations

import pytest
from cakg.graph.model import ontology_graph
from cakg.graph.namespaces import CAKG
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

NS = str(CAKG._NS)


def _own(node: object) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(NS)


def _declared(graph: Graph) -> set[str]:
    """Return the local names of the terms the file describes (subjects with a type)."""
    return {str(s)[len(NS) :] for s in graph.subjects(RDF.type, None) if _own(s)}


def _in_namespace_class() -> set[str]:
    return {name for name in CAKG.__annotations__ if not name.startswith("_")}


def test_every_owl_term_is_in_the_namespace_and_back() -> None:
    in_file = _declared(ontology_graph())
    in_python = _in_namespace_class()
    assert len(in_file) > 100
    assert sorted(in_file - in_python) == [], "add these to CAKG in graph/namespaces.py"
    assert sorted(in_python - in_file) == [], "declare these in ontology/cakg.ttl"


def test_every_referenced_term_is_declared() -> None:
    graph = ontology_graph()
    used = {str(o)[len(NS) :] for o in graph.objects() if _own(o)}
    used |= {str(p)[len(NS) :] for p in graph.predicates() if _own(p)}
    assert sorted(used - _declared(graph)) == []


def test_the_namespace_is_closed() -> None:
    assert CAKG.Tenure == URIRef(NS + "Tenure")
    with pytest.raises(AttributeError):
        _ = CAKG.Tenur


@pytest.mark.parametrize("name", sorted(_declared(ontology_graph())))
def test_every_term_has_an_english_label_and_comment(name: str) -> None:
    graph = ontology_graph()
    term = URIRef(NS + name)
    for key in (RDFS.label, RDFS.comment):
        values = [v for v in graph.objects(term, key) if isinstance(v, Literal)]
        assert any(v.language == "en" and str(v).strip() for v in values), f"{name}: {key}"
