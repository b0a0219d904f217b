"""Run SPARQL in a pool of killable worker processes, with a hard time limit.

pyoxigraph cannot cancel a running query, so every query, update and Graph Store request
runs in a separate process (``python -m cakg.graph.query_worker``) that has the store open.
The caller waits for the fully serialised answer until the deadline; past it, the worker
is killed (the work really stops), a fresh one is started in the background, and
:class:`~cakg.errors.QueryTimeout` is raised before any byte of the answer is sent.

Read-only mode (the default) opens the build's store with ``Store.read_only`` in every
worker; many workers (and many server processes) share it. Writable mode, for servers
started with an update token, opens one writable store in a single worker, so updates and
queries are serialised; a timeout kills that worker too (the on-disk store is crash-safe).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from cakg.errors import CakgError, QueryError, QueryTimeout, StoreError
from cakg.graph.formats import NotAcceptable, UnsupportedMediaType
from cakg.graph.sparql import OperationRefused
from cakg.graph.store import SparqlReadStore, solution_rows

__all__ = [
    "EngineStore",
    "GraphNotFound",
    "GraphRead",
    "GraphWrite",
    "Outcome",
    "Ping",
    "Query",
    "QueryEngine",
    "Stats",
    "Update",
]

_HEADER = struct.Struct(">QQ")  # pickle size, raw body size
_START_TIMEOUT = 60.0


class GraphNotFound(CakgError):
    """The named graph a Graph Store request targets does not exist (answer 404)."""


# -- jobs: what a worker is asked to do (pickled over a pipe) ---------------------------


@dataclass(frozen=True)
class Query:
    """A SPARQL query, its protocol dataset, and the formats negotiated for each result kind.

    ``results_format`` / ``graph_format`` are format keys (``cakg.graph.formats``), or
    ``None`` with the 406 message in ``results_error`` / ``graph_error``.
    """

    text: str
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union: bool = True
    results_format: str | None = "json"
    graph_format: str | None = "turtle"
    results_error: str = ""
    graph_error: str = ""
    max_rows: int = 10_000


@dataclass(frozen=True)
class Update:
    """A SPARQL update (writable mode only)."""

    text: str
    base_iri: str | None = None


@dataclass(frozen=True)
class GraphRead:
    """Read one graph (``graph`` is ``None`` for the default graph) in format ``fmt``."""

    graph: str | None
    fmt: str
    union: bool = True


@dataclass(frozen=True)
class GraphWrite:
    """A Graph Store write: PUT / POST / DELETE of one graph (``None``: the default graph)."""

    method: str
    graph: str | None
    parts: tuple[tuple[bytes, str], ...] = ()  # (data, media type)
    base_iri: str | None = None


@dataclass(frozen=True)
class Stats:
    """Count the triples of each named graph and of the whole store."""


@dataclass(frozen=True)
class Ping:
    """Check that a worker answers."""


Job = Query | Update | GraphRead | GraphWrite | Stats | Ping


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: a body ready to send, or data (``value``) for ``Stats``."""

    body: bytes = b""
    media_type: str = ""
    rows: int = 0
    truncated: bool = False
    status: int = 200
    kind: str = ""  # "select", "ask", "graph", "update", "gsp"
    value: Any = None
    elapsed: float = field(default=0.0, compare=False)


#: Error kinds a worker reports, and the exception the caller raises for each.
ERRORS: dict[str, type[CakgError]] = {
    "query": QueryError,
    "refused": OperationRefused,
    "not_acceptable": NotAcceptable,
    "unsupported": UnsupportedMediaType,
    "not_found": GraphNotFound,
    "store": StoreError,
}


# -- framing ----------------------------------------------------------------------------


