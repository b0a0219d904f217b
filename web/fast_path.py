"""Entity lookups answered in front of Flask: the SPARQL endpoint's hot path.

Linked-data clients, crawlers and the entity pages mostly send one kind of query: one
triple pattern around a given node (``SELECT ?p ?o WHERE { <x> ?p ?o }``), thousands of
them, each answered by the store in a few hundredths of a millisecond. For such a query,
Flask's request and response objects cost more than the answer. This WSGI middleware
recognises a lookup in its plainest protocol form and answers it with the ``/sparql``
view's own parts (:func:`~cakg.web.sparql.negotiated_formats`,
:func:`~cakg.web.sparql.lookup_allowed`, :func:`~cakg.web.sparql.answer_lookup`,
:func:`~cakg.web.sparql.result_headers`, :func:`~cakg.web.sparql.job_etag`), so the bytes
and headers are the view's.

Everything else goes to Flask untouched, which stays the one definition of the protocol:
any method but ``GET`` / ``POST``, any parameter but one ``query``, a form with a charset
or another body type, a CORS ``Origin``, a conditional request (``If-None-Match``), an
``Accept`` nothing fits, a query that is not a lookup, a writable or remote store, and
every error (Flask then answers it, with its status and message). The tests check that
both paths give the same answer.
"""

from __future__ import annotations

import functools
import io
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from cakg.errors import CakgError
from cakg.graph.engine import Query
from cakg.graph.formats import NotAcceptable
from cakg.graph.store import LocalStore
from cakg.web.app import follow_current_build, log_access
from cakg.web.sparql import (
    answer_lookup,
    job_etag,
    lookup_allowed,
    negotiated_formats,
    result_headers,
)
from werkzeug.wsgi import get_current_url

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

__all__ = ["LookupFastPath"]

_FORM = "application/x-www-form-urlencoded"


class LookupFastPath:
    """WSGI middleware: answer ``/sparql`` entity lookups, pass every other request on."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app = app
        #: The application behind this one (Flask's own ``wsgi_app``).
        self.wsgi_app = wsgi_app
        #: How many requests this middleware answered itself (for tests and profiling).
        self.answered = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        answer = self._answer(environ, started)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        headers, body = answer
        self.answered += 1
        start_response("200 OK", headers)
        return [body]

    def _answer(
        self, environ: WSGIEnvironment, started: float
    ) -> tuple[list[tuple[str, str]], bytes] | None:
        """Return the headers and body of a lookup's answer, or ``None`` to let Flask answer."""
        if environ.get("PATH_INFO") != "/sparql" or "HTTP_ORIGIN" in environ:
            return None
        host = environ.get("HTTP_HOST")
        if host is None:
            return None  # an HTTP/1.0 request without Host: Flask works the URL out
        if "HTTP_IF_NONE_MATCH" in environ:
            return None
        config = self.app.config
        if config.get("CAKG_UPDATE_TOKEN") or config.get("CAKG_STORE"):
            return None
        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            raw = environ.get("QUERY_STRING", "")
        elif method == "POST" and not environ.get("QUERY_STRING"):
            body = self._form_body(environ)
            if body is None:
                return None
            raw = body
        else:
            return None
        text = _only_query(raw)
        if text is None:
            return None
        follow_current_build(self.app)
        extensions = self.app.extensions
        store, build = extensions.get("cakg.store"), extensions.get("cakg.build")
        if build is None:
            return None
        try:
            formats = dict(negotiated_formats(environ.get("HTTP_ACCEPT")))
        except NotAcceptable:
            return None
        max_rows = int(config["CAKG_MAX_ROWS"])
        # A lookup has no dataset clause (lookup_allowed checks it), so it reads the union.
        job = Query(
            text=text,
            base_iri=_base_url(
                environ.get("wsgi.url_scheme", "http"),
                host,
                environ.get("SCRIPT_NAME", ""),
                environ.get("PATH_INFO", ""),
            ),
            default_graphs=None,
            named_graphs=None,
            union=True,
            max_rows=max_rows,
            **formats,
        )
        if not isinstance(store, LocalStore) or not lookup_allowed(config, store, job):
            return None
        try:
            outcome = answer_lookup(store, job)
        except CakgError:
            return None  # Flask answers it again, with the error's status and message
        tag = job_etag(build.path.name, job) if method == "GET" else None
        headers = [
            ("Content-Type", outcome.media_type),
            ("Content-Length", str(len(outcome.body))),
            *result_headers(outcome, max_rows, tag).items(),
        ]
        if config.get("CAKG_ACCESS_LOG"):
            log_access(
                remote=environ.get("REMOTE_ADDR"),
                method=method,
                path="/sparql",
                status=200,
                size=len(outcome.body),
                started=started,
                operation="query",
                query_ms=round(outcome.elapsed * 1000, 2),
                rows=outcome.rows,
                truncated=outcome.truncated,
                agent=environ.get("HTTP_USER_AGENT"),
            )
        return headers, outcome.body

    def _form_body(self, environ: WSGIEnvironment) -> str | None:
        """Read a small form body; put it back in ``environ`` for Flask whatever happens."""
        if environ.get("CONTENT_TYPE", "").strip().lower() != _FORM:
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None  # no length (chunked): Flask reads it, within its body limit
        if length > int(self.app.config["CAKG_MAX_BODY"]):
            return None
        data: bytes = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(data)
        if len(data) != length:
            return None
        try:
            return data.decode("ascii")
        except UnicodeDecodeError:
            return None


def _only_query(raw: str) -> str | None:
    """Return the value of a form whose only field is one ``query``, else ``None``."""
    if not raw.startswith("query=") or "&" in raw or ";" in raw:
        return None
    try:
        return unquote_plus(raw[6:], encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None


@functools.lru_cache(maxsize=64)
def _base_url(scheme: str, host: str, root: str, path: str) -> str:
    """Return the request URL without its query string, as ``request.base_url`` gives it."""
    environ = {"wsgi.url_scheme": scheme, "HTTP_HOST": host, "SCRIPT_NAME": root, "PATH_INFO": path}
    return get_current_url(environ, strip_querystring=True)
