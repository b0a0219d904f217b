"""Push a build to, and query it in, any SPARQL 1.1 store over standard HTTP protocols.

- :func:`push_build` replaces each named graph of a build in the remote store with a
  Graph Store Protocol ``PUT`` (https://www.w3.org/TR/sparql11-http-rdf-update/), from the
  build's per-graph N-Quads dumps; pushing the same build twice leaves the same data.
- :class:`RemoteEngine` answers the endpoint's jobs (the interface of
  :class:`~cakg.graph.engine.QueryEngine`) through the SPARQL 1.1 Protocol, keeping this
  server's own limits: ``SERVICE`` refused, rows capped, a time limit, read-only.
- :class:`RemoteStore` is the read interface of :class:`~cakg.graph.store.LocalStore`
  (``select``, ``quads``, ``named_graphs``) for linked-data pages and views.

A store URL names the server and, by an optional ``flavour+`` scheme prefix, its endpoint
layout (see docs/REMOTE-STORES.md):

>>> Endpoints.for_store("http://127.0.0.1:7878").query
'http://127.0.0.1:7878/query'
>>> Endpoints.for_store("http://localhost:3030/cakg").gsp
'http://localhost:3030/cakg/data'
>>> e = Endpoints.for_store("graphdb+http://h:7200/repositories/cakg")
>>> (e.query, e.gsp)
('http://h:7200/repositories/cakg', 'http://h:7200/repositories/cakg/rdf-graphs/service')
>>> Endpoints.for_store("http://h:8890/sparql").flavour
'virtuoso'
>>> is_remote_store("fuseki+https://example.org/ds"), is_remote_store("instance/store")
(True, False)

The server's queries read the default graph as the union of the named graphs, as a set:
the embedded store holds that union in its default graph, and :func:`push_build` stores it
in the remote store's default graph too, so the remote store needs no union setting (and
must not query the union of all graphs by itself: that would count triples twice).
"""

from __future__ import annotations

import base64
import dataclasses
import http.client
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox
from cakg.errors import QueryError, QueryTimeout, StoreError
from cakg.graph.build import Build
from cakg.graph.engine import (
    GraphNotFound,
    GraphRead,
    GraphWrite,
    Job,
    Outcome,
    Ping,
    Query,
    Stats,
    Update,
)
from cakg.graph.formats import NotAcceptable, by_key
from cakg.graph.namespaces import BASE, PREFIXES
from cakg.graph.results import serialise_boolean, serialise_solutions, serialise_triples
from cakg.graph.sparql import OperationRefused, check_query
from cakg.graph.store import SparqlReadStore, solution_rows

__all__ = [
    "FLAVOURS",
    "Endpoints",
    "PushReport",
    "RemoteEngine",
    "RemoteStore",
    "is_remote_store",
    "push_build",
    "remote_counts",
]

#: Endpoint layouts relative to a store's base URL: (query, graph store, update).
FLAVOURS: dict[str, tuple[str, str, str]] = {
    "oxigraph": ("/query", "/store", "/update"),
    "fuseki": ("/query", "/data", "/update"),
    "graphdb": ("", "/rdf-graphs/service", "/statements"),
    "virtuoso": ("/sparql", "/sparql-graph-crud-auth", "/sparql"),
}

_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_ACCEPT_QUERY = f"{_RESULTS_JSON}, {_NTRIPLES};q=0.9, text/turtle;q=0.5"
_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_READ_ONLY = (
    "This endpoint serves a remote SPARQL store read-only. Send updates to that store "
    "itself, or push a new build to it with `cakg build --store URL`."
)


def is_remote_store(value: str | None) -> bool:
    """Return whether ``value`` is a remote store URL rather than a store folder."""
    if not value:
        return False
    scheme = urlsplit(value).scheme.lower()
    return scheme.rpartition("+")[2] in ("http", "https")


