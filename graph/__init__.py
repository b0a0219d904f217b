"""The graph: namespaces, builds, the store, SPARQL, validation and network analytics.

The facade names what other packages use most; the modules hold the rest.
"""

from __future__ import annotations

from cakg.graph.build import Build, GraphPart, current_build, write_build
from cakg.graph.namespaces import CAKG, DATA_BASE, PREFIXES, entity_iri, graph_iri
from cakg.graph.store import LocalStore, open_build_store
from cakg.graph.validation import ValidationReport, validate_build, validate_dataset

__all__ = [
    "CAKG",
    "DATA_BASE",
    "PREFIXES",
    "Build",
    "GraphPart",
    "LocalStore",
    "ValidationReport",
    "current_build",
    "entity_iri",
    "graph_iri",
    "open_build_store",
    "validate_build",
    "validate_dataset",
    "write_build",
]
