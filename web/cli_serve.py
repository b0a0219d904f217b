"""``cakg serve``: build if needed, then serve the app with gunicorn on the embedded store.

Every option also reads an environment variable (shown in ``cakg serve --help``); the
command line wins. Exit codes: 0 after a clean shutdown, 2 when the server cannot start.
"""

from __future__ import annotations

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
from gunicorn.app.base import BaseApplication

__all__ = ["COMMANDS", "GunicornServer", "ServeError", "serve"]


class ServeError(click.ClickException):
    """The server cannot start; the message says what to do (exit code 2)."""

    exit_code = 2


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn run programmatically: each worker process creates its own app."""

    def __init__(self, app_config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply ``options`` to gunicorn's settings."""
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        """Create the app, in the worker process (so its query processes are its own)."""
        from cakg.web.app import create_app

        app = create_app(self.app_config)
        engine = app.extensions.get("cakg.engine")
        if engine is not None:
            engine.start()  # before the first request, not during it
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

    The build runs in a child process: the server processes gunicorn forks from this one
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


def gunicorn_options(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    timeout: float,
    query_timeout: float,
) -> dict[str, Any]:
    """Return gunicorn's settings for these limits."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # gunicorn's own watchdog must outlast a query that runs to its time limit.
        "timeout": max(int(timeout), int(query_timeout) + 10),
        "graceful_timeout": max(10, int(query_timeout) + 5),
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_field_size": 8190,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "preload_app": False,
        "proc_name": "cakg-serve",
        "max_requests": 0,
        "forwarded_allow_ips": "127.0.0.1",
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
    default=8,
    show_default=True,
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
    "--timeout",
    envvar="CAKG_TIMEOUT",
    type=click.FloatRange(1),
    default=60,
    show_default=True,
    help="Seconds before gunicorn restarts a stuck server process ($CAKG_TIMEOUT).",
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
    timeout: float,
    query_timeout: float,
    query_memory: int,
    max_rows: int,
    max_body: int,
    store: str | None,
    update_token: str,
    cors_origins: str,
    access_log: bool,
    sources_dir: Path,
) -> None:
    """Serve the SPARQL endpoint and linked-data pages with gunicorn (builds first if needed)."""
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
    }
    options = gunicorn_options(
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        timeout=timeout,
        query_timeout=query_timeout,
    )
    click.echo(
        f"Serving on http://{host}:{port}/sparql ({workers} processes x {threads} threads, "
        f"queries stop after {query_timeout:g} s, {max_rows} rows max"
        + (", updates enabled" if update_token else ", read-only")
        + ")",
        err=True,
    )
    sys.argv = [sys.argv[0]]  # gunicorn must not read our command line
    os.environ.pop("GUNICORN_CMD_ARGS", None)
    GunicornServer(app_config, options).run()


COMMANDS: list[click.Command] = [serve]