@dataclass(frozen=True)
class Endpoints:
    """The query, graph store and update URLs of one remote store, and its credentials."""

    query: str
    gsp: str
    update: str
    flavour: str = "oxigraph"
    auth: str | None = field(default=None, repr=False)  # an Authorization header value

    @classmethod
    def for_store(cls, url: str, *, flavour: str | None = None) -> Endpoints:
        """Return the endpoints of the store at ``url`` (``flavour+http://...`` or plain).

        Without a flavour it is guessed from the path: none -> Oxigraph server,
        ``/repositories/ID`` -> GraphDB, ``/sparql`` -> Virtuoso, anything else -> a
        Fuseki dataset. ``user:password@`` in the URL is sent as HTTP Basic credentials.

        Raises:
            StoreError: the URL is not http(s) or names an unknown flavour.
        """
        parts = urlsplit(url.strip())
        prefix, plus, scheme = parts.scheme.lower().rpartition("+")
        if scheme not in ("http", "https"):
            raise StoreError(
                f"Not a store URL: {url!r}. Give http(s)://host:port[/path], optionally "
                f"prefixed by a flavour ({', '.join(f'{f}+http' for f in FLAVOURS)})."
            )
        chosen = flavour or (prefix if plus else None)
        path = parts.path.rstrip("/")
        if chosen is None:
            if not path:
                chosen = "oxigraph"
            elif "/repositories/" in path:
                chosen = "graphdb"
            elif path.endswith("/sparql"):
                chosen = "virtuoso"
            else:
                chosen = "fuseki"
        if chosen not in FLAVOURS:
            raise StoreError(
                f"Unknown store flavour {chosen!r} in {url!r}; use one of {sorted(FLAVOURS)}."
            )
        if chosen == "virtuoso" and path.endswith("/sparql"):
            path = path[: -len("/sparql")]
        auth = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            auth = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        netloc = parts.hostname or ""
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
        base = urlunsplit((scheme, netloc, path, "", ""))
        query, gsp, update = FLAVOURS[chosen]
        return cls(base + query, base + gsp, base + update, chosen, auth)

    @property
    def display(self) -> str:
        """Return the query URL, for messages (never the credentials)."""
        return self.query


# -- HTTP -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    status: int
    content_type: str
    body: bytes


