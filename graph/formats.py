"""Media types of query results and RDF, and content negotiation between them.

One table, :data:`FORMATS`, lists every format the server writes or reads; one function,
:func:`negotiate`, picks a format from an ``Accept`` header (q-values, wildcards, exclusion
with ``q=0``) or from an explicit override (``format=`` / ``output=`` / ``results=``).

>>> negotiate("application/sparql-results+json,*/*;q=0.9", "results").key
'json'
>>> negotiate("application/n-triples,*/*;q=0.9", "graph").media_type
'application/n-triples'
>>> negotiate(None, "graph").key
'turtle'
>>> negotiate("text/html", "graph", override=["xml"]).key
'rdfxml'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox
from cakg.errors import CakgError
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

__all__ = [
    "FORMATS",
    "Format",
    "Kind",
    "NotAcceptable",
    "UnsupportedMediaType",
    "by_key",
    "negotiate",
    "rdf_format_for_content_type",
]

#: ``results`` for SELECT / ASK, ``graph`` for CONSTRUCT / DESCRIBE and RDF documents.
Kind = Literal["results", "graph"]


class NotAcceptable(CakgError):
    """No format the server writes fits the request's ``Accept`` header or override (406)."""


class UnsupportedMediaType(CakgError):
    """A request body has a media type the server cannot read (415)."""


