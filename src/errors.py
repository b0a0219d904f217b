"""The project's error hierarchy: every message says what is wrong and how to fix it.

The web layer turns these into one canonical JSON shape or error page; the CLI turns them
into ``click.ClickException`` messages. Nothing else should catch them broadly.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BuildError",
    "CakgError",
    "GazetteerError",
    "NoBuildError",
    "NoPathError",
    "QueryError",
    "QueryTimeout",
    "ShapesError",
    "SourceError",
    "StoreError",
    "UnknownEntityError",
    "UnknownSourceError",
]


class CakgError(Exception):
    """Base class of every error this package raises on purpose."""


class SourceError(CakgError):
    """A source document or its metadata cannot be used.

    The message names the file (and line or field where known) and what to change.
    """

    def __init__(self, path: str, problem: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


class GazetteerError(SourceError):
    """An entry of the gazetteer (the curated reference data) is malformed."""


class BuildError(CakgError):
    """A build could not complete; the last good build is left untouched."""


class NoBuildError(CakgError):
    """There is no build to query yet."""

    def __init__(self, build_dir: str) -> None:
        super().__init__(
            f"No build found in {build_dir!r}. Run `cakg build` first "
            "(or `cakg serve`, which builds when there is none)."
        )


class StoreError(CakgError):
    """The store could not be opened, loaded or reached."""


class QueryError(CakgError):
    """A SPARQL query is malformed or not allowed; the message is the parser's."""


class QueryTimeout(CakgError):
    """A query ran past its time limit and was stopped."""


class UnknownSourceError(CakgError):
    """A source asked for by id has no named graph in the dataset."""

    def __init__(self, source: str, known: Sequence[str]) -> None:
        listing = ", ".join(known) if known else "none"
        super().__init__(
            f"No source graph {source!r} in the dataset (known sources: {listing}). "
            "Pass one of the known ids, or run `cakg build` if the source is new."
        )
        self.source = source


class ShapesError(CakgError):
    """The shapes cannot be evaluated (a malformed shape or SPARQL constraint)."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"The SHACL shapes cannot be evaluated: {problem}. Fix ontology/shapes.ttl "
            "(see https://www.w3.org/TR/shacl/#sparql-constraints for SPARQL constraints)."
        )


class UnknownEntityError(CakgError):
    """No node of the graph matches what was asked for, or several do."""


class NoPathError(CakgError):
    """Two entities are not connected in the graph."""