class _Http:
    """Keep-alive HTTP connections, one per thread and server; retries a dropped one once."""

    def __init__(self, auth: str | None) -> None:
        self.auth = auth
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: set[http.client.HTTPConnection] = set()

    def _connection(self, scheme: str, netloc: str, timeout: float) -> http.client.HTTPConnection:
        pool: dict[tuple[str, str], http.client.HTTPConnection] = (
            getattr(self._local, "pool", None) or {}
        )
        self._local.pool = pool
        conn = pool.get((scheme, netloc))
        if conn is None:
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            conn = kind(netloc, timeout=timeout)
            pool[(scheme, netloc)] = conn
        with self._lock:  # again after close(): a closed connection reopens on use
            self._open.add(conn)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def _drop(self, scheme: str, netloc: str) -> None:
        pool = getattr(self._local, "pool", {})
        conn = pool.pop((scheme, netloc), None)
        if conn is not None:
            conn.close()
            with self._lock:
                self._open.discard(conn)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float,
    ) -> _Response:
        """Send one request and read the whole answer.

        Raises:
            QueryTimeout: no answer within ``timeout`` seconds.
            StoreError: the server cannot be reached.
        """
        parts = urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        sent = dict(headers or {})
        if self.auth:
            sent["Authorization"] = self.auth
        for attempt in (1, 2):
            conn = self._connection(parts.scheme, parts.netloc, timeout)
            reused = conn.sock is not None
            try:
                conn.request(method, target, body=body, headers=sent)
                answer = conn.getresponse()
                data = answer.read()
            except TimeoutError:
                self._drop(parts.scheme, parts.netloc)
                raise QueryTimeout(
                    f"The SPARQL store at {parts.netloc} did not answer within {timeout:g} s."
                ) from None
            except (http.client.HTTPException, ConnectionError, BrokenPipeError) as exc:
                self._drop(parts.scheme, parts.netloc)
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: retry fresh
                raise StoreError(
                    f"Cannot reach the SPARQL store at {parts.scheme}://{parts.netloc} "
                    f"({exc.__class__.__name__}: {exc}); check that it is running and the "
                    "URL is right."
                ) from exc
            except OSError as exc:
                self._drop(parts.scheme, parts.netloc)
                raise StoreError(
                    f"Cannot reach the SPARQL store at {parts.scheme}://{parts.netloc} "
                    f"({exc.strerror or exc}); check that it is running and the URL is right."
                ) from exc
            if answer.getheader("Connection", "").lower() == "close":
                self._drop(parts.scheme, parts.netloc)
            return _Response(answer.status, answer.getheader("Content-Type", ""), data)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Close every connection (a thread that sends again opens a fresh one)."""
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            conn.close()


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _error_text(response: _Response) -> str:
    text = response.body.decode("utf-8", "replace").strip()
    return text[:600] + (" ..." if len(text) > 600 else "")


def _with_graph(url: str, graph: str | None) -> str:
    arg = "default" if graph is None else "graph=" + quote(graph, safe="")
    return f"{url}{'&' if '?' in url else '?'}{arg}"


# -- pushing a build --------------------------------------------------------------------


@dataclass
class PushReport:
    """What a push did: the graphs replaced and deleted, and the triples sent."""

    store: str
    pushed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0


def _ntriples_of_dump(data: bytes, graph: str) -> bytes:
    """Return the N-Triples of a per-graph N-Quads dump (every line ends with the graph)."""
    # In N-Quads a newline only ends a statement (newlines in literals are escaped), so
    # the graph term followed by " .\n" can only be the end of a line.
    return data.replace(f" <{graph}> .\n".encode(), b" .\n")


def push_build(
    build: Build,
    store_url: str | Endpoints,
    *,
    graphs: Iterable[str] | None = None,
    prune: bool = False,
    union: bool = True,
    verify: bool = True,
    timeout: float = 300.0,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """Replace each named graph of ``build`` in the store at ``store_url`` (GSP ``PUT``).

    ``graphs`` limits the push to these graph names (e.g. the changed sources). ``prune``
    also deletes the store's graphs under ``https://w3id.org/cakg/`` that the build does
    not have (sources removed since the last push). ``union`` then replaces the store's
    default graph with the union of the build's named graphs, as a set, as the embedded
    store holds it (computed from every dump, changed or not). ``verify`` finally compares
    the store's triple counts with the build's.

    Raises:
        StoreError: the store cannot be reached, refuses a graph, or holds other counts
            than the build after the push.
    """
    say = progress or (lambda _message: None)
    endpoints = store_url if isinstance(store_url, Endpoints) else Endpoints.for_store(store_url)
    client = _Http(endpoints.auth)
    started = time.perf_counter()
    rows = {row["name"]: row for row in build.manifest["graphs"]}
    wanted = sorted(rows) if graphs is None else sorted(set(graphs))
    unknown = [g for g in wanted if g not in rows]
    if unknown:
        raise StoreError(f"The build has no graphs named {unknown}; check the graph names.")
    report = PushReport(endpoints.display)
    try:
        for n, name in enumerate(wanted, 1):
            say(f"[{n}/{len(wanted)}] PUT <{name}>")
            body = _ntriples_of_dump(build.graph_dump(name).read_bytes(), name)
            answer = client.request(
                "PUT",
                _with_graph(endpoints.gsp, name),
                body=body,
                headers={"Content-Type": _NTRIPLES},
                timeout=timeout,
            )
            if answer.status not in (200, 201, 204):
                raise StoreError(
                    f"The store at {endpoints.gsp} refused graph <{name}> with HTTP "
                    f"{answer.status}: {_error_text(answer)}. Check that its Graph Store "
                    "endpoint accepts writes from this client (see docs/REMOTE-STORES.md)."
                )
            report.pushed.append(name)
            report.triples += int(rows[name].get("triples", 0))
        if prune:
            counts = remote_counts(endpoints, timeout=timeout, client=client)
            for name in sorted(set(counts) - set(rows)):
                if not name.startswith(BASE):
                    continue
                say(f"DELETE <{name}>")
                answer = client.request("DELETE", _with_graph(endpoints.gsp, name), timeout=timeout)
                if answer.status not in (200, 204, 404):
                    raise StoreError(
                        f"The store refused to delete graph <{name}> with HTTP "
                        f"{answer.status}: {_error_text(answer)}."
                    )
                report.deleted.append(name)
        union_size = None
        if union:
            say("PUT the default graph (the union of the named graphs)")
            body = _union_of(build, sorted(rows))
            union_size = body.count(b"\n")
            answer = client.request(
                "PUT",
                _with_graph(endpoints.gsp, None),
                body=body,
                headers={"Content-Type": _NTRIPLES},
                timeout=timeout,
            )
            if answer.status not in (200, 201, 204):
                raise StoreError(
                    f"The store at {endpoints.gsp} refused the default graph with HTTP "
                    f"{answer.status}: {_error_text(answer)}."
                )
        if verify:
            if union_size is not None:
                stored = _default_count(client, endpoints, timeout=timeout)
                if stored != union_size:
                    raise StoreError(
                        f"The store's default graph has {stored} triples, not the {union_size} "
                        "of the union pushed: it is probably set to query the union of all "
                        "graphs (Oxigraph --union-default-graph, Fuseki unionDefaultGraph); "
                        "turn that off, the push stores the union itself."
                    )
            counts = remote_counts(endpoints, timeout=timeout, client=client)
            wrong = {
                name: (counts.get(name, 0), int(rows[name].get("triples", 0)))
                for name in report.pushed
                if counts.get(name, 0) != int(rows[name].get("triples", 0))
            }
            if wrong:
                detail = ", ".join(
                    f"<{g}>: {have} in the store, {want} built"
                    for g, (have, want) in sorted(wrong.items())[:5]
                )
                raise StoreError(
                    f"After the push the store holds other triple counts than the build "
                    f"({detail}); another client may be writing to it. Push again."
                )
    finally:
        client.close()
    report.seconds = time.perf_counter() - started
    return report


def _union_of(build: Build, names: Sequence[str]) -> bytes:
    """Return the N-Triples of the union of the named graphs' dumps, as a sorted set."""
    triples: set[bytes] = set()
    for name in names:
        triples.update(_ntriples_of_dump(build.graph_dump(name).read_bytes(), name).splitlines())
    triples.discard(b"")
    return b"".join(line + b"\n" for line in sorted(triples))


