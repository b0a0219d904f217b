"""The Flask application factory: SPARQL endpoint, linked-data pages, query page, views.

Configuration, lowest precedence first: the defaults below, then ``CAKG_*`` environment
variables (same names as the keys; values parsed as JSON when they are JSON, e.g.
``CAKG_MAX_ROWS=500``), then the ``config`` mapping (tests).

=========================  ====================================================================
``CAKG_INSTANCE``          folder with the builds (``current`` -> the build served)
``CAKG_STORE``             serve this Oxigraph store folder instead of the build's
                           (``:memory:`` for an empty in-memory one; needs an update token),
                           or the remote SPARQL store at this http(s) URL, read-only
                           (docs/REMOTE-STORES.md)
``CAKG_UPDATE_TOKEN``      enables SPARQL Update and Graph Store writes with
                           ``Authorization: Bearer <token>``; needs ``CAKG_STORE``
``CAKG_QUERY_TIMEOUT``     seconds a query may run before it is stopped (503)
``CAKG_MAX_ROWS``          rows (or triples) per result; more is cut and signalled
``CAKG_MAX_BODY``          bytes accepted in a request body (413 beyond)
``CAKG_QUERY_PROCESSES``   query worker processes per server process
``CAKG_QUERY_MEMORY_MB``   address-space limit of each query process (0: none); a query
                           that needs more is stopped (503)
``CAKG_CORS_ORIGINS``      ``*`` (default), a space-separated list of origins, or empty (off)
``CAKG_ACCESS_LOG``        JSON-lines access log to stderr (true) or off (false)
``CAKG_CACHE_MB``          MiB of query answers each server process keeps for repeated
                           queries on a build (0: none; ``cakg.web.result_cache``)
``CAKG_RELOAD_INTERVAL``   seconds between checks that ``current`` still points at the build
                           served; a new build is picked up without a restart
=========================  ====================================================================

Live objects go in ``app.extensions``: ``cakg.engine`` (the query worker pool),
``cakg.store`` (a read-only :class:`~cakg.graph.store.LocalStore` of the served store; for
a writable store an :class:`~cakg.graph.engine.EngineStore` reading through the pool, so
pages see updates; ``None`` when there is no build yet) and ``cakg.build`` (the
:class:`Build`, or ``None``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cakg.errors import CakgError, NoBuildError, StoreError
from cakg.graph.build import Build, current_build
from cakg.graph.engine import EngineStore, QueryEngine
from cakg.graph.remote import RemoteEngine, RemoteStore, is_remote_store
from cakg.graph.store import LocalStore, open_build_store
from cakg.web.errors import register_error_handlers
from cakg.web.result_cache import ResultCache
from flask import Flask, Response, g, request

__all__ = ["DEFAULTS", "create_app", "get_engine", "get_store", "log_access"]

DEFAULTS: dict[str, Any] = {
    "CAKG_INSTANCE": "instance",
    "CAKG_STORE": None,
    "CAKG_UPDATE_TOKEN": "",
    "CAKG_QUERY_TIMEOUT": 5.0,
    "CAKG_MAX_ROWS": 10_000,
    "CAKG_MAX_BODY": 1_000_000,
    "CAKG_QUERY_PROCESSES": 4,
    "CAKG_QUERY_MEMORY_MB": 4096,
    "CAKG_CORS_ORIGINS": "*",
    "CAKG_ACCESS_LOG": True,
    "CAKG_CACHE_MB": 128,
    "CAKG_RELOAD_INTERVAL": 1.0,
}

access_log = logging.getLogger("cakg.access")
log = logging.getLogger("cakg.web")


def _env_config() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in os.environ.items():
        if key.startswith("CAKG_"):
            try:
                values[key] = json.loads(raw)
            except ValueError:
                values[key] = raw
    return values


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``CAKG_*`` environment variables, then ``config``.

    Raises:
        CakgError: an update token is set without a writable store (``CAKG_STORE``).
    """
    settings: dict[str, Any] = {**DEFAULTS, **_env_config(), **(config or {})}
    instance = Path(str(settings["CAKG_INSTANCE"])).resolve()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=False)
    app.config.from_mapping(settings)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["CAKG_MAX_BODY"])
    app.config["MAX_FORM_MEMORY_SIZE"] = int(app.config["CAKG_MAX_BODY"])
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    _attach_store(app)
    cache_mb = float(app.config["CAKG_CACHE_MB"])
    app.extensions["cakg.cache"] = ResultCache(int(cache_mb * 2**20)) if cache_mb > 0 else None
    app.before_request(lambda: follow_current_build(app))
    register_error_handlers(app)
    _install_cors(app)
    _install_access_log(app)

    from cakg.web import explore, linked_data, pages, sparql

    for module in (sparql, linked_data, pages, explore):
        app.register_blueprint(module.bp)

    from cakg.web.fast_path import LookupFastPath

    app.wsgi_app = LookupFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


