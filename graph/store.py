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

__all__ = ["LocalStore", "needs_union_view", "open_build_store"]


def needs_union_view(store: ox.Store) -> bool:
    """Return whether queries must ask Oxigraph to treat all graphs as the default graph.

    A build stores the union of its named graphs (as a set) in the default graph; a store
    without it (tests, writable stores) uses Oxigraph's union view instead.
    """
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None


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
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows

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