def _default_count(http: _Http, endpoints: Endpoints, *, timeout: float) -> int:
    rows = _select(http, endpoints, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=timeout)
    value = rows[0].get("n") if rows else None
    return int(value.value) if isinstance(value, ox.Literal) else 0


def remote_counts(
    store_url: str | Endpoints, *, timeout: float = 60.0, client: _Http | None = None
) -> dict[str, int]:
    """Return the triple count of every named graph of the store at ``store_url``.

    Raises:
        StoreError: the store cannot be reached or refuses the query.
    """
    endpoints = store_url if isinstance(store_url, Endpoints) else Endpoints.for_store(store_url)
    http = client or _Http(endpoints.auth)
    try:
        solutions = _select(http, endpoints, _COUNTS, timeout=timeout)
    finally:
        if client is None:
            http.close()
    counts: dict[str, int] = {}
    for row in solutions:
        graph, count = row["g"], row["n"]
        if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
            counts[graph.value] = int(count.value)
    return counts


# -- querying ---------------------------------------------------------------------------

_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def _prepare(text: str, base_iri: str | None) -> str:
    """Return ``text`` with the project prefixes (and the base IRI) declared before it."""
    # The prologue may declare BASE and PREFIX in any order, and a later PREFIX of the same
    # name wins (SPARQL 1.1 section 4.1.1), so a query's own declarations still apply.
    base = f"BASE <{base_iri}>\n" if base_iri else ""
    return base + _PROLOGUE + text


def _post_query(
    http: _Http,
    endpoints: Endpoints,
    text: str,
    *,
    timeout: float,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    accept: str = _ACCEPT_QUERY,
) -> _Response:
    params: list[tuple[str, str]] = [("query", text)]
    params += [("default-graph-uri", g) for g in default_graphs or ()]
    params += [("named-graph-uri", g) for g in named_graphs or ()]
    answer = http.request(
        "POST",
        endpoints.query,
        body=urlencode(params).encode("utf-8"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": accept,
        },
        timeout=timeout,
    )
    if answer.status == 400:
        raise QueryError(f"The SPARQL store rejected the query: {_error_text(answer)}")
    if answer.status in (503, 504) and b"timeout" in answer.body.lower():
        raise QueryTimeout(f"The SPARQL store stopped the query: {_error_text(answer)}")
    if answer.status != 200:
        raise StoreError(
            f"The SPARQL store at {endpoints.display} answered HTTP {answer.status}: "
            f"{_error_text(answer)}"
        )
    return answer