def _attach_store(app: Flask) -> None:
    """Set ``cakg.engine``, ``cakg.store`` and ``cakg.build`` in ``app.extensions``."""
    token = str(app.config.get("CAKG_UPDATE_TOKEN") or "")
    store_setting = app.config.get("CAKG_STORE")
    if is_remote_store(store_setting):
        _attach_remote_store(app, str(store_setting), token)
        return
    build: Build | None = None
    store_path: str | None = None
    if store_setting:
        store_path = None if store_setting == ":memory:" else str(Path(store_setting).resolve())
    elif token:
        raise CakgError(
            "An update token needs a writable store: set CAKG_STORE (or `cakg serve "
            "--store DIR`) to a store folder of its own; the build's store stays read-only."
        )
    else:
        try:
            build = current_build(app.instance_path)
            store_path = str(build.store_path)
        except NoBuildError:
            log.warning(
                "no build in %s yet; queries answer 503 until one exists", app.instance_path
            )
    app.extensions["cakg.build"] = build
    local: LocalStore | None = None
    if store_path is not None and not token:
        try:
            local = open_build_store(store_path)
        except StoreError as exc:
            log.warning("cannot open the store in-process: %s", exc)
    app.extensions["cakg.engine"] = None
    if store_path is not None or store_setting == ":memory:":
        engine = QueryEngine(
            store_path,
            writable=bool(token),
            processes=int(app.config["CAKG_QUERY_PROCESSES"]),
            timeout=float(app.config["CAKG_QUERY_TIMEOUT"]),
            memory_mb=int(app.config["CAKG_QUERY_MEMORY_MB"]),
        )
        app.extensions["cakg.engine"] = engine
        if token:
            # A writable store is read through its query process, so pages see updates.
            local = EngineStore(engine)
    app.extensions["cakg.store"] = local


def _attach_remote_store(app: Flask, url: str, token: str) -> None:
    """Serve a remote SPARQL store (``CAKG_STORE=http://...``) with this server's limits.

    Raises:
        CakgError: an update token is set (updates go to the remote store itself), or the
            store cannot be reached or does not query the union of its graphs by default.
    """
    if token:
        raise CakgError(
            "An update token cannot be used with a remote store: send updates to that store "
            "itself, or push a new build to it with `cakg build --store URL`."
        )
    timeout = float(app.config["CAKG_QUERY_TIMEOUT"])
    engine = RemoteEngine(url, timeout=timeout, processes=int(app.config["CAKG_QUERY_PROCESSES"]))
    engine.check()
    app.extensions["cakg.build"] = None
    app.extensions["cakg.store"] = RemoteStore(url, timeout=max(timeout, 30.0))
    app.extensions["cakg.engine"] = engine


