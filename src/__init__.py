"""China–ASEAN knowledge graph: ontology, extraction, validation, SPARQL and linked data.

The import package is ``cakg``; the project's folders install as its subpackages:
``cakg.ontology`` and ``cakg.queries`` (data), ``cakg.graph`` (namespaces, dataset, store,
validation, analytics), ``cakg.loaders`` (sources to triples) and ``cakg.web`` (Flask app
and CLI, the composition root).

>>> import cakg
>>> cakg.__version__ == cakg.version()
True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version

__all__ = ["__version__", "version"]


def version() -> str:
    """Return the installed distribution's version (the one in ``pyproject.toml``)."""
    try:
        return _dist_version("china-asean-kg")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__version__ = version()
