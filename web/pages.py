"""The query page (``/``): a SPARQL editor with every competency question one click away.

The page works offline: its JavaScript (``static/query.js``, plain JS, no framework, no
CDN) sends the query to ``/sparql`` with ``fetch`` and renders the results as a table
whose IRIs link to their pages on this server.
"""

from __future__ import annotations

from typing import Any

from cakg.errors import QueryError
from cakg.graph.catalog import CatalogQuery, get_query, list_queries
from cakg.graph.namespaces import BASE, ONTOLOGY_IRI, PREFIXES, SHAPES_IRI
from cakg.web.linked_data import local_paths
from flask import Blueprint, Response, render_template, request

__all__ = ["bp", "default_query"]

bp = Blueprint("pages", __name__)

#: Prefixes declared at the top of the editor's starting query.
EDITOR_PREFIXES = ("cakg", "id", "rdf", "rdfs", "xsd", "schema", "sem", "org", "prov", "dcterms")


def default_query() -> str:
    """Return the query the editor starts with: the common prefixes and a simple SELECT."""
    lines = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in EDITOR_PREFIXES]
    lines += [
        "",
        "# Every person in the dataset, with their label",
        "SELECT ?person ?name WHERE {",
        "  ?person a cakg:Person ;",
        "          rdfs:label ?name .",
        '  FILTER(LANGMATCHES(LANG(?name), "en"))',
        "}",
        "ORDER BY ?name",
        "LIMIT 100",
    ]
    return "\n".join(lines) + "\n"


def _query_json(query: CatalogQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "form": query.form,
        "text": query.text,
    }


@bp.get("/")
def index() -> str:
    """Show the SPARQL editor, the competency questions, and the results area."""
    queries = list_queries()
    selected_name = request.args.get("query", "")
    selected = next((q for q in queries if q.name == selected_name), None)
    paths = local_paths()
    config = {
        "endpoint": request.script_root + "/sparql",
        "base": BASE,
        "dataBase": paths.data_base,
        "ontology": str(ONTOLOGY_IRI),
        "shapes": str(SHAPES_IRI),
        "root": request.script_root,
        "prefixes": PREFIXES,
        "autorun": selected is not None,
    }
    return render_template(
        "index.html",
        queries=queries,
        selected=selected,
        editor_text=selected.text if selected else default_query(),
        config=config,
        queries_json=[_query_json(q) for q in queries],
    )


@bp.get("/queries/<name>.rq")
def query_file(name: str) -> Response:
    """Serve one competency question's SPARQL text."""
    try:
        query = get_query(name)
    except QueryError as exc:
        return Response(str(exc) + "\n", status=404, mimetype="text/plain")
    return Response(query.text, content_type="application/sparql-query; charset=utf-8")