def _parse_answer(answer: _Response) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    media = _media_type(answer.content_type)
    results = ox.QueryResultsFormat.from_media_type(media)
    try:
        if results is not None:
            return ox.parse_query_results(answer.body, format=results)
        rdf = ox.RdfFormat.from_media_type(media)
        if rdf is None:
            raise StoreError(
                f"The SPARQL store answered in {media or 'no media type'}, which this server "
                "cannot read; it should honour Accept (SPARQL 1.1 Protocol section 2.1)."
            )
        triples: list[ox.Triple] = []
        for item in ox.parse(answer.body, format=rdf):
            triples.append(item.triple if isinstance(item, ox.Quad) else item)
        return triples
    except SyntaxError as exc:
        raise StoreError(f"The SPARQL store's {media} answer does not parse: {exc}") from exc


def _select(
    http: _Http, endpoints: Endpoints, text: str, *, timeout: float
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    parsed = _parse_answer(
        _post_query(http, endpoints, _prepare(text, None), timeout=timeout, accept=_RESULTS_JSON)
    )
    return solution_rows(parsed)


class RemoteEngine:
    """Answers the endpoint's jobs from a remote SPARQL store, with this server's limits."""

    def __init__(
        self,
        store_url: str | Endpoints,
        *,
        timeout: float = 5.0,
        processes: int = 4,
    ) -> None:
        """Prepare an engine over the store at ``store_url``; nothing is sent yet."""
        self.endpoints = (
            store_url if isinstance(store_url, Endpoints) else Endpoints.for_store(store_url)
        )
        self.store = self.endpoints.display
        self.writable = False
        self.size = max(1, processes)
        self.timeout = timeout
        self.timeouts = 0
        self._http = _Http(self.endpoints.auth)

    def start(self) -> None:
        """Check now, rather than at the first request, that the store answers.

        Raises:
            StoreError: the store cannot be reached.
        """
        self._ask("ASK {}")

    def check(self) -> None:
        """Check that the store answers and has a default graph to query.

        The server's queries read the union of the named graphs as the default graph:
        ``push_build`` stores it there, as in the embedded store.

        Raises:
            StoreError: it cannot be reached, or it has named graphs but an empty default
                graph (a build pushed without its union).
        """
        in_named = self._ask("ASK { GRAPH ?g { ?s ?p ?o } }")
        in_default = self._ask("ASK { ?s ?p ?o }")
        if in_named and not in_default:
            raise StoreError(
                f"The SPARQL store at {self.store} has named graphs but an empty default "
                "graph, which this server's queries read as the union of the named graphs. "
                "Push the build with `cakg build --store URL` (it stores the union as the "
                "default graph); see docs/REMOTE-STORES.md."
            )

    def _ask(self, text: str) -> bool:
        answer = _post_query(
            self._http, self.endpoints, text, timeout=self.timeout, accept=_RESULTS_JSON
        )
        return bool(_parse_answer(answer))

    def run(self, job: Job, *, timeout: float | None = None) -> Outcome:
        """Answer ``job`` from the remote store.

        Raises:
            QueryTimeout: no answer within ``timeout`` seconds (default: the engine's).
            QueryError: the store rejected the query.
            OperationRefused: an update or a Graph Store write (this engine is read-only),
                or a query using ``SERVICE``.
            GraphNotFound: a Graph Store read of a graph the store does not have.
            StoreError: the store cannot be reached or answered something unreadable.
        """
        limit = self.timeout if timeout is None else timeout
        started = time.monotonic()
        try:
            outcome = self._dispatch(job, limit)
        except QueryTimeout:
            self.timeouts += 1
            raise QueryTimeout(
                f"The query ran longer than the {limit:g} s limit and was stopped. Make it "
                "more selective (fewer unbound patterns, a LIMIT), or ask the operator for a "
                "longer --query-timeout."
            ) from None
        return dataclasses.replace(outcome, elapsed=time.monotonic() - started)

    def _dispatch(self, job: Job, limit: float) -> Outcome:
        if isinstance(job, Query):
            return self._query(job, limit)
        if isinstance(job, GraphRead):
            return self._graph_read(job, limit)
        if isinstance(job, Stats):
            counts = remote_counts(self.endpoints, timeout=limit, client=self._http)
            return Outcome(kind="stats", value={"graphs": counts, "quads": sum(counts.values())})
        if isinstance(job, Ping):
            self._ask("ASK {}")
            return Outcome(kind="ping")
        if isinstance(job, Update | GraphWrite):
            raise OperationRefused(_READ_ONLY)
        raise StoreError(f"unknown job {type(job).__name__}")

    def _query(self, job: Query, limit: float) -> Outcome:
        check_query(job.text)
        answer = _post_query(
            self._http,
            self.endpoints,
            _prepare(job.text, job.base_iri),
            timeout=limit,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
        )
        parsed = _parse_answer(answer)
        # Re-serialised by the same code as the embedded engine: same formats, same cap.
        if isinstance(parsed, ox.QuerySolutions | ox.QueryBoolean):
            if job.results_format is None:
                raise NotAcceptable(job.results_error)
            fmt = by_key(job.results_format)
            if isinstance(parsed, ox.QueryBoolean):
                out = serialise_boolean(bool(parsed), fmt)
                return Outcome(out.body, fmt.content_type, out.rows, False, kind="ask")
            out = serialise_solutions(parsed, fmt, max_rows=job.max_rows)
            return Outcome(out.body, fmt.content_type, out.rows, out.truncated, kind="select")
        if job.graph_format is None:
            raise NotAcceptable(job.graph_error)
        fmt = by_key(job.graph_format)
        out = serialise_triples(parsed, fmt, max_rows=job.max_rows)
        return Outcome(out.body, fmt.content_type, out.rows, out.truncated, kind="graph")

    def _graph_read(self, job: GraphRead, limit: float) -> Outcome:
        fmt = by_key(job.fmt)
        if job.graph is None and job.union:
            answer = _post_query(
                self._http,
                self.endpoints,
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                timeout=limit,
                accept=_NTRIPLES,
            )
        else:
            answer = self._http.request(
                "GET",
                _with_graph(self.endpoints.gsp, job.graph),
                headers={"Accept": _NTRIPLES},
                timeout=limit,
            )
            if answer.status == 404:
                raise GraphNotFound(f"There is no graph named <{job.graph}> here.")
            if answer.status != 200:
                raise StoreError(
                    f"The store's Graph Store endpoint answered HTTP {answer.status}: "
                    f"{_error_text(answer)}"
                )
        parsed = _parse_answer(answer)
        if not isinstance(parsed, list):
            raise StoreError("The store answered a graph request with query results.")
        seen = dict.fromkeys(parsed)
        out = serialise_triples(seen, fmt)
        return Outcome(out.body, fmt.content_type, out.rows, False, kind="gsp")

    def graph_names(self) -> Sequence[str]:
        """Return the names of the store's named graphs, sorted."""
        stats = self.run(Stats()).value
        return sorted(stats["graphs"])

    def close(self) -> None:
        """Close the connections to the store."""
        self._http.close()


# -- the read interface of LocalStore ---------------------------------------------------


class RemoteStore(SparqlReadStore):
    """The read interface of :class:`~cakg.graph.store.LocalStore`, over a remote store.

    It stands wherever a ``LocalStore`` is expected for reading (linked-data pages, VoID,
    views); only ``raw``, the embedded pyoxigraph store, does not exist here.
    """

    def __init__(self, store_url: str | Endpoints, *, timeout: float = 30.0) -> None:
        """Prepare reads from the store at ``store_url``; nothing is sent yet."""
        self.endpoints = (
            store_url if isinstance(store_url, Endpoints) else Endpoints.for_store(store_url)
        )
        self.timeout = timeout
        self._http = _Http(self.endpoints.auth)

    def describe(self) -> str:
        """Return how messages name this store."""
        return f"The remote store at {self.endpoints.display}"

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """Run a SELECT query (project prefixes predeclared) and return its rows.

        Raises:
            QueryError: the query does not parse or is not a SELECT.
            StoreError: the store cannot be reached.
        """
        return _select(self._http, self.endpoints, sparql, timeout=self.timeout)

    def named_graphs(self) -> list[str]:
        """Return the names of the named graphs, sorted."""
        return sorted(remote_counts(self.endpoints, timeout=self.timeout, client=self._http))

    def close(self) -> None:
        """Close the connections to the store."""
        self._http.close()
