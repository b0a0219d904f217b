"""The store queries run on: Oxigraph (pyoxigraph), embedded, on disk in the build.

The default graph of every query is the union of the named graphs.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from cakg.errors import QueryError, StoreError
from cakg.graph.namespaces import PREFIXES

__all__ = [
    "LocalStore",
    "SparqlReadStore",
    "needs_union_view",
    "open_build_store",
    "solution_rows",
]


def needs_union_view(store: ox.Store) -> bool:
    """Return whether queries must ask Oxigraph to treat all graphs as the default graph.

    A build stores the union of its named graphs (as a set) in the default graph; a store
    without it (tests, writable stores) uses Oxigraph's union view instead.
    """
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None


def solution_rows(result: object) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Return the rows of a SELECT result as dicts of the variables each binds.

    Raises:
        QueryError: ``result`` is not a SELECT result.
    """
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("select() needs a SELECT query")
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for name in names:
            term = solution[name]
            if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
                row[name] = term
        rows.append(row)
    return rows


class LocalStore:
    """An Oxigraph store opened from a build (read-only) or in memory (tests)."""

    def __init__(self, store: ox.Store) -> None:
        self.raw = store

    @functools.cached_property
    def union_view(self) -> bool:
        """Return :func:`needs_union_view` for this store, read once.

        For a build's read-only store, which never changes; not for a store being written.
        """
        return needs_union_view(self.raw)

    @classmethod
    def in_memory(cls) -> LocalStore:
        """Return an empty in-memory store."""
        return cls(ox.Store())

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT query (project prefixes predeclared) and return its rows.

        Raises:
            QueryError: the query does not parse or is not a SELECT.
        """
        try:
            result = self.raw.query(
                sparql, prefixes=PREFIXES, use_default_graph_as_union=needs_union_view(self.raw)
            )
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        return solution_rows(result)

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """Yield the quads matching a pattern (``None`` matches anything)."""
        return iter(self.raw.quads_for_pattern(subject, predicate, object, graph_name))

    def named_graphs(self) -> list[str]:
        """Return the names of the named graphs, sorted."""
        return sorted(g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode))


class SparqlReadStore(LocalStore):
    """The read interface of :class:`LocalStore` answered by SPARQL ``select`` alone.

    For stores this process cannot open itself: a remote store (``cakg.graph.remote``) or
    the writable store a query process holds (``cakg.graph.engine.EngineStore``).
    Subclasses give ``select``; ``raw``, the embedded pyoxigraph store, does not exist.
    """

    def __init__(self) -> None:
        """Nothing to open: ``raw`` is a property that refuses."""

    @property  # type: ignore[override]
    def raw(self) -> ox.Store:
        """Refuse: there is no embedded pyoxigraph store in this process.

        Raises:
            StoreError: always.
        """
        raise StoreError(
            f"{self.describe()} is not opened in this process: query it with select(), or "
            "through the SPARQL endpoint, not through an embedded pyoxigraph store."
        )

    @raw.setter
    def raw(self, value: ox.Store) -> None:
        raise StoreError(f"{self.describe()} cannot be given an embedded store.")

    def describe(self) -> str:
        """Return how messages name this store."""
        return "This store"

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | None = None,
        graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """Yield the quads of named graphs matching a pattern (``None`` matches anything).

        Blank nodes cannot be named in a query, so a pattern with one matches nothing; nor
        does the default graph, which is the union here.
        """
        if any(isinstance(t, ox.BlankNode) for t in (subject, object, graph_name)) or (
            isinstance(graph_name, ox.DefaultGraph)
        ):
            return iter(())
        s = str(subject) if isinstance(subject, ox.NamedNode) else "?s"
        p = str(predicate) if predicate is not None else "?p"
        o = str(object) if isinstance(object, ox.NamedNode | ox.Literal) else "?o"
        g = str(graph_name) if isinstance(graph_name, ox.NamedNode) else "?g"
        rows = self.select(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}")
        out = []
        for row in rows:
            rs, rp, ro, rg = (
                subject if subject is not None else row.get("s"),
                predicate if predicate is not None else row.get("p"),
                object if object is not None else row.get("o"),
                graph_name if graph_name is not None else row.get("g"),
            )
            if (
                isinstance(rs, ox.NamedNode | ox.BlankNode)
                and isinstance(rp, ox.NamedNode)
                and ro is not None
                and isinstance(rg, ox.NamedNode | ox.BlankNode)
            ):
                out.append(ox.Quad(rs, rp, ro, rg))
        return iter(out)

    def named_graphs(self) -> list[str]:
        """Return the names of the named graphs, sorted."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(g.value for row in rows if isinstance(g := row.get("g"), ox.NamedNode))


def open_build_store(store_path: str | os.PathLike[str]) -> LocalStore:
    """Open the store of a build read-only (many processes may do so at once).

    Raises:
        StoreError: there is no store at ``store_path``.
    """
    path = Path(store_path)
    if not path.is_dir():
        raise StoreError(f"No store at {str(path)!r}: run `cakg build` first.")
    try:
        return LocalStore(ox.Store.read_only(str(path)))
    except OSError as exc:
        raise StoreError(f"Cannot open the store at {str(path)!r}: {exc}") from exc
