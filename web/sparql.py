"""The SPARQL 1.1 Protocol at ``/sparql``, the Graph Store Protocol at ``/store``, ``/health``.

- Queries by GET, POST form, POST ``application/sparql-query`` (and the HTTP ``QUERY``
  method); ``default-graph-uri`` / ``named-graph-uri``; results by content negotiation, or
  by the ``format`` / ``output`` / ``results`` override; 406 when nothing fits.
- ``GET /sparql`` without a query: the service description (RDF, negotiated).
- Updates and Graph Store writes: 403 unless the server has an update token, then they
  need ``Authorization: Bearer <token>``.
- The logic lives in :mod:`cakg.graph`; this module only reads requests and writes answers.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from cakg.errors import QueryError
from cakg.graph.engine import (
    ERRORS,
    GraphRead,
    GraphWrite,
    Outcome,
    Ping,
    Query,
    QueryEngine,
    Stats,
    Update,
)
from cakg.graph.formats import (
    FORMATS,
    NotAcceptable,
    UnsupportedMediaType,
    negotiate,
    rdf_format_for_content_type,
)
from cakg.graph.results import serialise_triples
from cakg.graph.sparql import (
    OperationRefused,
    apply_using,
    check_query,
    check_update,
    has_dataset_clause,
    is_bounded_lookup,
)
from cakg.graph.store import LocalStore
from cakg.web.errors import HttpError
from cakg.web.result_cache import ResultCache
from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header
from werkzeug.wrappers import Response as BaseResponse

__all__ = [
    "answer_lookup",
    "bp",
    "engine",
    "job_etag",
    "lookup_allowed",
    "negotiated_formats",
    "result_headers",
]

bp = Blueprint("sparql", __name__)

_OVERRIDE_PARAMS = ("format", "output", "results")
_FORM = "application/x-www-form-urlencoded"
_QUERY_TYPE = "application/sparql-query"
_UPDATE_TYPE = "application/sparql-update"
_SD = "http://www.w3.org/ns/sparql-service-description#"


def engine() -> QueryEngine:
    """Return the app's query engine (``app.extensions["cakg.engine"]``)."""
    from cakg.web.app import get_engine

    return get_engine(current_app)


# -- reading protocol requests -------------------------------------------------------------


def _single(params: MultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise QueryError(
            f"The request has {len(values)} '{name}' parameters; send exactly one "
            "(SPARQL 1.1 Protocol, section 2.1)."
        )
    return values[0] if values else None


def _body_text(media_type_params: dict[str, str]) -> str:
    charset = media_type_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            f"The body's charset is {charset}; send the SPARQL in UTF-8 "
            "(SPARQL 1.1 Protocol, section 2.1.3)."
        )
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"The body is not valid UTF-8 ({exc}); send the SPARQL in UTF-8.") from exc


def _read_operation() -> tuple[str | None, str, MultiDict[str, str]]:
    """Return ``(operation, text, parameters)``; ``operation`` is query, update or None."""
    args = request.args
    if request.method in ("GET", "HEAD"):
        if "update" in args:
            raise QueryError(
                "An update cannot be sent with GET; POST it as application/sparql-update "
                "or as an 'update' form field (SPARQL 1.1 Protocol, section 2.2)."
            )
        query = _single(args, "query")
        return ("query", query, args) if query is not None else (None, "", args)
    content_type = request.headers.get("Content-Type")
    if not content_type:
        raise UnsupportedMediaType(
            "No Content-Type given: POST a query as application/sparql-query, an update "
            "as application/sparql-update, or either as application/x-www-form-urlencoded."
        )
    media_type, params = parse_options_header(content_type)
    media_type = media_type.lower()
    if media_type == _FORM:
        form = request.form
        params_all: MultiDict[str, str] = MultiDict(args)
        for key, value in form.items(multi=True):
            params_all.add(key, value)
        query = _single(params_all, "query")
        update = _single(params_all, "update")
        if query is not None and update is not None:
            raise QueryError("The form has both 'query' and 'update'; send one operation.")
        if update is not None:
            if request.method != "POST":
                raise QueryError("Updates are sent with POST.")
            return ("update", update, params_all)
        if query is None:
            raise QueryError("The form has no 'query' (or 'update') field.")
        return ("query", query, params_all)
    if media_type in (_QUERY_TYPE, _UPDATE_TYPE):
        operation = "query" if media_type == _QUERY_TYPE else "update"
        if "query" in args or "update" in args:
            raise QueryError(
                f"The request has the {operation} in its body and a 'query' or 'update' "
                "parameter in its URL; send it once."
            )
        if operation == "update" and request.method != "POST":
            raise QueryError("Updates are sent with POST.")
        return (operation, _body_text(params), MultiDict(args))
    raise UnsupportedMediaType(
        f"No supported Content-Type given: {content_type}. Use application/sparql-query, "
        "application/sparql-update or application/x-www-form-urlencoded."
    )


