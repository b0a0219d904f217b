"""The reference baseline: a minimal Flask + pyoxigraph SPARQL endpoint, no limits at all.

``gunicorn "benchmarks.minimal_flask:create_app()"`` with ``CAKG_BENCH_STORE`` set to a
store folder. Each gunicorn worker opens the store read-only and answers ``POST /sparql``
(form ``query``) in the request thread, with pyoxigraph's own JSON writer: no process hop,
no time limit, no row cap. It shows what Flask itself costs, next to ``cakg serve``.
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from cakg.graph.namespaces import PREFIXES
from cakg.graph.store import needs_union_view
from flask import Flask, Response, request

__all__ = ["create_app"]


def create_app() -> Flask:
    """Return the minimal app over the store named by ``CAKG_BENCH_STORE``."""
    store = ox.Store.read_only(os.environ["CAKG_BENCH_STORE"])
    union = needs_union_view(store)
    app = Flask(__name__)

    @app.get("/health")
    def health() -> str:
        return "ok"

    @app.post("/sparql")
    def sparql() -> Response:
        result = store.query(
            request.form["query"], prefixes=PREFIXES, use_default_graph_as_union=union
        )
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
            return Response(body, mimetype="application/sparql-results+json")
        return Response(
            ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"",
            mimetype="application/n-triples",
        )

    return app
