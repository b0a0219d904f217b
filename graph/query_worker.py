"""A query worker process: ``python -m cakg.graph.query_worker STORE ro|rw [MEMORY_MB]``.

It opens the store once, greets its parent, then answers one job at a time from stdin
with one frame on stdout (see :mod:`cakg.graph.engine`). The parent kills it at a query's
deadline. ``STORE`` is a store directory, or ``:memory:`` (writable mode, tests).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
from collections.abc import Iterable
from typing import IO, Any

import pyoxigraph as ox
from cakg.errors import QueryError
from cakg.graph.engine import (
    GraphRead,
    GraphWrite,
    Outcome,
    Ping,
    Query,
    Stats,
    Update,
    read_frame,
    write_frame,
)
from cakg.graph.formats import by_key
from cakg.graph.namespaces import PREFIXES
from cakg.graph.results import (
    countable,
    serialise_boolean,
    serialise_capped,
    serialise_solutions,
    serialise_triples,
)
from cakg.graph.sparql import OperationRefused, cap_select, check_query, check_update
from cakg.graph.store import needs_union_view

__all__ = ["handle", "main"]


class _Refusal(Exception):
    """A job the worker answers with an error frame of ``kind``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise _Refusal("query", f"Not a valid graph IRI {iri!r}: {exc}") from exc


#: Whether queries need Oxigraph's union view; ``None`` until the store is opened. A
#: build's store holds the union (a set) in its default graph and never changes; a
#: writable store always uses the view, whatever its default graph holds.
_UNION_VIEW: bool | None = None


def _union_view(store: ox.Store) -> bool:
    return needs_union_view(store) if _UNION_VIEW is None else _UNION_VIEW


def _query(store: ox.Store, job: Query, union_view: bool | None = None) -> Outcome:
    check_query(job.text)
    options: dict[str, Any] = {"base_iri": job.base_iri, "prefixes": PREFIXES}
    if job.default_graphs is not None or job.named_graphs is not None:
        options["default_graph"] = [_node(g) for g in job.default_graphs or ()]
        options["named_graphs"] = [_node(g) for g in job.named_graphs or ()]
    elif job.union and (_union_view(store) if union_view is None else union_view):
        options["use_default_graph_as_union"] = True
    # A SELECT capped by its own LIMIT is written by Oxigraph's serialiser, not row by row.
    wanted = by_key(job.results_format) if job.results_format else None
    capped = None
    if wanted is not None and countable(wanted):
        capped = cap_select(job.text, job.max_rows + 1)
    result = _run(store, capped, job.text, options)
    if isinstance(result, ox.QuerySolutions):
        if wanted is None:
            raise _Refusal("not_acceptable", job.results_error)
        if capped is not None:
            out = serialise_capped(result, wanted, max_rows=job.max_rows)
        else:
            out = serialise_solutions(result, wanted, max_rows=job.max_rows)
        fmt, kind = wanted, "select"
    elif isinstance(result, ox.QueryBoolean):
        if wanted is None:
            raise _Refusal("not_acceptable", job.results_error)
        out = serialise_boolean(bool(result), wanted)
        fmt, kind = wanted, "ask"
    else:
        if job.graph_format is None:
            raise _Refusal("not_acceptable", job.graph_error)
        fmt = by_key(job.graph_format)
        out = serialise_triples(result, fmt, max_rows=job.max_rows)
        kind = "graph"
    return Outcome(out.body, fmt.content_type, out.rows, out.truncated, kind=kind)


def _run(store: ox.Store, capped: str | None, text: str, options: dict[str, Any]) -> Any:
    """Run the capped query, or the query as written when there is no cap or it fails to parse.

    A cap that makes a valid query unparseable would be a bug in ``cap_select``; the
    client still gets its answer (cut row by row) and the parser's own message otherwise.
    """
    if capped is not None and capped != text:
        try:
            return store.query(capped, **options)
        except SyntaxError:
            pass
    return store.query(text, **options)


def _update(store: ox.Store, job: Update) -> Outcome:
    check_update(job.text)
    store.update(job.text, base_iri=job.base_iri, prefixes=PREFIXES)
    return Outcome(status=204, kind="update")


def _triples_of(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph | None) -> list[ox.Triple]:
    """Return the triples of ``graph``; ``None`` is the union of all graphs, deduplicated."""
    seen: dict[ox.Triple, None] = {}
    for quad in store.quads_for_pattern(None, None, None, graph):
        seen[quad.triple] = None
    return list(seen)


def _graph_read(store: ox.Store, job: GraphRead) -> Outcome:
    fmt = by_key(job.fmt)
    target: ox.NamedNode | ox.DefaultGraph | None
    if job.graph is None:
        target = None if job.union else ox.DefaultGraph()
    else:
        target = _node(job.graph)
        if not store.contains_named_graph(target):
            raise _Refusal("not_found", f"There is no graph named <{job.graph}> here.")
    out = serialise_triples(_triples_of(store, target), fmt)
    return Outcome(out.body, fmt.content_type, out.rows, False, kind="gsp")