def follow_current_build(app: Flask) -> None:
    """Switch to a new build when ``current`` has moved (checked at most once a second).

    Queries already running finish on the old build's workers, which stop afterwards.
    Nothing changes when the app serves a store of its own (``CAKG_STORE``).
    """
    if app.config.get("CAKG_STORE"):
        return
    state: dict[str, Any] = app.extensions.setdefault(
        "cakg.follow", {"checked": 0.0, "lock": threading.Lock()}
    )
    now = time.monotonic()
    if now - state["checked"] < float(app.config["CAKG_RELOAD_INTERVAL"]):
        return
    state["checked"] = now
    with state["lock"]:
        try:
            build = current_build(app.instance_path)
        except NoBuildError:
            return
        served: Build | None = app.extensions.get("cakg.build")
        if served is not None and served.path == build.path:
            return
        engine = QueryEngine(
            build.store_path,
            processes=int(app.config["CAKG_QUERY_PROCESSES"]),
            timeout=float(app.config["CAKG_QUERY_TIMEOUT"]),
            memory_mb=int(app.config["CAKG_QUERY_MEMORY_MB"]),
        )
        store = open_build_store(build.store_path)
        old: QueryEngine | None = app.extensions.get("cakg.engine")
        app.extensions.update({"cakg.engine": engine, "cakg.store": store, "cakg.build": build})
        app.extensions.pop("cakg.stats", None)
        cache: ResultCache | None = app.extensions.get("cakg.cache")
        if cache is not None:
            cache.clear()  # the old build's answers: their keys will not be asked again
        log.warning("now serving build %s", build.path.name)
        if old is not None:
            grace = threading.Timer(float(app.config["CAKG_QUERY_TIMEOUT"]) + 5, old.close)
            grace.daemon = True
            grace.start()


def get_engine(app: Flask) -> QueryEngine:
    """Return the app's query engine.

    Raises:
        NoBuildError: there is no build to query yet.
    """
    found: QueryEngine | None = app.extensions.get("cakg.engine")
    if found is None:
        raise NoBuildError(app.instance_path)
    return found


def get_store(app: Flask) -> LocalStore:
    """Return the app's in-process read-only store.

    Raises:
        NoBuildError: there is no build to read yet.
    """
    found: LocalStore | None = app.extensions.get("cakg.store")
    if found is None:
        raise NoBuildError(app.instance_path)
    return found


# -- CORS -------------------------------------------------------------------------------------

_EXPOSED = "Content-Type, Location, Server-Timing, X-SPARQL-MaxRows, X-Result-Truncated"
_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS, QUERY"


def _install_cors(app: Flask) -> None:
    setting = str(app.config.get("CAKG_CORS_ORIGINS") or "").strip()
    if not setting:
        return
    origins = set(setting.split())

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin is None:
            return response
        if "*" in origins:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.vary.add("Origin")
        else:
            return response
        response.headers["Access-Control-Expose-Headers"] = _EXPOSED
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            # A preflight: say what may follow, and let browsers cache the answer for a day.
            asked = request.headers.get("Access-Control-Request-Headers", "")
            response.headers["Access-Control-Allow-Methods"] = _METHODS
            response.headers["Access-Control-Allow-Headers"] = (
                asked or "Accept, Content-Type, Authorization"
            )
            response.headers["Access-Control-Max-Age"] = "86400"
            if response.status_code == 200:
                response.status_code = 204
                response.set_data(b"")
        return response


# -- access log -------------------------------------------------------------------------------


def _install_access_log(app: Flask) -> None:
    if not app.config.get("CAKG_ACCESS_LOG"):
        return
    if not any(getattr(h, "_cakg", False) for h in access_log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._cakg = True  # type: ignore[attr-defined]
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False

    @app.before_request
    def _start() -> None:
        g.cakg_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        log_access(
            remote=request.remote_addr,
            method=request.method,
            path=request.path,
            status=response.status_code,
            size=response.calculate_content_length(),
            started=g.get("cakg_started"),
            operation=g.get("cakg_operation"),
            query_ms=g.get("cakg_query_ms"),
            rows=g.get("cakg_rows"),
            truncated=g.get("cakg_truncated"),
            agent=request.headers.get("User-Agent"),
            cache=g.get("cakg_cache"),
        )
        return response


def log_access(
    *,
    remote: str | None,
    method: str,
    path: str,
    status: int,
    size: int | None,
    started: float | None,
    operation: str | None,
    query_ms: float | None,
    rows: int | None,
    truncated: bool | None,
    agent: str | None,
    cache: str | None = None,
) -> None:
    """Write one JSON line to the access log (``cakg.access``); ``started`` is perf_counter."""
    record = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "remote": remote,
        "method": method,
        "path": path,
        "status": status,
        "bytes": size,
        "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        "op": operation,
        "query_ms": query_ms,
        "rows": rows,
        "truncated": truncated,
        "cache": cache,
        "agent": agent,
    }
    access_log.info(json.dumps(record, ensure_ascii=False))
