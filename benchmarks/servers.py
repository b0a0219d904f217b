"""Start the servers the benchmark compares, on loopback, each in its own process group.

- ``cakg serve`` (Flask under Granian, query worker processes, the build's store);
- the minimal Flask + pyoxigraph app under gunicorn (the reference baseline);
- ``oxigraph serve-read-only`` on the same store, union default graph;
- rdflib-endpoint (FastAPI under uvicorn) over an rdflib Dataset of the same N-Quads.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Server",
    "cakg_server",
    "free_port",
    "minimal_flask_server",
    "oxigraph_server",
    "rdflib_server",
]

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent  # where `python -m benchmarks...` resolves
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Server:
    """A running server: its port, SPARQL query path and how long it took to answer."""

    name: str
    port: int
    query_path: str
    startup_seconds: float
    pid: int


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


@contextmanager
def _running(
    name: str, argv: list[str], port: int, probe: str, query_path: str, limit: float, log: Path
) -> Iterator[Server]:
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )
    try:
        while not _answers(port, probe):
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited at start; see {log}")
            if time.perf_counter() - started > limit:
                raise RuntimeError(f"{name} did not answer within {limit:.0f} s; see {log}")
            time.sleep(0.02)
        yield Server(name, port, query_path, time.perf_counter() - started, process.pid)
    finally:
        # The process group holds what this process started (server workers, query workers).
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def cakg_server(
    instance: Path,
    log: Path,
    *,
    workers: int = 2,
    threads: int = 8,
    query_processes: int = 2,
    cache_mb: float = 0,
) -> AbstractContextManager[Server]:
    """Run ``cakg serve`` on the current build of ``instance``; no result cache by default."""
    port = free_port()
    argv = [
        str(BIN / "cakg"),
        "--instance",
        str(instance),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--query-processes",
        str(query_processes),
        "--max-rows",
        "10000000",
        "--query-timeout",
        "60",
        "--cache-mb",
        str(cache_mb),
        "--no-access-log",
    ]
    return _running("cakg serve", argv, port, "/health", "/sparql", 60, log)


def minimal_flask_server(store: Path, log: Path) -> AbstractContextManager[Server]:
    """Run the minimal Flask + pyoxigraph app under gunicorn (2 processes x 8 threads)."""
    port = free_port()
    argv = [
        str(BIN / "gunicorn"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "2",
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--env",
        f"CAKG_BENCH_STORE={store}",
        "benchmarks.minimal_flask:create_app()",
    ]
    return _running("minimal Flask", argv, port, "/health", "/sparql", 60, log)


def oxigraph_server(store: Path, log: Path) -> AbstractContextManager[Server]:
    """Run ``oxigraph serve`` on a checkpoint of ``store``; its default graph is the union.

    The checkpoint (hard-linked files) gives the server a store of its own, opened as
    Oxigraph's server is usually deployed (read-write mode).
    """
    import pyoxigraph as ox
    from cakg.graph.store import needs_union_view

    copy = log.with_name("oxigraph-store")
    if copy.exists():
        shutil.rmtree(copy)
    source = ox.Store.read_only(str(store))
    # A build stores the union in the default graph; only a store without it needs the view.
    union = ["--union-default-graph"] if needs_union_view(source) else []
    source.backup(str(copy))
    del source
    port = free_port()
    argv = [
        str(BIN / "oxigraph"),
        "serve",
        "--location",
        str(copy),
        "--bind",
        f"{HOST}:{port}",
        *union,
        # No --timeout-s: oxigraph 0.5.13 starts a thread per query that sleeps for the
        # whole timeout, so thousands of requests a second exhaust the thread limit.
    ]
    return _running("oxigraph serve", argv, port, "/query?query=ASK%7B%7D", "/query", 60, log)


def rdflib_server(nquads: Path, log: Path, *, limit: float = 600) -> AbstractContextManager[Server]:
    """Run rdflib-endpoint over an rdflib Dataset (union default graph) of ``nquads``."""
    port = free_port()
    argv = [sys.executable, "-m", "benchmarks.rdflib_server", str(nquads), str(port)]
    return _running("rdflib-endpoint", argv, port, "/health-probe", "/", limit, log)
