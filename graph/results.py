"""Serialise query results and RDF with an explicit row cap (never a silent truncation).

SELECT rows are written as SPARQL JSON here and, for the other result formats, re-written
by pyoxigraph's own serialisers, so XML / CSV / TSV are exactly Oxigraph's. The JSON of a
capped result carries ``"truncated": true`` and ``"maxRows"``; callers also signal the
cap in HTTP headers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox
from cakg.graph.formats import Format
from cakg.graph.namespaces import PREFIXES

__all__ = ["Serialised", "serialise_boolean", "serialise_solutions", "serialise_triples"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Serialised:
    """A serialised result: its bytes, how many rows (or triples) and whether it was capped."""

    body: bytes
    rows: int
    truncated: bool


def _term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term(term.subject),
                "predicate": _term(term.predicate),
                "object": _term(term.object),
            },
        }
    raise TypeError(f"unexpected term in a query solution: {term!r}")


def serialise_solutions(solutions: ox.QuerySolutions, fmt: Format, *, max_rows: int) -> Serialised:
    """Serialise at most ``max_rows`` rows of a SELECT result in ``fmt``."""
    names = [v.value for v in solutions.variables]
    bindings = []
    for solution in islice(solutions, max_rows + 1):
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = _term(term)
        bindings.append(row)
    truncated = len(bindings) > max_rows
    del bindings[max_rows:]
    document: dict[str, Any] = {"head": {"vars": names}}
    if truncated:
        # Before "results": streaming parsers (pyoxigraph's) reject keys after the rows.
        document["truncated"] = True
        document["maxRows"] = max_rows
    document["results"] = {"bindings": bindings}
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt.results_format is not None and fmt.results_format != ox.QueryResultsFormat.JSON:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=fmt.results_format) or b""
    return Serialised(body, len(bindings), truncated)


def serialise_boolean(value: bool, fmt: Format) -> Serialised:
    """Serialise an ASK result in ``fmt``."""
    if fmt.results_format is None:
        raise ValueError(f"{fmt.key} is not a query results format")
    text = json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    parsed = ox.parse_query_results(text, format=ox.QueryResultsFormat.JSON)
    return Serialised(parsed.serialize(format=fmt.results_format) or b"", 1, False)


def _used_prefixes(
    triples: Iterable[ox.Triple], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return the project prefixes whose namespace some IRI of ``triples`` starts with."""
    iris: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    known = {**PREFIXES, **(extra or {})}
    return {p: ns for p, ns in known.items() if any(iri.startswith(ns) for iri in iris)}


def serialise_triples(
    triples: Iterable[ox.Triple],
    fmt: Format,
    *,
    max_rows: int | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> Serialised:
    """Serialise triples (at most ``max_rows`` when given) in the RDF format ``fmt``."""
    if fmt.rdf_format is None:
        raise ValueError(f"{fmt.key} is not an RDF format")
    items = list(triples if max_rows is None else islice(triples, max_rows + 1))
    truncated = max_rows is not None and len(items) > max_rows
    if max_rows is not None:
        del items[max_rows:]
    data: list[ox.Triple] | list[ox.Quad] = items
    if fmt.rdf_format.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    used = None
    if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        used = _used_prefixes(items, prefixes)
    body = ox.serialize(data, format=fmt.rdf_format, prefixes=used)
    if body is None:  # pragma: no cover - serialize returns bytes without an output
        body = b""
    return Serialised(body, len(items), truncated)