@dataclass(frozen=True)
class Format:
    """One serialisation: its media type, aliases, and how pyoxigraph names it."""

    key: str
    kind: Kind
    media_type: str
    #: Other media types clients send for it (matched in ``Accept`` and overrides).
    aliases: tuple[str, ...] = ()
    #: Short names for the override parameters (``?format=json``).
    names: tuple[str, ...] = ()
    #: The W3C format IRI (http://www.w3.org/ns/formats/), for the service description.
    iri: str = ""
    results_format: ox.QueryResultsFormat | None = field(default=None, compare=False)
    rdf_format: ox.RdfFormat | None = field(default=None, compare=False)

    @property
    def content_type(self) -> str:
        """Return the ``Content-Type`` header value (UTF-8 everywhere)."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def dataset(self) -> bool:
        """Return whether the format can hold named graphs (TriG, N-Quads)."""
        return self.rdf_format is not None and self.rdf_format.supports_datasets


_W3C = "http://www.w3.org/ns/formats/"

#: Every format, in the server's order of preference within a kind (first = default).
FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "results",
        "application/sparql-results+json",
        aliases=("application/json", "text/javascript", "application/javascript"),
        names=("json", "srj"),
        iri=_W3C + "SPARQL_Results_JSON",
        results_format=ox.QueryResultsFormat.JSON,
    ),
    Format(
        "xml",
        "results",
        "application/sparql-results+xml",
        aliases=("application/xml", "text/xml"),
        names=("xml", "srx"),
        iri=_W3C + "SPARQL_Results_XML",
        results_format=ox.QueryResultsFormat.XML,
    ),
    Format(
        "csv",
        "results",
        "text/csv",
        names=("csv",),
        iri=_W3C + "SPARQL_Results_CSV",
        results_format=ox.QueryResultsFormat.CSV,
    ),
    Format(
        "tsv",
        "results",
        "text/tab-separated-values",
        names=("tsv",),
        iri=_W3C + "SPARQL_Results_TSV",
        results_format=ox.QueryResultsFormat.TSV,
    ),
    Format(
        "turtle",
        "graph",
        "text/turtle",
        aliases=("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
        names=("turtle", "ttl", "n3"),
        iri=_W3C + "Turtle",
        rdf_format=ox.RdfFormat.TURTLE,
    ),
    Format(
        "ntriples",
        "graph",
        "application/n-triples",
        aliases=("text/plain",),
        names=("ntriples", "nt", "n-triples"),
        iri=_W3C + "N-Triples",
        rdf_format=ox.RdfFormat.N_TRIPLES,
    ),
    Format(
        "rdfxml",
        "graph",
        "application/rdf+xml",
        names=("rdfxml", "rdf+xml", "rdf", "xml", "owl"),
        iri=_W3C + "RDF_XML",
        rdf_format=ox.RdfFormat.RDF_XML,
    ),
    Format(
        "jsonld",
        "graph",
        "application/ld+json",
        aliases=("application/x-json+ld", "application/json"),
        names=("jsonld", "json-ld", "json"),
        iri=_W3C + "JSON-LD",
        rdf_format=ox.RdfFormat.JSON_LD,
    ),
    Format(
        "trig",
        "graph",
        "application/trig",
        aliases=("application/x-trig",),
        names=("trig",),
        iri=_W3C + "TriG",
        rdf_format=ox.RdfFormat.TRIG,
    ),
    Format(
        "nquads",
        "graph",
        "application/n-quads",
        aliases=("text/x-nquads",),
        names=("nquads", "nq", "n-quads"),
        iri=_W3C + "N-Quads",
        rdf_format=ox.RdfFormat.N_QUADS,
    ),
)

_BY_KEY = {f.key: f for f in FORMATS}


def by_key(key: str) -> Format:
    """Return the format named ``key`` (``json``, ``turtle`` ...).

    Raises:
        KeyError: no format has that key.
    """
    return _BY_KEY[key]


def _of_kind(kind: Kind) -> list[Format]:
    return [f for f in FORMATS if f.kind == kind]


def _format_for(media_type: str, kind: Kind) -> Format | None:
    for f in _of_kind(kind):
        if media_type == f.media_type or media_type in f.aliases:
            return f
    return None


def _normalised(accept: str) -> tuple[MIMEAccept, set[str]]:
    """Parse ``accept`` into entries without media-type parameters, and the excluded types.

    Werkzeug matches parameters literally, so they are dropped; an entry with a ``charset``
    other than UTF-8 (every format is written in UTF-8) or with ``q=0`` excludes its type.
    """
    values: list[tuple[str, float]] = []
    excluded: set[str] = set()
    for value, quality in parse_accept_header(accept, MIMEAccept):
        media_type, params = parse_options_header(value)
        media_type = media_type.lower()
        if "/" not in media_type:
            continue
        charset = params.get("charset", "utf-8").lower()
        if quality <= 0 or charset not in ("utf-8", "utf8"):
            excluded.add(media_type)
            continue
        values.append((media_type, quality))
    return MIMEAccept(values), excluded


def _excluded(media_type: str, excluded: set[str], named: set[str]) -> bool:
    if media_type in excluded:
        return True
    return f"{media_type.split('/')[0]}/*" in excluded and media_type not in named


def _override(values: Sequence[str], kind: Kind) -> Format:
    for raw in values:
        for value in raw.split(","):
            name = value.strip().lower()
            if not name:
                continue
            by_name = next((f for f in _of_kind(kind) if name in f.names), None)
            found = by_name or _format_for(parse_options_header(name)[0], kind)
            if found is not None:
                return found
    choices = ", ".join(n for f in _of_kind(kind) for n in f.names[:1])
    raise NotAcceptable(
        f"The requested format {', '.join(values)!r} is not available for this kind of "
        f"result ({kind}); use one of: {choices}."
    )


def negotiate(
    accept: str | None, kind: Kind, *, override: Sequence[str] = (), default: str | None = None
) -> Format:
    """Return the format to answer with, from an ``Accept`` header or an explicit override.

    ``override`` holds the values of the ``format`` / ``output`` / ``results`` parameters
    (short names or media types); the first that fits ``kind`` wins over ``Accept``. With
    no ``Accept`` header (or an empty one) the answer is ``default`` or the kind's first
    format (SPARQL JSON, Turtle).

    Raises:
        NotAcceptable: nothing the server writes matches (answer 406).
    """
    if override:
        return _override(override, kind)
    formats = _of_kind(kind)
    fallback = _BY_KEY[default] if default else formats[0]
    if accept is None or not accept.strip():
        return fallback
    parsed, excluded = _normalised(accept)
    if not parsed and not excluded:
        # Nothing usable in the header (e.g. only garbage): treat it as absent.
        return fallback
    named = {value for value, _ in parsed}
    # Aliases count only when named outright: text/* must not pick text/javascript.
    candidates = [fallback.media_type, *(f.media_type for f in formats)]
    candidates += [a for f in formats for a in f.aliases if a in named]
    candidates = [c for c in candidates if not _excluded(c, excluded, named)]
    best = parsed.best_match(candidates)
    found = _format_for(best, kind) if best else None
    if found is None:
        offered = ", ".join(f.media_type for f in formats)
        raise NotAcceptable(
            f"No acceptable media type in Accept: {accept!r}; this result can be sent as {offered}."
        )
    return found


def rdf_format_for_content_type(content_type: str | None) -> ox.RdfFormat:
    """Return the RDF format a request body of ``content_type`` is parsed with.

    Raises:
        UnsupportedMediaType: no content type was given, or not an RDF one (answer 415).
    """
    if not content_type:
        raise UnsupportedMediaType(
            "No Content-Type given: send the RDF with a Content-Type such as text/turtle, "
            "application/n-triples, application/rdf+xml, application/ld+json or "
            "application/trig."
        )
    media_type, params = parse_options_header(content_type)
    charset = params.get("charset", "utf-8").lower()
    found = _format_for(media_type.lower(), "graph")
    if found is None or found.rdf_format is None or charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            f"No supported Content-Type given: {content_type}. Use text/turtle, "
            "application/n-triples, application/rdf+xml, application/ld+json, "
            "application/trig or application/n-quads, in UTF-8."
        )
    return found.rdf_format
