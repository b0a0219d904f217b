"""The one error funnel: every error becomes a canonical JSON body or a small HTML page.

The JSON shape, for every status::

    {"error": {"status": 400, "title": "Bad Request", "type": "QueryError",
               "message": "The SPARQL does not parse: ..."}}

Browsers (``Accept`` preferring ``text/html``) get the same fields as an HTML page. No
traceback ever reaches a client: an unexpected exception is logged and answered with a
500 whose message says only that the server failed.
"""

from __future__ import annotations

import logging

from cakg.errors import (
    BuildError,
    CakgError,
    NoBuildError,
    NoPathError,
    QueryError,
    QueryTimeout,
    SourceError,
    StoreError,
    UnknownEntityError,
)
from cakg.graph.engine import GraphNotFound
from cakg.graph.formats import NotAcceptable, UnsupportedMediaType
from cakg.graph.sparql import OperationRefused
from flask import Flask, Response, jsonify, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

__all__ = ["STATUS", "HttpError", "error_response", "register_error_handlers"]

log = logging.getLogger("cakg.web")


class HttpError(CakgError):
    """An error the web layer raises with its own status (401, 405, 413 ...)."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


#: HTTP status of each project error; the most specific class listed wins.
STATUS: dict[type[CakgError], int] = {
    QueryError: 400,
    SourceError: 400,
    OperationRefused: 403,
    GraphNotFound: 404,
    UnknownEntityError: 404,
    NoPathError: 404,
    NotAcceptable: 406,
    UnsupportedMediaType: 415,
    QueryTimeout: 503,
    NoBuildError: 503,
    StoreError: 503,
    BuildError: 500,
    CakgError: 500,
}


def status_of(error: CakgError) -> int:
    """Return the HTTP status for ``error``."""
    if isinstance(error, HttpError):
        return error.status
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500


def _title(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "Error")


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > 0


def error_response(
    status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> Response:
    """Return the canonical error response (JSON, or HTML for browsers)."""
    title = _title(status)
    if _wants_html():
        page = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{status} {escape(title)}</title></head><body>"
            f'<h1>{status} {escape(title)}</h1><p class="error-message">{escape(message)}</p>'
            "</body></html>\n"
        )
        response = Response(page, status=status, mimetype="text/html")
    else:
        response = jsonify(
            {"error": {"status": status, "title": title, "type": kind, "message": message}}
        )
        response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if request.method == "HEAD":
        response.set_data(b"")
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the funnel on ``app``: project errors, HTTP errors, and everything else."""

    @app.errorhandler(CakgError)
    def _project_error(error: CakgError) -> Response:
        status = status_of(error)
        headers = error.headers if isinstance(error, HttpError) else None
        if status >= 500:
            log.warning("%s: %s", type(error).__name__, error)
        return error_response(status, str(error), type(error).__name__, headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        message = error.description or _title(status)
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = (
                f"The request body is larger than this server accepts ({limit} bytes). "
                "Send a shorter query, or split the data into several requests."
            )
        headers = {}
        if status == 405:
            allowed = error.get_headers().copy()
            headers = {k: v for k, v in allowed if k.lower() == "allow"}
        return error_response(status, message, type(error).__name__, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(
            500,
            "The server failed to answer this request; the operator can find the cause "
            "in the server log.",
            "InternalServerError",
        )
