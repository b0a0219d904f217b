"""Linked data: every IRI of the dataset dereferences; the ontology, shapes, VoID and dumps.

URL scheme (the data's IRIs keep the configured base ``CAKG_DATA_BASE`` whichever host
serves them; this server answers for them under ``/id/``):

- ``/id/{path}``: the resource ``{CAKG_DATA_BASE}{path}``. A thing, not a document, so
  the answer is ``303 See Other`` to the document describing it, chosen by ``Accept``
  (https://www.w3.org/TR/cooluris/#r303gendocument), with ``Vary: Accept``.
- ``/id/{path}.{html,ttl,jsonld,nt,rdf}``: those documents, with ``Link: rel="alternate"``
  headers, an ``ETag`` and conditional ``GET`` (``304 Not Modified``).
- ``/ontology``, ``/shapes``, ``/.well-known/void``: documents, negotiated in place
  (``Vary: Accept``, ``Content-Location``), and at ``.{ext}`` URLs.
- ``/dumps/dataset.{trig,nq}[.gz]`` and ``/dumps/graphs/{slug}.{trig,nq}[.gz]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from cakg.errors import NoBuildError
from cakg.graph.build import Build, current_build
from cakg.graph.describe import (
    DOCUMENT_TYPES,
    HTML,
    RDF_FORMATS,
    LocalPaths,
    RdfFormat,
    compact,
    describe,
    description_triples,
    negotiate_document,
    serialize_triples,
    shapes_index,
)
from cakg.graph.namespaces import DATA_BASE, ONTOLOGY_IRI, SHAPES_IRI
from cakg.graph.ontology_doc import ontology_html, ontology_version
from cakg.graph.store import LocalStore
from cakg.graph.void import (
    DUMP_FORMATS,
    Statistics,
    dataset_description,
    dataset_statistics,
    dump_file,
    graph_names,
    graph_slugs,
)
from cakg.web.errors import error_response
from flask import Blueprint, Response, current_app, render_template, request, send_file

__all__ = ["bp", "iri_path", "local_paths"]

bp = Blueprint("linked_data", __name__)

_RDF_BY_EXTENSION: dict[str, RdfFormat] = {f.extension: f for f in RDF_FORMATS}
CACHE_CONTROL = "public, max-age=60"


def local_paths() -> LocalPaths:
    """Return the mapping between the data's IRIs and this server's paths."""
    return LocalPaths(
        data_base=str(current_app.config.get("CAKG_DATA_BASE") or DATA_BASE),
        script_root=request.script_root,
    )


def _store() -> LocalStore:
    """Return the app's store.

    Raises:
        NoBuildError: there is no build to read yet (the error funnel answers 503).
    """
    store = current_app.extensions.get("cakg.store")
    if not isinstance(store, LocalStore):
        raise NoBuildError(current_app.instance_path)
    return store


def _build() -> Build | None:
    build = current_app.extensions.get("cakg.build")
    if isinstance(build, Build):
        return build
    instance = current_app.config.get("CAKG_INSTANCE")
    if not instance:
        return None
    try:
        return current_build(instance)
    except NoBuildError:
        return None


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    paths = local_paths()

    def local_url(iri: str) -> str:
        return paths.to_local(iri) or iri

    def has_endpoint(name: str) -> bool:
        return name in current_app.view_functions

    return {"local_url": local_url, "compact": compact, "has_endpoint": has_endpoint}


def _alternates(base_path: str) -> str:
    links = [
        f'<{base_path}.{extension}>; rel="alternate"; type="{media_type}"'
        for extension, media_type in DOCUMENT_TYPES.items()
    ]
    return ", ".join(links)


def _finish(response: Response, *, base_path: str | None = None) -> Response:
    """Add validators and caching headers, and answer 304 when the client's copy is fresh."""
    if base_path is not None:
        response.headers["Link"] = _alternates(base_path)
    response.headers["Cache-Control"] = CACHE_CONTROL
    if response.status_code == 200 and not response.is_streamed:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.make_conditional(request)
    return response


def _not_found(message: str) -> Response:
    """Answer 404: the site's page for browsers, the canonical error shape for others."""
    best = request.accept_mimetypes.best_match([HTML, "application/json"])
    if best == HTML and request.accept_mimetypes[HTML] > 0:
        html = render_template("not_found.html", message=message, path=request.path)
        return Response(html, status=404, mimetype=HTML)
    return error_response(404, message, "NotFound")


def _exists(store: LocalStore, iri: str) -> bool:
    """Return whether the dataset mentions ``iri`` (or IRIs ``iri#...``)."""
    if not _valid_iri(iri):
        return False
    node = ox.NamedNode(iri)
    if next(store.quads(node, None, None, None), None) is not None:
        return True
    if next(store.quads(None, None, node, None), None) is not None:
        return True
    return _has_fragments(store, iri)


def _has_fragments(store: LocalStore, iri: str) -> bool:
    prefix = iri.replace("\\", "\\\\").replace('"', '\\"') + "#"
    rows = store.select(
        f'SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }} LIMIT 1'
    )
    return bool(rows)