def write_frame(stream: IO[bytes], obj: object) -> None:
    """Write one frame: a length-prefixed pickled object, and an answer's body raw.

    The body of an ``("ok", Outcome)`` answer (up to the whole result of a query) goes
    after the pickle as it is, so it is never copied into or out of a pickle.
    """
    body = b""
    if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], Outcome):
        body = obj[1].body
        obj = (obj[0], dataclasses.replace(obj[1], body=b""))
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data), len(body)))
    stream.write(data)
    if body:
        stream.write(body)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """Read one frame written by :func:`write_frame`.

    Raises:
        EOFError: the other end closed the pipe.
    """
    size, body_size = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    obj = pickle.loads(_read_exactly(stream, size))
    if body_size:
        status, outcome = obj
        obj = (status, dataclasses.replace(outcome, body=_read_exactly(stream, body_size)))
    return obj


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the worker closed its pipe")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# -- the pool ---------------------------------------------------------------------------


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, store: str, mode: str, memory_mb: int = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cakg.graph.query_worker", store, mode, str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.stdout: IO[bytes] = self.process.stdout

    def wait_ready(self, timeout: float) -> None:
        """Wait for the worker's greeting.

        Raises:
            StoreError: the worker could not open the store, or did not start in time.
        """
        if not self.readable(timeout):
            self.kill()
            raise StoreError(
                f"A query process did not start within {timeout:.0f} s; check the store."
            )
        try:
            greeting = read_frame(self.stdout)
        except EOFError:
            self.kill()
            raise StoreError(
                "A query process exited at start; see the server log for why."
            ) from None
        if greeting[0] != "ready":
            self.kill()
            raise StoreError(str(greeting[2]))

    def readable(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.stdout], [], [], max(0.0, timeout))
        return bool(ready)

    def kill(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self.process.kill()
        for stream in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


class QueryEngine:
    """A pool of worker processes answering :data:`Job` s within a time limit."""

    def __init__(
        self,
        store: str | os.PathLike[str] | None,
        *,
        writable: bool = False,
        processes: int = 4,
        timeout: float = 5.0,
        memory_mb: int = 0,
    ) -> None:
        """Prepare a pool over ``store`` (``None``: an in-memory store, writable mode only).

        Processes start on first use, in the process that uses them (so a pre-forking
        server may create the engine before it forks).
        """
        if store is None and not writable:
            raise StoreError("A read-only engine needs a store path: run `cakg build` first.")
        if store is not None and not Path(store).is_dir() and not writable:
            raise StoreError(f"No store at {str(store)!r}: run `cakg build` first.")
        self.store = ":memory:" if store is None else str(store)
        self.writable = writable
        self.size = 1 if writable else max(1, processes)
        self.timeout = timeout
        #: Address-space limit of each worker in MiB (0: none); a query past it stops.
        self.memory_mb = memory_mb
        self._lock = threading.Lock()
        self._pid = -1
        # Last in, first out: the worker that answered most recently takes the next job,
        # so sequential traffic stays on one process whose caches are warm (each process
        # has its own Oxigraph block cache), and the others only join under concurrency.
        self._idle: queue.Queue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="cakg-query-spawner")
        self.timeouts = 0
        self._generation = 0

    # lifecycle

    def start(self) -> None:
        """Start the worker processes now rather than on first use.

        Raises:
            StoreError: a worker could not open the store.
        """
        self._ensure_started()

    def _ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            # After a fork the inherited pipes belong to the parent's workers: start afresh.
            self._idle = queue.LifoQueue()
            self._all = set()
            self._spawner = ThreadPoolExecutor(1, thread_name_prefix="cakg-query-spawner")
            workers = [self._spawn() for _ in range(self.size)]
            try:
                for worker in workers:
                    worker.wait_ready(_START_TIMEOUT)
            except StoreError:
                for worker in workers:
                    worker.kill()
                raise
            for worker in workers:
                self._all.add(worker)
                self._idle.put(worker)
            self._pid = os.getpid()
            atexit.register(self.close)

    def _spawn(self) -> _Worker:
        # Workers ask Linux to kill them when the thread that started them ends
        # (PR_SET_PDEATHSIG is per thread), so one long-lived thread starts them all.
        mode = "rw" if self.writable else "ro"
        return self._spawner.submit(_Worker, self.store, mode, self.memory_mb).result()

    def _replace(self, dead: _Worker) -> None:
        generation = self._generation
        dead.kill()
        with self._lock:
            self._all.discard(dead)
        while generation == self._generation:
            try:
                fresh = self._spawn()
                fresh.wait_ready(_START_TIMEOUT)
            except (StoreError, OSError, RuntimeError):
                time.sleep(1.0)  # e.g. the store is being replaced; try again
                continue
            with self._lock:
                if generation == self._generation:
                    self._all.add(fresh)
                    self._idle.put(fresh)
                    return
            fresh.kill()  # the engine was closed meanwhile
            return

    def close(self) -> None:
        """Stop every worker process."""
        with self._lock:
            workers, self._all = list(self._all), set()
            self._pid = -1
            self._generation += 1
        for worker in workers:
            worker.kill()

    # running jobs

    def run(self, job: Job, *, timeout: float | None = None) -> Outcome:
        """Run ``job`` in a worker and return its answer.

        Raises:
            QueryTimeout: it ran past ``timeout`` seconds (the worker was killed), or no
                worker became free in time.
            QueryError, OperationRefused, NotAcceptable, UnsupportedMediaType,
            GraphNotFound: the worker refused the job, with a message saying why.
            StoreError: the worker failed unexpectedly.
        """
        self._ensure_started()
        limit = self.timeout if timeout is None else timeout
        started = time.monotonic()
        deadline = started + limit
        while True:
            try:
                worker = self._idle.get(timeout=max(0.001, deadline - time.monotonic()))
            except queue.Empty:
                raise QueryTimeout(
                    f"All {self.size} query processes stayed busy for {limit:g} s; try again "
                    "in a moment."
                ) from None
            if worker.process.poll() is None:
                try:
                    write_frame(worker.stdin, job)
                    break
                except OSError:
                    pass
            # The worker died while idle (nothing of this job ran): replace it, try another.
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        if not worker.readable(deadline - time.monotonic()):
            self.timeouts += 1
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise QueryTimeout(
                f"The query ran longer than the {limit:g} s limit and was stopped. Make it "
                "more selective (fewer unbound patterns, a LIMIT), or ask the operator for a "
                "longer --query-timeout."
            )
        try:
            answer = read_frame(worker.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            cap = f" ({self.memory_mb} MiB per query process)" if self.memory_mb else ""
            raise StoreError(
                f"The query process stopped: the query most likely needed more memory than "
                f"the server allows{cap}. Make it more selective (a LIMIT, fewer unbound "
                "patterns, no ORDER BY over a huge result)."
            ) from None
        self._idle.put(worker)
        if answer[0] == "error":
            _, kind, message = answer
            raise ERRORS.get(kind, StoreError)(message)
        outcome: Outcome = answer[1]
        return dataclasses.replace(outcome, elapsed=time.monotonic() - started)

    def graph_names(self) -> Sequence[str]:
        """Return the names of the named graphs (via a worker)."""
        stats = self.run(Stats()).value
        return sorted(stats["graphs"])


class EngineStore(SparqlReadStore):
    """The read interface of :class:`~cakg.graph.store.LocalStore` over a query pool's store.

    A writable store is held by the pool's one query process; another read-only handle
    in this process would only see the store as it was when opened. The linked-data
    pages, VoID and views read it through the pool instead, so they see every update.
    """

    def __init__(self, engine: QueryEngine) -> None:
        """Read through ``engine``; nothing is sent yet."""
        self.engine = engine

    def describe(self) -> str:
        """Return how messages name this store."""
        return f"The store held by the query processes ({self.engine.store})"

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT query (project prefixes predeclared) and return its rows.

        Raises:
            QueryError: the query does not parse or is not a SELECT.
            QueryTimeout: it ran past the pool's time limit.
        """
        outcome = self.engine.run(Query(sparql, max_rows=_EVERY_ROW))
        if outcome.kind != "select":
            raise QueryError("select() needs a SELECT query")
        return solution_rows(
            ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
        )


#: ``select()`` answers every row, as an embedded store's does.
_EVERY_ROW = 2**62
