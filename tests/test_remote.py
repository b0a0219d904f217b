"""Push the seed build to a real ``oxigraph serve`` on loopback and query it remotely."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from cakg.errors import QueryError, QueryTimeout, StoreError
from cakg.graph.build import Build, current_build
from cakg.graph.engine import GraphNotFound, GraphRead, GraphWrite, Ping, Query, Stats, Update
from cakg.graph.remote import (
    Endpoints,
    RemoteEngine,
    RemoteStore,
    is_remote_store,
    push_build,
    remote_counts,
)
from cakg.graph.sparql import OperationRefused
from cakg.graph.store import open_build_store
from cakg.web.cli import cli
from click.testing import CliRunner

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
LIANG = "https://w3id.org/cakg/id/person/liang-jianjun"
STALE = "https://w3id.org/cakg/id/graph/removed-source"
FOREIGN = "http://example.org/not-ours"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def oxigraph_server(*extra: str) -> Iterator[str]:
    """Run ``oxigraph serve`` (in memory) on a free loopback port; yield its base URL."""
    if not OXIGRAPH.exists() and shutil.which("oxigraph") is None:
        pytest.skip("the `oxigraph` server binary (PyPI package oxigraph) is not installed")
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else "oxigraph"
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", "--bind", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def union_server() -> Iterator[str]:
    """Return the URL of an Oxigraph server (its default graph gets the pushed union)."""
    with oxigraph_server() as url:
        yield url


@pytest.fixture
def engine(pushed: str) -> Iterator[RemoteEngine]:
    """Return an engine over the pushed seed build; its connections close after the test."""
    remote = RemoteEngine(pushed)
    yield remote
    remote.close()


@pytest.fixture(scope="module")
def pushed(union_server: str, seed_build: Build) -> str:
    """Return the URL of the union server after the seed build was pushed to it."""
    push_build(seed_build, union_server)
    return union_server


def _put(url: str, graph: str, ntriples: str) -> None:
    endpoints = Endpoints.for_store(url)
    parts = endpoints.gsp.split("/", 3)
    conn = http.client.HTTPConnection(parts[2], timeout=10)
    try:
        conn.request(
            "PUT",
            f"/{parts[3]}?graph={quote(graph, safe='')}",
            body=ntriples.encode(),
            headers={"Content-Type": "application/n-triples"},
        )
        assert conn.getresponse().status in (201, 204)
    finally:
        conn.close()


# -- pushing ----------------------------------------------------------------------------


@pytest.mark.server
def test_push_loads_every_graph_with_the_manifest_counts(pushed: str, seed_build: Build) -> None:
    expected = {row["name"]: row["triples"] for row in seed_build.manifest["graphs"]}
    assert remote_counts(pushed) == expected


@pytest.mark.server
def test_push_twice_leaves_the_same_data(union_server: str, seed_build: Build) -> None:
    first = push_build(seed_build, union_server)
    counts = remote_counts(union_server)
    second = push_build(seed_build, union_server)
    assert remote_counts(union_server) == counts
    assert first.pushed == second.pushed
    assert second.triples == seed_build.manifest["quads"]


@pytest.mark.server
def test_push_replaces_a_changed_graph_and_prunes_removed_sources(seed_build: Build) -> None:
    source = next(r["name"] for r in seed_build.manifest["graphs"] if r["kind"] == "source")
    with oxigraph_server() as url:
        _put(url, source, f'<{LIANG}> <http://example.org/p> "stale" .\n')
        _put(url, STALE, f'<{LIANG}> <http://example.org/p> "gone" .\n')
        _put(url, FOREIGN, f'<{LIANG}> <http://example.org/p> "kept" .\n')
        report = push_build(seed_build, url, graphs=[source], prune=True)
        counts = remote_counts(url)
    assert report.pushed == [source]
    assert report.deleted == [STALE]
    rows = {r["name"]: r["triples"] for r in seed_build.manifest["graphs"]}
    assert counts == {source: rows[source], FOREIGN: 1}


@pytest.mark.server
def test_push_refuses_unknown_graph_names(union_server: str, seed_build: Build) -> None:
    with pytest.raises(StoreError, match="no graphs named"):
        push_build(seed_build, union_server, graphs=["https://w3id.org/cakg/id/graph/nope"])


def test_push_to_a_closed_port_says_the_store_is_unreachable(seed_build: Build) -> None:
    with pytest.raises(StoreError, match="Cannot reach the SPARQL store"):
        push_build(seed_build, f"http://127.0.0.1:{_free_port()}", verify=False)


# -- querying ---------------------------------------------------------------------------

_PEOPLE = "SELECT ?p ?label WHERE { ?p a cakg:Person ; rdfs:label ?label } ORDER BY ?p ?label"


@pytest.mark.server
def test_remote_select_matches_the_embedded_store(pushed: str, seed_build: Build) -> None:
    local = open_build_store(seed_build.store_path).select(_PEOPLE)
    store = RemoteStore(pushed)
    remote = store.select(_PEOPLE)
    store.close()
    assert remote == local
    assert len(remote) > 3


@pytest.mark.server
def test_engine_answers_in_the_negotiated_format_with_the_row_cap(
    engine: RemoteEngine, pushed: str
) -> None:
    engine.check()
    outcome = engine.run(Query(_PEOPLE, results_format="json", max_rows=2))
    document = json.loads(outcome.body)
    assert outcome.kind == "select" and outcome.truncated and outcome.rows == 2
    assert len(document["results"]["bindings"]) == 2 and document["maxRows"] == 2
    csv = engine.run(Query(_PEOPLE, results_format="csv"))
    assert csv.media_type.startswith("text/csv") and csv.body.startswith(b"p,label")
    ask = engine.run(Query(f"ASK {{ <{LIANG}> a cakg:Person }}"))
    assert ask.kind == "ask" and json.loads(ask.body)["boolean"] is True


@pytest.mark.server
def test_engine_construct_and_protocol_dataset(engine: RemoteEngine, seed_build: Build) -> None:
    graph = engine.run(
        Query(
            f"CONSTRUCT {{ <{LIANG}> ?p ?o }} WHERE {{ <{LIANG}> ?p ?o }}", graph_format="ntriples"
        )
    )
    assert graph.kind == "graph" and graph.rows > 3
    assert all(
        t.subject.value == LIANG for t in ox.parse(graph.body, format=ox.RdfFormat.N_TRIPLES)
    )
    gazetteer = "https://w3id.org/cakg/id/graph/gazetteer"
    only = engine.run(
        Query(
            f"ASK {{ <{LIANG}> ?p ?o }}",
            default_graphs=(gazetteer,),
            named_graphs=(),
            union=False,
        )
    )
    assert json.loads(only.body)["boolean"] is False  # Liang is only in a source graph


@pytest.mark.server
def test_engine_graph_reads_stats_and_ping(engine: RemoteEngine, seed_build: Build) -> None:
    rows = {r["name"]: r["triples"] for r in seed_build.manifest["graphs"]}
    gazetteer = "https://w3id.org/cakg/id/graph/gazetteer"
    read = engine.run(GraphRead(gazetteer, "ntriples"))
    assert read.rows == rows[gazetteer]
    with pytest.raises(GraphNotFound):
        engine.run(GraphRead("https://w3id.org/cakg/id/graph/none", "ntriples"))
    stats = engine.run(Stats()).value
    assert stats["graphs"] == rows and stats["quads"] == seed_build.manifest["quads"]
    assert engine.graph_names() == sorted(rows)
    assert engine.run(Ping()).kind == "ping"


@pytest.mark.server
def test_engine_keeps_this_servers_refusals(engine: RemoteEngine, pushed: str) -> None:
    with pytest.raises(OperationRefused, match="read-only"):
        engine.run(Update("INSERT DATA { <a:b> <a:c> <a:d> }"))
    with pytest.raises(OperationRefused, match="read-only"):
        engine.run(GraphWrite("DELETE", "https://w3id.org/cakg/id/graph/gazetteer"))
    with pytest.raises(OperationRefused, match="SERVICE"):
        engine.run(Query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"))
    with pytest.raises(QueryError, match="rejected the query"):
        engine.run(Query("SELECT WHERE nonsense"))
    assert remote_counts(pushed)["https://w3id.org/cakg/id/graph/gazetteer"] > 0


@pytest.mark.server
def test_check_refuses_a_store_without_a_default_graph(seed_build: Build) -> None:
    with oxigraph_server() as url:
        push_build(seed_build, url, union=False)
        engine = RemoteEngine(url)
        with pytest.raises(StoreError, match="empty default graph"):
            engine.check()
        push_build(seed_build, url)
        engine.check()
        engine.close()


@pytest.mark.server
def test_push_refuses_a_store_that_queries_the_union_itself(seed_build: Build) -> None:
    with (
        oxigraph_server("--union-default-graph") as url,
        pytest.raises(StoreError, match="turn that off"),
    ):
        push_build(seed_build, url)


@pytest.mark.server
def test_push_stores_the_union_as_a_set_in_the_default_graph(
    pushed: str, seed_build: Build
) -> None:
    local = open_build_store(seed_build.store_path)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    store = RemoteStore(pushed)
    assert store.select(count) == local.select(count)
    store.close()


def test_a_silent_store_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        engine = RemoteEngine(url, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match=r"0\.3 s limit"):
            engine.run(Query("SELECT * WHERE { ?s ?p ?o }"))
        assert time.monotonic() - started < 3
        assert engine.timeouts == 1
        engine.close()


def test_a_dropped_keepalive_connection_is_retried() -> None:
    """Answer one request per connection and close it; the client must reconnect."""
    body = b'{"head":{},"boolean":true}'
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def serve() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.sendall(answer)
            conn.close()  # without "Connection: close": the client learns on its next send

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    engine = RemoteEngine(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=5)
    assert json.loads(engine.run(Query("ASK {}")).body)["boolean"] is True
    time.sleep(0.05)
    assert json.loads(engine.run(Query("ASK {}")).body)["boolean"] is True
    thread.join(5)
    engine.close()
    listener.close()


# -- store URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "flavour", "query", "gsp"),
    [
        (
            "http://127.0.0.1:7878/",
            "oxigraph",
            "http://127.0.0.1:7878/query",
            "http://127.0.0.1:7878/store",
        ),
        ("http://h:3030/cakg", "fuseki", "http://h:3030/cakg/query", "http://h:3030/cakg/data"),
        ("oxigraph+http://h/db", "oxigraph", "http://h/db/query", "http://h/db/store"),
        (
            "virtuoso+http://h:8890",
            "virtuoso",
            "http://h:8890/sparql",
            "http://h:8890/sparql-graph-crud-auth",
        ),
        (
            "http://h:8890/sparql",
            "virtuoso",
            "http://h:8890/sparql",
            "http://h:8890/sparql-graph-crud-auth",
        ),
        (
            "https://h/repositories/kg",
            "graphdb",
            "https://h/repositories/kg",
            "https://h/repositories/kg/rdf-graphs/service",
        ),
    ],
)
def test_store_urls_map_to_each_servers_endpoints(
    url: str, flavour: str, query: str, gsp: str
) -> None:
    endpoints = Endpoints.for_store(url)
    assert (endpoints.flavour, endpoints.query, endpoints.gsp) == (flavour, query, gsp)
    assert is_remote_store(url)


def test_credentials_in_the_url_become_basic_auth_and_stay_out_of_urls() -> None:
    endpoints = Endpoints.for_store("fuseki+http://admin:s%40cret@h:3030/ds")
    assert endpoints.auth == "Basic YWRtaW46c0BjcmV0"  # admin:s@cret
    assert "cret" not in endpoints.query + endpoints.gsp + repr(endpoints)


@pytest.mark.parametrize("url", ["ftp://h/x", "mystery+http://h/x", "instance/store"])
def test_bad_store_urls_say_what_to_give(url: str) -> None:
    with pytest.raises(StoreError, match=r"store URL|flavour"):
        Endpoints.for_store(url)


# -- the endpoint over a remote store ---------------------------------------------------


@pytest.mark.server
def test_the_app_serves_a_remote_store_with_its_own_limits(pushed: str, tmp_path: Path) -> None:
    from cakg.web.app import create_app

    app = create_app(
        {
            "CAKG_INSTANCE": str(tmp_path),
            "CAKG_STORE": pushed,
            "CAKG_MAX_ROWS": 2,
            "CAKG_ACCESS_LOG": False,
        }
    )
    client = app.test_client()
    answer = client.post(
        "/sparql",
        data={"query": _PEOPLE},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert len(answer.get_json()["results"]["bindings"]) == 2
    assert answer.headers.get("X-SPARQL-MaxRows") == "2"
    refused = client.post(
        "/sparql",
        data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"},
        headers={"Authorization": "Bearer x"},
    )
    assert refused.status_code == 403
    page = client.get("/id/person/liang-jianjun", headers={"Accept": "text/turtle"})
    if page.status_code == 303:
        page = client.get(page.headers["Location"], headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    assert "Liang Jianjun" in page.get_data(as_text=True)
    app.extensions["cakg.engine"].close()
    app.extensions["cakg.store"].close()


def test_the_app_refuses_an_update_token_with_a_remote_store(tmp_path: Path) -> None:
    from cakg.errors import CakgError
    from cakg.web.app import create_app

    with pytest.raises(CakgError, match="update token cannot be used with a remote store"):
        create_app(
            {
                "CAKG_INSTANCE": str(tmp_path),
                "CAKG_STORE": "http://127.0.0.1:9/",
                "CAKG_UPDATE_TOKEN": "secret",
            }
        )


@pytest.mark.server
def test_build_with_store_pushes_the_build(tmp_path: Path) -> None:
    seed = Path(__file__).parent / "data" / "seed_sources"
    with oxigraph_server() as url:
        _put(url, STALE, f'<{LIANG}> <http://example.org/p> "gone" .\n')
        result = CliRunner().invoke(
            cli,
            ["--instance", str(tmp_path), "build", "-q", "--sources", str(seed), "--store", url],
        )
        assert result.exit_code == 0, result.output
        counts = remote_counts(url)
    build = current_build(tmp_path)
    assert counts == {row["name"]: row["triples"] for row in build.manifest["graphs"]}
    assert "pushed 6 graphs" in result.output and "deleted 1" in result.output


def test_build_with_an_unreachable_store_exits_2_after_building(tmp_path: Path) -> None:
    seed = Path(__file__).parent / "data" / "seed_sources"
    url = f"http://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(
        cli, ["--instance", str(tmp_path), "build", "-q", "--sources", str(seed), "--store", url]
    )
    assert result.exit_code == 2
    assert "Cannot reach the SPARQL store" in result.output
    assert current_build(tmp_path).manifest["quads"] > 0


def test_the_remote_engine_and_store_have_the_embedded_ones_interface() -> None:
    from cakg.graph.engine import QueryEngine
    from cakg.graph.store import LocalStore

    def public(cls: type) -> set[str]:
        return {name for name in vars(cls) if not name.startswith("_")}

    assert public(QueryEngine) <= public(RemoteEngine)
    # Every read method is answered remotely, none falls back to the embedded store's own.
    # (Making an in-memory store and Oxigraph's union view are the embedded store's own.)
    for name in public(LocalStore) - {"in_memory", "union_view"}:
        assert getattr(RemoteStore, name) is not getattr(LocalStore, name), name
    engine = RemoteEngine("http://127.0.0.1:9")
    for attribute in ("store", "writable", "size", "timeout", "timeouts"):
        assert hasattr(engine, attribute), attribute