#: Characters an IRI cannot hold (RFC 3987): they stay percent-encoded in the IRI.
_NOT_IN_IRI = frozenset(' <>"{}|\\^`')


def iri_path(path: str) -> str:
    """Return the IRI form of a decoded URL path: percent-encode what an IRI cannot hold.

    >>> iri_path("person/wang wentao")
    'person/wang%20wentao'
    >>> iri_path("place/北京")
    'place/北京'
    """
    return "".join(
        quote(c, safe="") if c in _NOT_IN_IRI or ord(c) < 0x20 or ord(c) == 0x7F else c
        for c in path
    )


def _valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _see_other(base_path: str, *, fragment: str | None = None) -> Response:
    """Answer 303 to the document at ``base_path`` in the format ``Accept`` asks for."""
    chosen = negotiate_document(request.headers.get("Accept"))
    response = Response(status=303)
    location = f"{base_path}.{chosen}"
    response.headers["Location"] = location + (f"#{fragment}" if fragment else "")
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = _alternates(base_path)
    return response


def _split_extension(path: str) -> tuple[str, str | None]:
    stem, dot, extension = path.rpartition(".")
    if dot and extension in DOCUMENT_TYPES and "/" not in extension:
        return stem, extension
    return path, None


@bp.get("/id/<path:path>")
def resource(path: str) -> Response:
    """Answer for a data IRI: 303 to its description, or the description itself."""
    store = _store()
    paths = local_paths()
    path = iri_path(path)
    if "#" in path:
        # a hash IRI sent percent-encoded: its document describes it, at the fragment
        document, fragment = path.split("#", 1)
        if not _exists(store, paths.to_iri(path)):
            return _not_found(f"Nothing in the dataset is called <{paths.to_iri(path)}>.")
        return _see_other(f"{request.script_root}/id/{document}", fragment=fragment)
    stem, extension = _split_extension(path)
    if extension is not None and _exists(store, paths.to_iri(path)):
        stem, extension = path, None  # an IRI that happens to end like a file name
    iri = paths.to_iri(stem)
    if not _exists(store, iri):
        return _not_found(f"Nothing in the dataset is called <{iri}>.")
    base_path = f"{request.script_root}/id/{stem}"
    if extension is None:
        return _see_other(base_path)
    if extension == "html":
        description = describe(store, iri)
        html = render_template(
            "resource.html",
            description=description,
            iri=iri,
            base_path=base_path,
            formats=DOCUMENT_TYPES,
        )
        return _finish(Response(html, mimetype=HTML), base_path=base_path)
    rdf_format = _RDF_BY_EXTENSION[extension]
    body = serialize_triples(description_triples(store, iri), rdf_format)
    response = Response(body, content_type=f"{rdf_format.media_type}; charset=utf-8")
    return _finish(response, base_path=base_path)


# ------------------------------------------------------------------ negotiated documents


@dataclass(frozen=True)
class _Document:
    """A document served at one path in several formats."""

    path: str
    triples: Callable[[], list[ox.Triple]]
    html: Callable[[], str]
    #: The Turtle source, served as written (comments and all) instead of re-serialized.
    turtle: str | None = None


def _negotiated(document: _Document, extension: str | None) -> Response:
    base_path = request.script_root + document.path
    negotiated = extension is None
    if extension is None:
        extension = negotiate_document(request.headers.get("Accept"))
    if extension == "html":
        response = Response(document.html(), mimetype=HTML)
    elif extension == "ttl" and document.turtle is not None:
        response = Response(document.turtle, content_type="text/turtle; charset=utf-8")
    else:
        rdf_format = _RDF_BY_EXTENSION[extension]
        body = serialize_triples(document.triples(), rdf_format)
        response = Response(body, content_type=f"{rdf_format.media_type}; charset=utf-8")
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"{base_path}.{extension}"
    return _finish(response, base_path=base_path)


def _parse_turtle(text: str, base_iri: str) -> list[ox.Triple]:
    return sorted(
        (
            q.triple
            for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base_iri)
        ),
        key=str,
    )


def _package_text(package: str, name: str) -> str | None:
    resource_file = files(package) / name
    return resource_file.read_text("utf-8") if resource_file.is_file() else None


def _ontology_document() -> _Document:
    text = _package_text("cakg.ontology", "cakg.ttl") or ""

    def html() -> str:
        # The documentation is generated from the Turtle itself (cakg.graph.ontology_doc).
        return ontology_html()

    return _Document("/ontology", lambda: _parse_turtle(text, str(ONTOLOGY_IRI)), html, turtle=text)


