"""Shared by the linked-data, VoID and page tests: the fixture build and the app on it.

Loaded by path (the tests folder is not a package): see ``load`` in each test module.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pyoxigraph as ox
import rdflib
from cakg.graph.build import Build, GraphPart, write_build
from cakg.graph.store import LocalStore, open_build_store
from cakg.web import linked_data, pages
from cakg.web.app import create_app
from flask import Flask
from rdflib import URIRef

LD_DATA = Path(__file__).parent / "seed.trig"


def build_ld_fixture(instance: Path) -> Build:
    """Write the small linked-data fixture (``seed.trig``) as a build in ``instance``."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(LD_DATA.read_bytes(), format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode), "every fixture triple is in a graph"
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    parts = []
    for name, triples in sorted(by_graph.items()):
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        graph = rdflib.Graph().parse(data=data, format="nt")
        kind = "reference" if name.endswith("gazetteer") else "source"
        parts.append(GraphPart(URIRef(name), graph, kind))
    with warnings.catch_warnings():
        # rdflib's TriG serializer (used by write_build) calls its own deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        return write_build(parts, instance)


def make_app(instance: Path, build: Build, **config: object) -> Flask:
    """Create the app on ``build``, registering this area's blueprints if the factory does not."""
    settings = {"TESTING": True, "CAKG_INSTANCE": str(instance), "CAKG_QUERY_PROCESSES": 1}
    app = create_app({**settings, "CAKG_ACCESS_LOG": False, **config})
    for blueprint in (linked_data.bp, pages.bp):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    if not isinstance(app.extensions.get("cakg.store"), LocalStore):
        app.extensions["cakg.store"] = open_build_store(build.store_path)
    if app.extensions.get("cakg.build") is None:
        app.extensions["cakg.build"] = build
    return app


def as_graph(data: bytes, media_type: str) -> rdflib.Graph:
    """Parse an RDF document with pyoxigraph (no rdflib deprecation warnings) into rdflib."""
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.from_media_type(media_type))]
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")