def _parse_parts(job: GraphWrite, target: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for data, media_type in job.parts:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None or fmt.supports_datasets:
            raise _Refusal(
                "unsupported",
                f"No supported Content-Type given: {media_type}. A graph takes a triples "
                "format: text/turtle, application/n-triples, application/rdf+xml or "
                "application/ld+json.",
            )
        try:
            for item in ox.parse(
                data, format=fmt, base_iri=job.base_iri, without_named_graphs=True
            ):
                triple = item.triple if isinstance(item, ox.Quad) else item
                quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, target))
        except SyntaxError as exc:
            raise _Refusal("query", f"The {media_type} body does not parse: {exc}") from exc
    return quads


def _graph_write(store: ox.Store, job: GraphWrite) -> Outcome:
    target: ox.NamedNode | ox.DefaultGraph = (
        ox.DefaultGraph() if job.graph is None else _node(job.graph)
    )
    existed = isinstance(target, ox.DefaultGraph) or store.contains_named_graph(target)
    if job.method == "DELETE":
        if not existed:
            raise _Refusal("not_found", f"There is no graph named <{job.graph}> here.")
        if isinstance(target, ox.DefaultGraph):
            store.clear_graph(target)
        else:
            store.remove_graph(target)
        return Outcome(status=204, kind="gsp")
    quads = _parse_parts(job, target)
    if job.method == "PUT" and existed:
        store.clear_graph(target)
    if isinstance(target, ox.NamedNode) and not existed:
        store.add_graph(target)
    store.extend(quads)
    return Outcome(status=204 if existed else 201, kind="gsp")


def _stats(store: ox.Store) -> Outcome:
    counts: dict[str, int] = {}
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        graph, count = row["g"], row["n"]
        if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
            counts[graph.value] = int(count.value)
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode):
            counts.setdefault(graph.value, 0)
    if _union_view(store):
        rows = store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"
        )
        assert isinstance(rows, ox.QuerySolutions)
        union = int(next(iter(rows))["n"].value)  # type: ignore[union-attr]
    else:
        union = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    value = {"graphs": counts, "quads": sum(counts.values()), "default_graph": union}
    return Outcome(kind="stats", value=value)


def handle(store: ox.Store, job: object, *, union_view: bool | None = None) -> tuple[Any, ...]:
    """Answer one job: ``("ok", Outcome)`` or ``("error", kind, message)``.

    ``union_view``: whether queries read the union through Oxigraph's view, when the
    caller knows it (else it is read from the store).
    """
    try:
        if isinstance(job, Query):
            return ("ok", _query(store, job, union_view))
        if isinstance(job, Update):
            return ("ok", _update(store, job))
        if isinstance(job, GraphRead):
            return ("ok", _graph_read(store, job))
        if isinstance(job, GraphWrite):
            return ("ok", _graph_write(store, job))
        if isinstance(job, Stats):
            return ("ok", _stats(store))
        if isinstance(job, Ping):
            return ("ok", Outcome(kind="ping"))
        return ("error", "store", f"unknown job {type(job).__name__}")
    except _Refusal as exc:
        return ("error", exc.kind, exc.message)
    except OperationRefused as exc:
        return ("error", "refused", str(exc))
    except QueryError as exc:
        return ("error", "query", str(exc))
    except SyntaxError as exc:
        return ("error", "query", _syntax_message(exc))
    except ValueError as exc:
        return ("error", "query", str(exc))
    except OSError as exc:
        if "read-only" in str(exc).lower() or "read only" in str(exc).lower():
            return ("error", "refused", f"This store is read-only: {exc}")
        return ("error", "store", f"The store failed: {exc}")
    except Exception as exc:  # the worker must answer every job: report it as a store fault
        return ("error", "store", f"The query failed: {type(exc).__name__}: {exc}")


def _syntax_message(exc: SyntaxError) -> str:
    text = str(exc)
    # pyoxigraph lists every expected character class; keep the useful head of it.
    if len(text) > 600:
        text = text[:600] + " ..."
    return f"The SPARQL does not parse: {text}"


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (best effort)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _open(store_arg: str, mode: str) -> ox.Store:
    if store_arg == ":memory:":
        return ox.Store()
    if mode == "rw":
        return ox.Store(store_arg)
    return ox.Store.read_only(store_arg)


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space: a query past it fails to allocate and stops."""
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: Iterable[str] | None = None) -> int:
    """Serve jobs from stdin until it closes."""
    args = list(sys.argv[1:] if argv is None else argv)
    _die_with_parent()
    # Keep fd 1 for frames only: anything printed by accident goes to stderr.
    out: IO[bytes] = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp: IO[bytes] = sys.stdin.buffer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        mode = args[1] if len(args) > 1 else "ro"
        _limit_memory(int(args[2]) if len(args) > 2 else 0)
        store = _open(args[0], mode)
    except (OSError, IndexError, ValueError) as exc:
        write_frame(out, ("error", "store", f"Cannot open the store {args[:1]}: {exc}"))
        return 2
    global _UNION_VIEW
    _UNION_VIEW = True if mode == "rw" or args[0] == ":memory:" else needs_union_view(store)
    write_frame(out, ("ready",))
    while True:
        try:
            job = read_frame(inp)
        except EOFError:
            return 0
        write_frame(out, handle(store, job))


if __name__ == "__main__":
    sys.exit(main())
