"""``cakg serve``: build if needed, then serve the app with Granian on the embedded store.

Every option also reads an environment variable (shown in ``cakg serve --help``); the
command line wins. Exit codes: 0 after a clean shutdown, 2 when the server cannot start.

The HTTP server is Granian (a Rust HTTP/1.1 and HTTP/2 server for Python apps, WSGI
here): each of its worker processes runs the Flask app in a pool of threads, with its own
query worker processes. Measured on the 1M-triple benchmark graph, it answers about half
as many requests again as gunicorn's threaded workers for the same app
(benchmarks/PROFILE.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from cakg.errors import NoBuildError
from cakg.graph.build import current_build
from cakg.graph.remote import is_remote_store
from flask import Flask

__all__ = ["COMMANDS", "ServeError", "serve", "served_app", "server_options"]


class ServeError(click.ClickException):
    """The server cannot start; the message says what to do (exit code 2)."""

    exit_code = 2


def served_app() -> Flask:
    """Create the app in a server process (Granian's factory), configured by ``CAKG_*``.

    ``serve`` puts its settings in the environment; each process starts its own query
    worker processes before its first request, not during it.
    """
    from cakg.web.app import create_app

    app = create_app()
    engine = app.extensions.get("cakg.engine")
    if engine is not None:
        engine.start()
    return app


_BUILD_SCRIPT = """
import sys
try:
    from cakg.loaders import build_from_sources
except ImportError as exc:
    print(f"this installation cannot build: {exc}", file=sys.stderr)
    sys.exit(3)
from cakg.errors import CakgError
try:
    build_from_sources(sys.argv[1], sys.argv[2])
except CakgError as exc:
    print(exc, file=sys.stderr)
    sys.exit(2)
"""


def _ensure_build(instance_dir: Path, sources_dir: Path) -> None:
    """Build from ``sources_dir`` when ``instance_dir`` has no build yet.

    The build runs in a child process: the server processes Granian forks from this one
    must not inherit the build's open stores and their background threads.
    """
    try:
        current_build(instance_dir)
        return
    except NoBuildError:
        pass
    click.echo(f"No build in {instance_dir}; building from {sources_dir} ...", err=True)
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_SCRIPT, str(sources_dir), str(instance_dir)], check=False
    )
    if done.returncode == 3:
        raise ServeError(
            f"No build in {instance_dir} and this installation cannot build yet; "
            "run `cakg build` first."
        )
    if done.returncode != 0:
        raise ServeError(f"The build from {sources_dir} failed (see above); fix it and retry.")


def default_threads() -> int:
    """Return the default request threads per server process: 8, or 2 x cores + 1 if fewer.

    Threads mostly wait for query processes; more than Granian's advice (2 x cores + 1)
    would only make its start-up warning the first line a user reads.
    """
    return min(8, 2 * (os.cpu_count() or 1) + 1)


def server_options(
    *, host: str, port: int, workers: int, threads: int, query_timeout: float
) -> dict[str, Any]:
    """Return Granian's settings for these limits."""
    from granian.constants import Interfaces
    from granian.log import LogLevels

    return {
        "target": f"{__name__}:served_app",
        "factory": True,
        "interface": Interfaces.WSGI,
        "address": host,
        "port": port,
        "workers": workers,
        "blocking_threads": threads,
        "websockets": False,
        # A server process that dies is replaced, as a killed query process is.
        "respawn_failed_workers": True,
        # On shutdown, a query running to its time limit may finish first.
        "workers_kill_timeout": max(10, int(query_timeout) + 5),
        "log_level": LogLevels.warning,
        "log_access": False,  # the app writes its own JSON-lines access log
    }


@click.command()
@click.option(
    "--host",
    envvar="CAKG_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on ($CAKG_HOST).",
)
@click.option(
    "--port",
    envvar="CAKG_PORT",
    type=int,
    default=8000,
    show_default=True,
    help="Port to listen on ($CAKG_PORT).",
)
@click.option(
    "--workers",
    envvar="CAKG_WORKERS",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Server processes ($CAKG_WORKERS).",
)
@click.option(
    "--threads",
    envvar="CAKG_THREADS",
    type=click.IntRange(1),
    default=lambda: default_threads(),
    show_default="8, or 2 x cores + 1 when fewer",
    help="Request threads per server process ($CAKG_THREADS).",
)
@click.option(
    "--query-processes",
    envvar="CAKG_QUERY_PROCESSES",
    type=click.IntRange(1),
    default=4,
    show_default=True,
    help="Query worker processes per server process ($CAKG_QUERY_PROCESSES).",
)
@click.option(
    "--query-timeout",
    envvar="CAKG_QUERY_TIMEOUT",
    type=click.FloatRange(0.05),
    default=5.0,
    show_default=True,
    help="Seconds a query may run; it is then stopped and answered 503 ($CAKG_QUERY_TIMEOUT).",
)
@click.option(
    "--query-memory",
    envvar="CAKG_QUERY_MEMORY_MB",
    type=click.IntRange(0),
    default=4096,
    show_default=True,
    help="MiB of address space per query process; a query needing more is stopped and "
    "answered 503; 0 for no limit ($CAKG_QUERY_MEMORY_MB).",
)
@click.option(
    "--max-rows",
    envvar="CAKG_MAX_ROWS",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) per result; more is cut, with X-SPARQL-MaxRows ($CAKG_MAX_ROWS).",
)
@click.option(
    "--max-body",
    envvar="CAKG_MAX_BODY",
    type=click.IntRange(1),
    default=1_000_000,
    show_default=True,
    help="Bytes accepted in a request body; more is answered 413 ($CAKG_MAX_BODY).",
)
@click.option(
    "--store",
    "store",
    envvar="CAKG_STORE",
    default=None,
    help="Serve this Oxigraph store folder instead of the build's (':memory:' for an "
    "empty one), or the SPARQL store at this http(s) URL, read-only (docs/REMOTE-STORES.md) "
    "($CAKG_STORE).",
)
@click.option(
    "--update-token",
    envvar="CAKG_UPDATE_TOKEN",
    default="",
    help="Enable SPARQL Update and Graph Store writes for requests with "
    "'Authorization: Bearer <token>'; needs --store ($CAKG_UPDATE_TOKEN).",
)
@click.option(
    "--cors-origins",
    envvar="CAKG_CORS_ORIGINS",
    default="*",
    show_default=True,
    help="Origins allowed by CORS: '*', a space-separated list, or '' for none.",
)
@click.option(
    "--cache-mb",
    envvar="CAKG_CACHE_MB",
    type=click.FloatRange(0),
    default=128,
    show_default=True,
    help="MiB of query answers each server process keeps for repeated queries on a build; "
    "0 for none ($CAKG_CACHE_MB).",
)
@click.option(
    "--access-log/--no-access-log",
    envvar="CAKG_ACCESS_LOG",
    default=True,
    show_default=True,
    help="JSON-lines access log on stderr.",
)
@click.option(
    "--sources",
    "sources_dir",
    envvar="CAKG_SOURCES",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("sources"),
    show_default=True,
    help="Source documents to build from when there is no build.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int,
    threads: int,
    query_processes: int,
    query_timeout: float,
    query_memory: int,
    max_rows: int,
    max_body: int,
    store: str | None,
    update_token: str,
    cors_origins: str,
    cache_mb: float,
    access_log: bool,
    sources_dir: Path,
) -> None:
    """Serve the SPARQL endpoint and linked-data pages with Granian (builds first if needed)."""
    instance_dir = Path(ctx.obj["instance_dir"]) if ctx.obj else Path("instance")
    if update_token and not store:
        raise ServeError(
            "--update-token needs --store DIR: updates go to a store of their own, never to "
            "the build (use ':memory:' for a scratch store)."
        )
    if update_token and workers > 1:
        click.echo("Writable store: using 1 server process (one writer).", err=True)
        workers = 1
    if not store:
        _ensure_build(instance_dir, sources_dir)
    elif is_remote_store(store):
        pass  # the app checks the remote store at start and says what is wrong
    elif not update_token and store != ":memory:" and not Path(store).is_dir():
        raise ServeError(f"No store at {store!r}: give --store an Oxigraph store folder.")
    elif not update_token and store == ":memory:":
        raise ServeError("An in-memory store starts empty: use it with --update-token.")
    app_config: dict[str, Any] = {
        "CAKG_INSTANCE": str(instance_dir),
        "CAKG_STORE": store,
        "CAKG_UPDATE_TOKEN": update_token,
        "CAKG_QUERY_TIMEOUT": query_timeout,
        "CAKG_MAX_ROWS": max_rows,
        "CAKG_MAX_BODY": max_body,
        "CAKG_QUERY_PROCESSES": query_processes,
        "CAKG_QUERY_MEMORY_MB": query_memory,
        "CAKG_CORS_ORIGINS": cors_origins,
        "CAKG_ACCESS_LOG": access_log,
        "CAKG_CACHE_MB": cache_mb,
    }
    options = server_options(
        host=host, port=port, workers=workers, threads=threads, query_timeout=query_timeout
    )
    click.echo(
        f"Serving on http://{host}:{port}/sparql ({workers} processes x {threads} threads, "
        f"queries stop after {query_timeout:g} s, {max_rows} rows max"
        + (", updates enabled" if update_token else ", read-only")
        + ")",
        err=True,
    )
    _export(app_config)
    from granian import Granian

    Granian(**options).serve()


def _export(app_config: dict[str, Any]) -> None:
    """Put the app's settings in the environment, where each server process reads them."""
    for key, value in app_config.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = json.dumps(value)


COMMANDS: list[click.Command] = [serve]
