"""What the ontology says about classes, read from the OWL file itself.

Every entity is typed with its ``cakg:`` class and all of that class's superclasses from
the ontology (``schema:Person``, ``foaf:Person`` ...), so that a consumer who knows only the
standard vocabularies finds it without a reasoner.

>>> from cakg.graph.namespaces import CAKG
>>> from rdflib.namespace import FOAF
>>> FOAF.Person in types_for(CAKG.Person)
True
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS

__all__ = ["ontology_graph", "ontology_text", "types_for"]


def ontology_text(name: str = "cakg.ttl") -> str:
    """Return the text of a Turtle file of the ``cakg.ontology`` package."""
    return files("cakg.ontology").joinpath(name).read_text("utf-8")


@lru_cache(maxsize=4)
def ontology_graph(name: str = "cakg.ttl") -> Graph:
    """Return a parsed Turtle file of the ``cakg.ontology`` package (cached; do not mutate)."""
    graph = Graph()
    graph.parse(data=ontology_text(name), format="turtle")
    return graph


@lru_cache(maxsize=256)
def types_for(cls: URIRef) -> tuple[URIRef, ...]:
    """Return ``cls`` followed by all its named superclasses in the ontology, sorted."""
    graph = ontology_graph()
    seen: set[URIRef] = set()
    todo = [cls]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for parent in graph.objects(current, RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent != OWL.Thing:
                todo.append(parent)
    return (cls, *sorted(seen - {cls}))
