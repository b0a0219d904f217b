"""Serialise query results and RDF with an explicit row cap (never a silent truncation).

SELECT rows are written as SPARQL JSON here and, for the other result formats, re-written
by pyoxigraph's own serialisers, so XML / CSV / TSV are exactly Oxigraph's. The JSON of a
capped result carries ``"truncated": true`` and ``"maxRows"``; callers also signal the
cap in HTTP headers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox
from cakg.graph.formats import Format
from cakg.graph.namespaces import PREFIXES

__all__ = [
    "Serialised",
    "count_rows",
    "countable",
    "serialise_boolean",
    "serialise_capped",
    "serialise_solutions",
    "serialise_triples",
]

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


def serialise_capped(solutions: ox.QuerySolutions, fmt: Format, *, max_rows: int) -> Serialised:
    """Serialise a SELECT result of at most ``max_rows + 1`` rows with pyoxigraph's writer.

    For a query whose own ``LIMIT`` keeps it to ``max_rows + 1`` rows
    (:func:`cakg.graph.sparql.cap_select`): the rows are written by Oxigraph, then counted
    in the bytes (see :func:`count_rows`); only a result over the cap is read back and cut.
    """
    if fmt.results_format is None or not countable(fmt):
        raise ValueError(f"{fmt.key} is not a query results format whose rows can be counted")
    body = solutions.serialize(format=fmt.results_format) or b""
    rows = count_rows(body, fmt.results_format)
    if rows <= max_rows:
        return Serialised(body, rows, False)
    return serialise_solutions(_solutions(body, fmt.results_format), fmt, max_rows=max_rows)


def _solutions(body: bytes, results_format: ox.QueryResultsFormat) -> ox.QuerySolutions:
    parsed = ox.parse_query_results(body, format=results_format)
    if not isinstance(parsed, ox.QuerySolutions):
        raise ValueError("a SELECT result was expected, not a boolean")
    return parsed


def countable(fmt: Format) -> bool:
    """Return whether :func:`count_rows` can count rows written in ``fmt`` (not CSV)."""
    return fmt.results_format in _COUNTABLE


_COUNTABLE = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV)


def count_rows(body: bytes, results_format: ox.QueryResultsFormat) -> int:
    """Return how many rows a SELECT result written by pyoxigraph holds.

    TSV writes one line per row after the header, with line breaks in literals escaped;
    XML one ``<result>`` element per row, with ``<`` in text escaped; JSON, see
    :func:`_json_rows`. CSV cannot be counted (a quoted literal may span lines).
    """
    if results_format == ox.QueryResultsFormat.TSV:
        return body.count(b"\n") - 1
    if results_format == ox.QueryResultsFormat.XML:
        return body.count(b"<result>") + body.count(b"<result/>")
    if results_format == ox.QueryResultsFormat.JSON:
        return _json_rows(body)
    raise ValueError(f"rows written as {results_format} cannot be counted")


#: ``,{`` that does not open a row: an empty row, or the end of a string ending in ",{".
_NOT_A_ROW = re.compile(rb',\{(\}|"[},])')
_BINDINGS = b'"bindings":['


def _json_rows(body: bytes) -> int:
    """Count the rows of SPARQL JSON written by pyoxigraph, in two passes over the bytes.

    The first row follows ``"bindings":[``; every other one opens with ``,{"`` and a
    variable's name. A string holds those bytes only at its very end (its own quotes are
    escaped), and a string is followed by ``}`` or ``,``, which no name starts with: such
    ends are subtracted. Results with rows binding nothing (``{}``) are read by
    pyoxigraph's parser instead.
    """
    at = body.find(_BINDINGS)
    if at < 0:
        raise ValueError("not SPARQL JSON results: no bindings")
    first = body[at + len(_BINDINGS) : at + len(_BINDINGS) + 2]
    if first.startswith(b"]"):
        return 0
    if first == b"{}":
        return sum(1 for _ in _solutions(body, ox.QueryResultsFormat.JSON))
    rows = 1 + body.count(b',{"')
    for match in _NOT_A_ROW.finditer(body):
        if match.group(1) == b"}":
            return sum(1 for _ in _solutions(body, ox.QueryResultsFormat.JSON))
        rows -= 1
    return rows


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