def _overrides(params: MultiDict[str, str]) -> list[str]:
    return [v for name in _OVERRIDE_PARAMS for v in params.getlist(name) if v.strip()]


def _timeout(params: MultiDict[str, str]) -> float:
    limit = float(current_app.config["CAKG_QUERY_TIMEOUT"])
    asked = params.get("timeout")
    if asked is None:
        return limit
    try:
        value = float(asked)
    except ValueError:
        raise QueryError(f"timeout={asked!r} is not a number of seconds.") from None
    if value <= 0:
        raise QueryError("timeout must be a positive number of seconds.")
    return min(value, limit)


def _require_token() -> None:
    """Check that writes are enabled and the request carries the update token.

    Raises:
        OperationRefused: the server is read-only (403).
        HttpError: the token is missing (401) or wrong (403).
    """
    token = str(current_app.config.get("CAKG_UPDATE_TOKEN") or "")
    if not token:
        raise OperationRefused(
            "This endpoint is read-only: SPARQL Update and Graph Store writes are disabled. "
            "The data comes from the build; change the sources and run `cakg build`, or "
            "start a server with --update-token and --store for a writable store."
        )
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise HttpError(
            401,
            "Writes need the server's update token: send 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="cakg"'},
        )
    if not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise HttpError(403, "The update token is wrong; writes need the server's token.")


def _note(outcome: Outcome, operation: str) -> None:
    g.cakg_operation = operation
    g.cakg_query_ms = round(outcome.elapsed * 1000, 2)
    g.cakg_rows = outcome.rows
    g.cakg_truncated = outcome.truncated


def result_headers(outcome: Outcome, max_rows: int | None, tag: str | None) -> dict[str, str]:
    """Return the headers of a query answer besides its type and length.

    ``Vary``, ``Server-Timing``, the row-cap signals when the result was cut, and the
    validators (``ETag``, ``Cache-Control: no-cache``) when ``tag`` is given. Both the
    Flask view and the lookup fast path (:mod:`cakg.web.fast_path`) answer with these.
    """
    headers = {"Vary": "Accept", "Server-Timing": f"query;dur={outcome.elapsed * 1000:.1f}"}
    if outcome.truncated and max_rows is not None:
        headers["X-SPARQL-MaxRows"] = str(max_rows)
        headers["X-Result-Truncated"] = (
            f"true; the result has more than {max_rows} rows and was cut there; "
            "add LIMIT / OFFSET to page through it"
        )
    if tag is not None:
        headers["ETag"] = f'"{tag}"'
        headers["Cache-Control"] = "no-cache"
    return headers


def _answer(outcome: Outcome, max_rows: int | None = None, tag: str | None = None) -> Response:
    response = Response(outcome.body, status=outcome.status, content_type=outcome.media_type)
    response.headers.update(result_headers(outcome, max_rows, tag))
    return response


def _negotiated(params: MultiDict[str, str]) -> dict[str, Any]:
    return dict(negotiated_formats(request.headers.get("Accept"), tuple(_overrides(params))))