@bp.get("/ontology")
@bp.get("/ontology.<any(html, ttl, jsonld, nt, rdf):extension>")
@bp.get("/ontology/<version>")
def ontology(extension: str | None = None, version: str | None = None) -> Response:
    """Serve the ontology: HTML documentation or RDF, by ``Accept`` or extension."""
    if version is not None:
        current = ontology_version()
        if version != current:
            return _not_found(
                f"Version {version!r} of the ontology is not served here; the current "
                f"version is {current!r}, at /ontology/{current}."
            )
    return _negotiated(_ontology_document(), extension)


@bp.get("/shapes")
@bp.get("/shapes.<any(html, ttl, jsonld, nt, rdf):extension>")
def shapes(extension: str | None = None) -> Response:
    """Serve the SHACL shapes the data is validated against."""
    text = _package_text("cakg.ontology", "shapes.ttl")
    if text is None:
        return _not_found("The SHACL shapes are not packaged yet (ontology/shapes.ttl).")

    def html() -> str:
        return render_template(
            "shapes.html", turtle=text, iri=str(SHAPES_IRI), sections=shapes_index(text)
        )

    return _negotiated(
        _Document("/shapes", lambda: _parse_turtle(text, str(SHAPES_IRI)), html, turtle=text),
        extension,
    )


# ------------------------------------------------------------------ VoID and dumps


def _statistics(store: LocalStore, build: Build | None) -> Statistics:
    cache: dict[str, Any] = current_app.extensions.setdefault("cakg.void", {})
    key = str(build.path) if build is not None else f"store-{id(store)}"
    if cache.get("key") != key:
        cache["key"] = key
        cache["stats"] = dataset_statistics(store)
    stats: Statistics = cache["stats"]
    return stats


@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<any(html, ttl, jsonld, nt, rdf):extension>")
def void(extension: str | None = None) -> Response:
    """Describe the dataset in VoID and DCAT: sizes, partitions, subsets, dumps, endpoint."""
    store = _store()
    build = _build()
    stats = _statistics(store, build)
    root = request.host_url.rstrip("/") + request.script_root + "/"
    graph = dataset_description(store, service_root=root, build=build, stats=stats)
    triples = sorted(
        (
            q.triple
            for q in ox.parse(
                graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
            )
        ),
        key=str,
    )

    def html() -> str:
        return render_template(
            "void.html", stats=stats, dumps=_dump_rows(stats, build), formats=DOCUMENT_TYPES
        )

    return _negotiated(_Document("/.well-known/void", lambda: triples, html), extension)


def _dump_rows(stats: Statistics, build: Build | None) -> list[dict[str, Any]]:
    names = sorted(set(stats.graphs) | set(_graph_names(build)))
    rows = []
    for slug, name in sorted(graph_slugs(names).items(), key=lambda item: item[1]):
        rows.append(
            {
                "slug": slug,
                "name": name,
                "label": stats.source_labels.get(name, slug),
                "triples": stats.graphs.get(name, {}).get("triples", 0),
            }
        )
    return rows


def _graph_names(build: Build | None) -> list[str]:
    return graph_names(build) if build is not None else []


@bp.get("/dumps/<any(dataset):stem>.<any(trig, nq):extension>")
@bp.get("/dumps/<any(dataset):stem>.<any(trig, nq):extension>.<any(gz):compression>")
@bp.get("/dumps/graphs/<stem>.<any(trig, nq):extension>", endpoint="graph_dump")
@bp.get(
    "/dumps/graphs/<stem>.<any(trig, nq):extension>.<any(gz):compression>",
    endpoint="graph_dump",
)
def dump(stem: str, extension: str, compression: str | None = None) -> Response:
    """Serve a dump of the whole dataset or of one named graph, optionally gzipped.

    Streamed from its file in the build (``cakg.graph.void.dump_file``), with validators
    and ranges: a dump of millions of quads is never held in memory.
    """
    build = _build()
    if build is None:
        raise NoBuildError(current_app.instance_path)
    path = dump_file(build, stem, extension, compressed=compression == "gz")
    if path is None:
        known = ", ".join(sorted(graph_slugs(_graph_names(build))))
        return _not_found(f"No named graph has the dump name {stem!r}; known: {known}.")
    dump_format = DUMP_FORMATS[extension]
    filename = f"{stem}.{extension}" + (".gz" if compression else "")
    stat = path.stat()
    tag = hashlib.sha256(
        f"{build.path.name}\n{path.relative_to(build.path)}\n{stat.st_size}".encode()
    ).hexdigest()[:32]
    modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
    since = request.if_modified_since
    if request.if_none_match.contains(tag) or (
        not request.if_none_match and since is not None and since >= modified
    ):
        # Answered before the file is opened: a 304 holds no file open.
        not_modified = Response(status=304)
        not_modified.set_etag(tag)
        not_modified.headers["Cache-Control"] = CACHE_CONTROL
        return not_modified
    response = send_file(
        path,
        mimetype="application/gzip" if compression else None,
        as_attachment=True,
        download_name=filename,
        conditional=True,
        etag=tag,
        last_modified=modified,
        max_age=None,
    )
    if not compression:
        response.headers["Content-Type"] = f"{dump_format.media_type}; charset=utf-8"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