@functools.lru_cache(maxsize=512)
def negotiated_formats(accept: str | None, override: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """Return a query job's format fields for an ``Accept`` header and overrides.

    ``(("results_format", key), ("results_error", ""), ("graph_format", ...), ...)``:
    the format for a SELECT / ASK answer and for a CONSTRUCT / DESCRIBE answer, or why
    there is none. Clients send few distinct headers, so the answers are cached.

    Raises:
        NotAcceptable: no format of either kind fits.
    """
    found: dict[str, Any] = {}
    for kind in ("results", "graph"):
        try:
            found[f"{kind}_format"] = negotiate(accept, kind, override=override).key  # type: ignore[arg-type]
            found[f"{kind}_error"] = ""
        except NotAcceptable as exc:
            found[f"{kind}_format"] = None
            found[f"{kind}_error"] = str(exc)
    if found["results_format"] is None and found["graph_format"] is None:
        raise NotAcceptable(found["results_error"])
    return tuple(found.items())


# -- /sparql -------------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST", "QUERY"])
def sparql() -> BaseResponse:
    """Answer a SPARQL 1.1 Protocol request, or describe the service when there is none."""
    operation, text, params = _read_operation()
    if operation is None:
        return service_description()
    if operation == "update":
        return _update(text, params)
    check_query(text)
    defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    protocol_dataset = bool(defaults or named)
    max_rows = int(current_app.config["CAKG_MAX_ROWS"])
    job = Query(
        text=text,
        base_iri=request.base_url,
        default_graphs=tuple(defaults) if protocol_dataset else None,
        named_graphs=tuple(named) if protocol_dataset else None,
        union=not protocol_dataset and not has_dataset_clause(text),
        max_rows=max_rows,
        **_negotiated(params),
    )
    tag = _etag(job)
    if tag is not None and request.if_none_match.contains(tag):
        return _not_modified(tag)
    outcome = _bounded_lookup(job)
    cache_state = None
    if outcome is None:
        outcome, cache_state = _run_cached(job, _timeout(params), tag)
    _note(outcome, "query")
    response = _answer(outcome, max_rows, tag)
    if cache_state is not None:
        g.cakg_cache = cache_state
        response.headers["X-Cache"] = cache_state
        response.headers["Server-Timing"] += f', cache;desc="{cache_state}"'
    return response


def _run_cached(job: Query, timeout: float, tag: str | None) -> tuple[Outcome, str | None]:
    """Run ``job`` on the worker pool, or answer it from the result cache.

    ``tag``: the job's entity tag when the view has worked it out already (a GET).

    Returns the outcome and ``"hit"`` / ``"miss"``, or ``None`` when this server does not
    cache (no cache, or a store that can change: ``cakg.web.result_cache``).
    """
    cache: ResultCache | None = current_app.extensions.get("cakg.cache")
    build = current_app.extensions.get("cakg.build")
    if cache is None or build is None or current_app.config.get("CAKG_STORE"):
        return engine().run(job, timeout=timeout), None
    key = tag or job_etag(build.path.name, job)
    found = cache.get(key)
    if found is not None:
        return dataclasses.replace(found, elapsed=0.0), "hit"
    outcome = engine().run(job, timeout=timeout)
    cache.put(key, outcome)
    return outcome, "miss"


def _bounded_lookup(job: Query) -> Outcome | None:
    """Answer an entity lookup in the request thread, on the build's store this process holds.

    Only a query that is one triple pattern around a given node (``is_bounded_lookup``) is
    answered here: its cost is bounded by that node's links and the row cap, so it needs no
    killable worker, and skipping the hop to one makes lookups several times faster. Every
    other query goes to the worker pool and its time limit.
    """
    store = current_app.extensions.get("cakg.store")
    if not lookup_allowed(current_app.config, store, job):
        return None
    assert isinstance(store, LocalStore)
    return answer_lookup(store, job)


def lookup_allowed(config: Mapping[str, Any], store: object, job: Query) -> bool:
    """Return whether ``job`` may be answered in the request thread (see ``_bounded_lookup``).

    Only on a build's read-only store, with the union default graph and no protocol
    dataset, and only for a query that is one triple pattern around a given node.
    """
    return (
        type(store) is LocalStore
        and not config.get("CAKG_UPDATE_TOKEN")
        and job.default_graphs is None
        and job.union
        and is_bounded_lookup(job.text)
    )


def answer_lookup(store: LocalStore, job: Query) -> Outcome:
    """Run ``job`` with the query worker's own code in this thread; raise its errors."""
    from cakg.graph.query_worker import handle

    started = time.monotonic()
    answer = handle(store.raw, job, union_view=store.union_view)
    if answer[0] == "error":
        _, kind, message = answer
        raise ERRORS.get(kind, QueryError)(message)
    outcome: Outcome = answer[1]
    return dataclasses.replace(outcome, elapsed=time.monotonic() - started)


def _etag(job: object) -> str | None:
    """Return a validator for a GET of a build, which never changes: the build and the job."""
    build = current_app.extensions.get("cakg.build")
    if (
        request.method not in ("GET", "HEAD")
        or build is None
        or current_app.config.get("CAKG_STORE")
    ):
        return None
    return job_etag(build.path.name, job)


def job_etag(build_name: str, job: object) -> str:
    """Return the entity tag of ``job``'s answer on the build named ``build_name``."""
    return hashlib.sha256(f"{build_name}\n{job!r}".encode()).hexdigest()[:32]


def _not_modified(tag: str) -> Response:
    response = Response(status=304)
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = "Accept"
    return response


def _update(text: str, params: MultiDict[str, str]) -> Response:
    _require_token()
    check_update(text)
    text = apply_using(
        text, params.getlist("using-graph-uri"), params.getlist("using-named-graph-uri")
    )
    outcome = engine().run(Update(text, base_iri=request.base_url), timeout=_timeout(params))
    _note(outcome, "update")
    return Response(status=204)


def _stats() -> dict[str, Any]:
    app = current_app
    cached: dict[str, Any] | None = app.extensions.get("cakg.stats")
    if cached is not None:
        return cached
    stats: dict[str, Any] = engine().run(Stats()).value
    if not app.config.get("CAKG_UPDATE_TOKEN"):
        app.extensions["cakg.stats"] = stats  # read-only: the counts never change
    return stats


def service_description() -> BaseResponse:
    """Describe the endpoint (SPARQL 1.1 Service Description), content-negotiated.

    Browsers (``text/html`` preferred to every RDF type) are sent to the query page.
    """
    offered = [*(f.media_type for f in FORMATS if f.kind == "graph"), "text/html"]
    if (
        not _overrides(request.args)
        and request.accept_mimetypes.best_match(offered) == "text/html"
        and "pages.index" in current_app.view_functions
    ):
        return redirect(url_for("pages.index"), code=303)
    fmt = negotiate(request.headers.get("Accept"), "graph", override=_overrides(request.args))
    endpoint = ox.NamedNode(request.base_url)
    writable = bool(current_app.config.get("CAKG_UPDATE_TOKEN"))
    stats = _stats()
    triples: list[ox.Triple] = []

    def add(
        s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def sd(name: str) -> str:
        return _SD + name

    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    comment = "http://www.w3.org/2000/01/rdf-schema#comment"
    void_triples = "http://rdfs.org/ns/void#triples"
    add(endpoint, rdf_type, ox.NamedNode(sd("Service")))
    add(endpoint, sd("endpoint"), endpoint)
    add(
        endpoint,
        "http://purl.org/dc/terms/title",
        ox.Literal("China–ASEAN knowledge graph: SPARQL endpoint", language="en"),
    )
    languages = ["SPARQL10Query", "SPARQL11Query"] + (["SPARQL11Update"] if writable else [])
    for language in languages:
        add(endpoint, sd("supportedLanguage"), ox.NamedNode(sd(language)))
    for f in FORMATS:
        add(endpoint, sd("resultFormat"), ox.NamedNode(f.iri))
    for feature in ("UnionDefaultGraph", "EmptyGraphs"):
        add(endpoint, sd("feature"), ox.NamedNode(sd(feature)))
    add(
        endpoint,
        sd("defaultEntailmentRegime"),
        ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
    )
    timeout = current_app.config["CAKG_QUERY_TIMEOUT"]
    max_rows = current_app.config["CAKG_MAX_ROWS"]
    add(
        endpoint,
        comment,
        ox.Literal(
            "The default graph of every query is the union of all named graphs (one per "
            "source document, plus the ontology and the gazetteer); use GRAPH, FROM or "
            "default-graph-uri / named-graph-uri to pick graphs. The union is an RDF merge: "
            "a triple stated in several graphs is in the default graph once. "
            f"Queries stop after {timeout} s (503). Results are capped at {max_rows} rows; "
            "a capped result says so in the X-SPARQL-MaxRows header. SERVICE and LOAD are "
            "disabled: the server never fetches URLs. "
            + ("Updates need the update token." if writable else "The endpoint is read-only."),
            language="en",
        ),
    )
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    add(endpoint, sd("defaultDataset"), dataset)
    add(dataset, rdf_type, ox.NamedNode(sd("Dataset")))
    add(dataset, sd("defaultGraph"), default_graph)
    add(default_graph, rdf_type, ox.NamedNode(sd("Graph")))
    add(default_graph, comment, ox.Literal("The union of all named graphs.", language="en"))
    add(
        default_graph,
        void_triples,
        ox.Literal(
            str(stats["default_graph"]),
            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
        ),
    )
    for name, count in sorted(stats["graphs"].items()):
        named, graph = ox.BlankNode(), ox.BlankNode()
        add(dataset, sd("namedGraph"), named)
        add(named, rdf_type, ox.NamedNode(sd("NamedGraph")))
        add(named, sd("name"), ox.NamedNode(name))
        add(named, sd("graph"), graph)
        add(graph, rdf_type, ox.NamedNode(sd("Graph")))
        add(
            graph,
            void_triples,
            ox.Literal(
                str(count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            ),
        )
    body = serialise_triples(triples, fmt, prefixes={"sd": _SD}).body
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


# -- /store: the Graph Store Protocol ---------------------------------------------------------


def _target() -> tuple[bool, str | None]:
    """Return ``(named, graph)`` from ``?graph=IRI`` or ``?default`` (``graph`` None if neither)."""
    graph = _single(request.args, "graph")
    default = "default" in request.args
    if graph is not None and default:
        raise QueryError("Give either ?graph=IRI or ?default, not both.")
    if graph is not None:
        return True, graph
    return False, "" if default else None


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    """Answer a Graph Store Protocol request (indirect identification: ?graph= / ?default)."""
    named, graph = _target()
    return _graph_store(named, graph)


@bp.route("/store/<path:_path>", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store_direct(_path: str) -> Response:
    """Answer a Graph Store Protocol request for the graph named by this very URL."""
    if "graph" in request.args or "default" in request.args:
        raise QueryError(
            "This URL names its graph itself (direct identification); drop ?graph= / ?default, "
            "or send the request to /store."
        )
    return _graph_store(True, request.base_url)


def _graph_store(named: bool, graph: str | None) -> Response:
    if request.method in ("GET", "HEAD"):
        if graph is None:
            raise QueryError(
                "Name the graph to read: /store?graph=<IRI> for a named graph, or "
                "/store?default for the default graph (the union of all named graphs)."
            )
        fmt = negotiate(request.headers.get("Accept"), "graph", override=_overrides(request.args))
        job = GraphRead(graph if named else None, fmt.key)
        tag = _etag(job)
        if tag is not None and request.if_none_match.contains(tag):
            return _not_modified(tag)
        outcome = engine().run(job)
        _note(outcome, "gsp-read")
        return _answer(outcome, tag=tag)
    _require_token()
    location = None
    if request.method == "POST" and graph is None:
        graph, named = f"{request.url_root}store/{uuid.uuid4().hex}", True
        location = graph
    if graph is None:
        raise QueryError("Name the graph to write: ?graph=<IRI>, or ?default.")
    parts: Sequence[tuple[bytes, str]] = ()
    if request.method in ("PUT", "POST"):
        parts = _rdf_parts()
    write = GraphWrite(
        request.method, graph if named else None, tuple(parts), base_iri=graph or None
    )
    outcome = engine().run(write)
    _note(outcome, "gsp-write")
    response = Response(status=201 if location else outcome.status)
    if location:
        response.headers["Location"] = location
    return response


def _rdf_parts() -> list[tuple[bytes, str]]:
    media_type, _ = parse_options_header(request.headers.get("Content-Type", ""))
    if media_type.lower() == "multipart/form-data":
        parts = []
        for upload in request.files.values():
            content_type = upload.content_type or "text/turtle"
            rdf_format_for_content_type(content_type)
            parts.append((upload.read(), parse_options_header(content_type)[0]))
        if not parts:
            raise QueryError("The multipart body has no file parts with RDF in them.")
        return parts
    rdf_format_for_content_type(request.headers.get("Content-Type"))
    return [(request.get_data(), media_type.lower())]


# -- /health ----------------------------------------------------------------------------------


@bp.route("/health", methods=["GET"])
def health() -> Response:
    """Report whether a query process answers, with the build and limits (JSON)."""
    started = time.perf_counter()
    outcome = engine().run(
        Ping(), timeout=min(5.0, float(current_app.config["CAKG_QUERY_TIMEOUT"]))
    )
    build = current_app.extensions.get("cakg.build")
    body = {
        "status": "ok",
        "ping_ms": round((time.perf_counter() - started) * 1000, 2),
        "worker_ms": round(outcome.elapsed * 1000, 2),
        "build": build.path.name if build is not None else None,
        "writable": bool(current_app.config.get("CAKG_UPDATE_TOKEN")),
        "query_timeout_s": current_app.config["CAKG_QUERY_TIMEOUT"],
        "max_rows": current_app.config["CAKG_MAX_ROWS"],
        "timeouts": engine().timeouts,
    }
    cache: ResultCache | None = current_app.extensions.get("cakg.cache")
    if cache is not None:
        body["cache"] = {
            "entries": len(cache),
            "bytes": cache.size,
            "max_bytes": cache.max_bytes,
            "hits": cache.hits,
            "misses": cache.misses,
        }
    from flask import jsonify

    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
