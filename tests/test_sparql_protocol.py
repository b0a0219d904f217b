"""The SPARQL 1.1 Protocol handler, through Flask's test client (the query workers are real)."""

from __future__ import annotations

import csv
import http.server
import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from cakg.graph.build import Build
from cakg.graph.sparql import is_bounded_lookup
from cakg.web.app import create_app
from flask import Flask
from flask.testing import FlaskClient
from tests_support import servers

GAZ, SRC_A, SRC_B = servers.GAZETTEER, servers.SRC_A, servers.SRC_B
LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label"
TOTAL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
QUERY_TYPE = {"Content-Type": "application/sparql-query"}
UPDATE_TYPE = {"Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Build]:
    instance = tmp_path_factory.mktemp("sparql-instance")
    return instance, servers.build_sample(instance)


def make_app(instance: Path, **config: object) -> Flask:
    settings = {
        "TESTING": True,
        "CAKG_INSTANCE": str(instance),
        "CAKG_ACCESS_LOG": False,
        "CAKG_QUERY_PROCESSES": 2,
        # Generous, so that a loaded test machine never turns a query into a 503;
        # the timeout test asks for less with the timeout parameter.
        "CAKG_QUERY_TIMEOUT": 30,
        **config,
    }
    return create_app(settings)


@pytest.fixture(scope="module")
def app(sample_build: tuple[Path, Build]) -> Iterator[Flask]:
    app = make_app(sample_build[0], CAKG_MAX_ROWS=5, CAKG_MAX_BODY=20_000)
    yield app
    app.extensions["cakg.engine"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def rows(data: bytes, media_type: str = "application/sparql-results+json") -> list[dict[str, str]]:
    if media_type == "text/csv":  # lossy: pyoxigraph will not parse it
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert fmt is not None
    result = ox.parse_query_results(data, format=fmt)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def count(client: FlaskClient, query: str = TOTAL, **params: str) -> int:
    response = client.get("/sparql", query_string={"query": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(rows(response.data)[0]["n"])


def error_of(response: object) -> dict[str, object]:
    body = json.loads(response.get_data(as_text=True))  # type: ignore[attr-defined]
    error: dict[str, object] = body["error"]
    assert set(error) == {"status", "title", "type", "message"}
    assert error["status"] == response.status_code  # type: ignore[attr-defined]
    assert "Traceback" not in str(error["message"])
    return error


# -- the three ways to send a query ---------------------------------------------------------


def test_get_post_form_post_direct_and_query_method_agree(client: FlaskClient) -> None:
    by_get = client.get("/sparql", query_string={"query": LABELS})
    by_form = client.post("/sparql", data={"query": LABELS})
    by_body = client.post("/sparql", data=LABELS, headers=QUERY_TYPE)
    by_query = client.open("/sparql", method="QUERY", data=LABELS, headers=QUERY_TYPE)
    for response in (by_get, by_form, by_body, by_query):
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        assert response.headers["Vary"] == "Accept"
    assert rows(by_get.data) == rows(by_form.data) == rows(by_body.data) == rows(by_query.data)
    assert {"s": "https://w3id.org/cakg/id/org/asean", "label": "ASEAN"} in rows(by_get.data)


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_select_in_every_results_format(client: FlaskClient, media_type: str) -> None:
    query = f"SELECT ?label WHERE {{ GRAPH <{SRC_B}> {{ ?s cakg:reportedText ?label }} }}"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Content-Type"].endswith("charset=utf-8")
    text = '6.99 trillion yuan, up 9 percent, with a "quote"\tand a tab'
    assert rows(response.data, media_type) == [{"label": text}]


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("application/sparql-results+json", b'"boolean":true'),
        ("application/sparql-results+xml", b"<boolean>true</boolean>"),
        ("text/csv", b"true"),
        ("text/tab-separated-values", b"true"),
    ],
)
def test_ask_in_every_results_format(client: FlaskClient, media_type: str, expected: bytes) -> None:
    query = "ASK { ?s a cakg:Event }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert expected in response.data


GRAPH_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
]


@pytest.mark.parametrize("media_type", GRAPH_TYPES)
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_construct_and_describe_in_every_rdf_format(
    client: FlaskClient, media_type: str, form: str
) -> None:
    event = "https://w3id.org/cakg/id/event/cafta-v3-signing"
    query = (
        f"CONSTRUCT WHERE {{ <{event}> ?p ?o }}" if form == "CONSTRUCT" else f"DESCRIBE <{event}>"
    )
    response = client.post("/sparql", data=query, headers={**QUERY_TYPE, "Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    assert rdf_format is not None
    triples = {q.triple for q in ox.parse(response.data, format=rdf_format)}
    assert len(triples) == 5
    label = ox.Literal("Signing of the CAFTA 3.0 upgrade protocol", language="en")
    assert ox.Triple(ox.NamedNode(event), ox.NamedNode(ox_rdfs("label")), label) in triples


def ox_rdfs(name: str) -> str:
    return "http://www.w3.org/2000/01/rdf-schema#" + name


def test_format_override_parameter(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": LABELS, "format": "csv"}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    construct = "CONSTRUCT WHERE { ?s a cakg:Event }"
    response = client.get("/sparql", query_string={"query": construct, "output": "xml"})
    assert response.mimetype == "application/rdf+xml"


def test_406_when_nothing_fits(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": LABELS}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    assert "image/png" in str(error_of(response)["message"])
    construct = "CONSTRUCT WHERE { ?s a cakg:Event }"
    response = client.get(
        "/sparql", query_string={"query": construct}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406
    assert "text/turtle" in str(error_of(response)["message"])


# -- the dataset ----------------------------------------------------------------------------


def test_default_graph_is_the_union_and_graph_reaches_each_source(client: FlaskClient) -> None:
    per_graph = client.get(
        "/sparql",
        query_string={
            "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        },
    )
    counts = {r["g"]: int(r["n"]) for r in rows(per_graph.data)}
    assert set(counts) == {GAZ, SRC_A, SRC_B}
    assert count(client) == sum(counts.values())


def test_protocol_dataset_parameters(client: FlaskClient) -> None:
    only_a = count(client, **{"default-graph-uri": SRC_A})
    assert only_a == 5
    named_only = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(client, named_only, **{"named-graph-uri": SRC_A}) == 5
    # With only named graphs given, the default graph is empty.
    assert count(client, **{"named-graph-uri": SRC_A}) == 0


def test_from_clause_replaces_the_union(client: FlaskClient) -> None:
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{SRC_A}> WHERE {{ ?s ?p ?o }}") == 5


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Listener)
    _Listener.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Listener.hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "select * where {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ FILTER(1<2)SERVICE<{url}/x>{{?s?p?o}} }}",
        "SELECT * WHERE {{ # a comment\n SeRvIcE # another\n <{url}/y> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}/z> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVIC\\U00000045 <{url}/z> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_nothing_is_fetched(
    client: FlaskClient, listener: tuple[str, list[str]], template: str
) -> None:
    url, hits = listener
    response = client.get("/sparql", query_string={"query": template.format(url=url)})
    assert response.status_code == 403
    assert "never fetches URLs" in str(error_of(response)["message"])
    assert hits == []


def test_from_outside_the_dataset_is_not_fetched(
    client: FlaskClient, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    query = (
        f"SELECT (COUNT(*) AS ?n) FROM <{url}/data.ttl> FROM NAMED <{url}/n> WHERE {{ ?s ?p ?o }}"
    )
    assert count(client, query) == 0
    assert hits == []


def test_service_inside_a_string_or_iri_is_just_text(client: FlaskClient) -> None:
    query = "SELECT ?x WHERE { BIND('SERVICE <http://x>' AS ?x) FILTER(?x != <http://SERVICE>) }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200


# -- errors ---------------------------------------------------------------------------------


def test_bad_query_is_400_with_the_parser_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["type"] == "QueryError"
    assert "does not parse" in str(error["message"]) and "1:" in str(error["message"])


@pytest.mark.parametrize(
    ("headers", "data", "status"),
    [
        ({"Content-Type": "text/plain"}, "ASK {}", 415),
        ({}, "ASK {}", 415),
        ({"Content-Type": "application/sparql-query; charset=UTF-16"}, "ASK {}", 415),
        ({"Content-Type": "application/sparql-query"}, b"ASK { \xff }", 400),
        ({"Content-Type": "application/json"}, "{}", 415),
    ],
)
def test_bad_bodies(
    client: FlaskClient, headers: dict[str, str], data: object, status: int
) -> None:
    response = client.post("/sparql", data=data, headers=headers)
    assert response.status_code == status
    message = str(error_of(response)["message"])
    assert "Content-Type" in message or "UTF-8" in message


def test_415_names_the_type(client: FlaskClient) -> None:
    response = client.post("/sparql", data="ASK {}", headers={"Content-Type": "text/plain"})
    assert error_of(response)["message"].startswith(  # type: ignore[union-attr]
        "No supported Content-Type given: text/plain"
    )


def test_protocol_misuse_is_4xx(client: FlaskClient) -> None:
    two = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert two.status_code == 400
    update_by_get = client.get("/sparql", query_string={"update": "CLEAR ALL"})
    assert update_by_get.status_code == 400
    both = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert both.status_code == 400
    put = client.put("/sparql", data="ASK {}", headers=QUERY_TYPE)
    assert put.status_code == 405
    assert "POST" in put.headers["Allow"]
    error_of(put)


def test_body_size_limit_is_413(client: FlaskClient) -> None:
    big = "ASK {} #" + "x" * 30_000
    response = client.post("/sparql", data=big, headers=QUERY_TYPE)
    assert response.status_code == 413
    assert "20000 bytes" in str(error_of(response)["message"])
    response = client.post("/sparql", data={"query": big})
    assert response.status_code == 413


def test_browsers_get_an_html_error_page(client: FlaskClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", query_string={"query": "ASK {"}, headers={"Accept": browser})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert b"<h1>400 Bad Request</h1>" in response.data
    assert b"Traceback" not in response.data


def test_unexpected_errors_never_show_a_traceback(sample_build: tuple[Path, Build]) -> None:
    app = make_app(sample_build[0])

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    logging.getLogger("cakg.web").disabled = True
    try:
        response = app.test_client().get("/boom")
    finally:
        logging.getLogger("cakg.web").disabled = False
    assert response.status_code == 500
    error = error_of(response)
    assert "secret" not in str(error["message"])
    assert "server log" in str(error["message"])


# -- limits ---------------------------------------------------------------------------------


def test_row_cap_is_signalled_never_silent(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["X-SPARQL-MaxRows"] == "5"
    assert response.headers["X-Result-Truncated"].startswith("true")
    body = json.loads(response.data)
    assert body["truncated"] is True and body["maxRows"] == 5
    assert len(body["results"]["bindings"]) == 5
    assert len(rows(response.data)) == 5  # still valid SPARQL JSON for strict parsers
    small = client.get("/sparql", query_string={"query": LABELS + " LIMIT 2"})
    assert "X-SPARQL-MaxRows" not in small.headers
    assert "truncated" not in json.loads(small.data)


def test_row_cap_applies_to_constructs(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert response.headers["X-SPARQL-MaxRows"] == "5"
    assert len(response.data.strip().splitlines()) == 5


def test_timeout_answers_503_and_the_next_query_works(client: FlaskClient) -> None:
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": servers.RUNAWAY, "timeout": "0.5"})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "0.5 s limit" in str(error_of(response)["message"])
    assert elapsed < 3
    assert count(client) > 0


# -- updates --------------------------------------------------------------------------------


def test_updates_are_refused_with_a_sentence_when_read_only(client: FlaskClient) -> None:
    for response in (
        client.post("/sparql", data="INSERT DATA { <a> <b> <c> }", headers=UPDATE_TYPE),
        client.post("/sparql", data={"update": "CLEAR ALL"}),
    ):
        assert response.status_code == 403
        message = str(error_of(response)["message"])
        assert message.startswith("This endpoint is read-only")
        assert "--update-token" in message


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[FlaskClient]:
    app = make_app(tmp_path, CAKG_STORE=str(tmp_path / "store"), CAKG_UPDATE_TOKEN="s3cret")
    yield app.test_client()
    app.extensions["cakg.engine"].close()


def test_updates_need_the_token(writable: FlaskClient) -> None:
    insert = (
        "INSERT DATA { GRAPH <http://example.org/g> "
        "{ <http://example.org/s> <http://example.org/p> 1 } }"
    )
    missing = writable.post("/sparql", data=insert, headers=UPDATE_TYPE)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = writable.post(
        "/sparql", data=insert, headers={**UPDATE_TYPE, "Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403
    assert count(writable) == 0
    done = writable.post(
        "/sparql", data=insert, headers={**UPDATE_TYPE, "Authorization": "Bearer s3cret"}
    )
    assert done.status_code == 204
    assert count(writable) == 1


def test_load_is_refused_even_with_the_token(
    writable: FlaskClient, listener: tuple[str, list[str]]
) -> None:
    url, hits = listener
    response = writable.post(
        "/sparql",
        data=f"LOAD <{url}/data.ttl>",
        headers={**UPDATE_TYPE, "Authorization": "Bearer s3cret"},
    )
    assert response.status_code == 403
    assert "LOAD is disabled" in str(error_of(response)["message"])
    assert hits == []


def test_using_parameters_conflict_with_using_clauses(writable: FlaskClient) -> None:
    update = "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = writable.post(
        "/sparql?using-graph-uri=http://g2",
        data=update,
        headers={**UPDATE_TYPE, "Authorization": "Bearer s3cret"},
    )
    assert response.status_code == 400
    assert "section 2.2.3" in str(error_of(response)["message"])


def test_update_token_without_a_store_is_refused(tmp_path: Path) -> None:
    from cakg.errors import CakgError

    with pytest.raises(CakgError, match="CAKG_STORE"):
        make_app(tmp_path, CAKG_UPDATE_TOKEN="x")


# -- service description, graph store, health, CORS, logs -----------------------------------


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/ld+json", "application/rdf+xml"]
)
def test_service_description(client: FlaskClient, media_type: str) -> None:
    response = client.get("/sparql", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    assert rdf_format is not None
    graph = ox.Store()
    graph.load(response.data, format=rdf_format)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode("http://localhost/sparql")
    assert ox.Quad(endpoint, ox.NamedNode(sd + "endpoint"), endpoint) in graph
    feature = ox.Quad(
        endpoint, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")
    )
    assert feature in graph
    assert not graph.query(f"ASK {{ ?s <{sd}supportedLanguage> <{sd}SPARQL11Update> }}")
    names = {r["n"].value for r in graph.query(f"SELECT ?n {{ ?x <{sd}name> ?n }}")}  # type: ignore[union-attr]
    assert names == {GAZ, SRC_A, SRC_B}
    comment = graph.query(
        "SELECT ?c { ?s <http://www.w3.org/2000/01/rdf-schema#comment> ?c "
        "FILTER(CONTAINS(?c, 'union of all named graphs')) }"
    )
    assert len(list(comment)) == 2  # type: ignore[arg-type]


def test_browsers_asking_for_the_endpoint_go_to_the_query_page(client: FlaskClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": browser})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/sparql", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_conditional_get_answers_304_without_running_the_query(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": "text/csv"})
    tag = first.headers["ETag"]
    again = client.get(
        "/sparql",
        query_string={"query": LABELS},
        headers={"Accept": "text/csv", "If-None-Match": tag},
    )
    assert again.status_code == 304
    assert again.data == b""
    other_format = client.get(
        "/sparql", query_string={"query": LABELS}, headers={"If-None-Match": tag}
    )
    assert other_format.status_code == 200
    assert other_format.headers["ETag"] != tag
    store = client.get(f"/store?graph={SRC_A}")
    cached = client.get(f"/store?graph={SRC_A}", headers={"If-None-Match": store.headers["ETag"]})
    assert cached.status_code == 304


def test_graph_store_reads(client: FlaskClient) -> None:
    response = client.get(f"/store?graph={SRC_A}", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(response.data.strip().splitlines()) == 5
    head = client.head(f"/store?graph={SRC_A}", headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.mimetype == "text/turtle"
    assert head.data == b""
    default = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert len(default.data.strip().splitlines()) == count(client)
    missing = client.get("/store?graph=http://nowhere.example/g")
    assert missing.status_code == 404
    assert client.get("/store").status_code == 400
    assert (
        client.put(
            f"/store?graph={SRC_A}", data="", headers={"Content-Type": "text/turtle"}
        ).status_code
        == 403
    )


def test_graph_store_writes_with_the_token(writable: FlaskClient) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    turtle = {"Content-Type": "text/turtle", **auth}
    graph = "http://example.org/people"
    put = writable.put(
        f"/store?graph={graph}", data="<http://a> <http://b> <http://c> .", headers=turtle
    )
    assert put.status_code == 201
    again = writable.put(
        f"/store?graph={graph}", data="<http://a> <http://b> <http://d> .", headers=turtle
    )
    assert again.status_code == 204
    got = writable.get(f"/store?graph={graph}", headers={"Accept": "application/n-triples"})
    assert got.data.decode().strip() == "<http://a> <http://b> <http://d> ."
    bad = writable.put(f"/store?graph={graph}", data="<http://a> <b", headers=turtle)
    assert bad.status_code == 400
    created = writable.post("/store", data="<http://x> <http://y> <http://z> .", headers=turtle)
    assert created.status_code == 201
    location = created.headers["Location"]
    assert writable.get(f"/store?graph={location}").status_code == 200
    assert writable.delete(f"/store?graph={graph}", headers=auth).status_code == 204
    assert writable.delete(f"/store?graph={graph}", headers=auth).status_code == 404
    assert (
        writable.put(
            f"/store?graph={graph}", data="x", headers={"Content-Type": "text/csv", **auth}
        ).status_code
        == 415
    )


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["writable"] is False
    assert body["max_rows"] == 5


def test_no_build_answers_503_with_what_to_do(tmp_path: Path) -> None:
    app = make_app(tmp_path / "empty")
    response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 503
    assert "cakg build" in str(error_of(response)["message"])


def test_cors_simple_request_and_preflight(client: FlaskClient) -> None:
    plain = client.get("/sparql", query_string={"query": "ASK {}"})
    assert "Access-Control-Allow-Origin" not in plain.headers
    cross = client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"}
    )
    assert cross.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SPARQL-MaxRows" in cross.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type, accept"
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0


def test_cors_can_be_limited_to_origins(sample_build: tuple[Path, Build]) -> None:
    app = make_app(sample_build[0], CAKG_CORS_ORIGINS="https://ok.example")
    try:
        client = app.test_client()
        ok = client.get("/health", headers={"Origin": "https://ok.example"})
        assert ok.headers["Access-Control-Allow-Origin"] == "https://ok.example"
        other = client.get("/health", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
    finally:
        app.extensions["cakg.engine"].close()


def test_access_log_is_json_lines_with_query_time(sample_build: tuple[Path, Build]) -> None:
    app = make_app(sample_build[0], CAKG_ACCESS_LOG=True)
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("cakg.access")
    logger.addHandler(handler)
    try:
        app.test_client().get("/sparql", query_string={"query": LABELS})
    finally:
        logger.removeHandler(handler)
        app.extensions["cakg.engine"].close()
    record = json.loads(records[-1])
    assert record["path"] == "/sparql" and record["status"] == 200
    assert record["op"] == "query" and record["rows"] > 0
    assert record["query_ms"] > 0 and record["ms"] >= record["query_ms"]


def test_the_seed_build_through_the_endpoint(seed_instance: Path, seed_build: Build) -> None:
    """Every named graph of the real build is reachable, and the union is their sum."""
    app = make_app(seed_instance)
    try:
        client = app.test_client()
        per_graph = client.get(
            "/sparql",
            query_string={
                "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            },
        )
        counts = {r["g"]: int(r["n"]) for r in rows(per_graph.data)}
        manifest = {g["name"]: g["triples"] for g in seed_build.manifest["graphs"]}
        assert counts == {name: n for name, n in manifest.items() if n}
        distinct = (
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"
        )
        # The default graph is the union as a set (RDF merge): a triple stated in two
        # graphs is in it once.
        assert count(client) == count(client, distinct) < sum(counts.values())
        label = client.get(
            "/sparql",
            query_string={
                "query": "SELECT ?l WHERE { id:person/wang-wentao rdfs:label ?l }".replace(
                    "id:person/wang-wentao", "<https://w3id.org/cakg/id/person/wang-wentao>"
                )
            },
        )
        assert "Wang Wentao" in {r["l"] for r in rows(label.data)}
    finally:
        app.extensions["cakg.engine"].close()


def test_a_new_build_is_served_without_a_restart(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    app = make_app(instance, CAKG_RELOAD_INTERVAL=0)
    try:
        client = app.test_client()
        assert client.get("/sparql", query_string={"query": TOTAL}).status_code == 503
        first = servers.build_sample(instance)
        before = count(client)
        more = tmp_path / "more.trig"
        more.write_text(
            servers.SAMPLE.read_text("utf-8")
            + "\n<http://example.org/graph/new> { <http://example.org/s> <http://example.org/p> 1 . }\n",
            "utf-8",
        )
        second = servers.build_sample(instance, more)
        assert second.path != first.path
        assert count(client) == before + 1
        assert app.extensions["cakg.build"].path == second.path
        assert app.extensions["cakg.store"] is not None
    finally:
        app.extensions["cakg.engine"].close()


def test_a_writable_store_always_queries_the_union(writable: FlaskClient) -> None:
    auth = {"Authorization": "Bearer s3cret"}
    turtle = {"Content-Type": "text/turtle", **auth}
    named = writable.put(
        "/store?graph=http://example.org/g",
        data="<http://a> <http://b> <http://c> .",
        headers=turtle,
    )
    assert named.status_code == 201
    default = writable.put(
        "/store?default", data="<http://d> <http://e> <http://f> .", headers=turtle
    )
    assert default.status_code == 204
    # Something in the real default graph does not hide the named graphs from queries.
    assert count(writable) == 2


def test_service_description_counts_the_default_graph_as_a_set(
    client: FlaskClient, sample_build: tuple[Path, Build]
) -> None:
    response = client.get("/sparql", headers={"Accept": "application/n-triples"})
    void_triples = "<http://rdfs.org/ns/void#triples>"
    comment = "The union of all named graphs."
    lines = response.get_data(as_text=True).splitlines()
    default_node = next(line.split()[0] for line in lines if comment in line)
    stated = next(line for line in lines if line.startswith(default_node) and void_triples in line)
    assert int(stated.split('"')[1]) == count(client)


# ---------------------------------------------------------------- entity lookups


@pytest.mark.parametrize(
    ("query", "bounded"),
    [
        ("SELECT ?p ?o WHERE { <https://w3id.org/cakg/id/person/wang-wentao> ?p ?o }", True),
        ("SELECT ?s ?p WHERE { ?s ?p <https://w3id.org/cakg/id/org/asean> } LIMIT 10", True),
        ("PREFIX c: <https://w3id.org/cakg/ontology#> SELECT DISTINCT ?s { ?s a c:Person }", True),
        ("SELECT ?p ?o WHERE { <x:a> ?p ?o . }  LIMIT 5 OFFSET 10", True),
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT ?p ?o WHERE { <x:a> ?p ?o } ORDER BY ?o", False),
        ("SELECT (COUNT(*) AS ?n) WHERE { <x:a> ?p ?o }", False),
        ("SELECT ?o WHERE { <x:a> ?p ?o . ?o ?q ?r }", False),
        ("SELECT ?o WHERE { <x:a> ?p ?o FILTER(true) }", False),
        ("SELECT ?o WHERE { GRAPH ?g { <x:a> ?p ?o } }", False),
        ("SELECT ?o FROM <x:g> WHERE { <x:a> ?p ?o }", False),
        ("ASK { <x:a> ?p ?o }", False),
    ],
)
def test_which_queries_are_bounded_lookups(query: str, bounded: bool) -> None:
    assert is_bounded_lookup(query) is bounded


def test_lookups_are_answered_in_the_request_thread_with_the_same_answer(
    seed_instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(seed_instance)
    try:
        client = app.test_client()
        wang = "<https://w3id.org/cakg/id/person/wang-wentao>"
        # The same question with a FILTER is not a bounded lookup: the worker pool answers it.
        through_workers = client.get(
            "/sparql", query_string={"query": f"SELECT ?p ?o WHERE {{ {wang} ?p ?o FILTER(true) }}"}
        )
        engine = app.extensions["cakg.engine"]

        def no_worker(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("a bounded lookup went to the worker pool")

        monkeypatch.setattr(engine, "run", no_worker)
        in_thread = client.get(
            "/sparql", query_string={"query": f"SELECT ?p ?o WHERE {{ {wang} ?p ?o }}"}
        )
        assert in_thread.status_code == 200
        expected = sorted(map(str, rows(through_workers.data)))
        assert sorted(map(str, rows(in_thread.data))) == expected and expected
        bad = client.get(
            "/sparql", query_string={"query": "SELECT ?p ?o WHERE { <x:a> ?p ?o } LIMIT 1 0"}
        )
        assert bad.status_code == 400
    finally:
        app.extensions["cakg.engine"].close()
    small = make_app(seed_instance, CAKG_MAX_ROWS=3)
    try:
        spans = "SELECT ?s WHERE { ?s a <https://w3id.org/cakg/ontology#TextSpan> }"
        capped = small.test_client().get("/sparql", query_string={"query": spans})
        assert capped.status_code == 200 and len(rows(capped.data)) == 3
        assert capped.headers["X-SPARQL-MaxRows"] == "3"
    finally:
        small.extensions["cakg.engine"].close()


@pytest.mark.parametrize("store", ["disk", ":memory:"])
def test_pages_of_a_writable_store_show_its_updates(tmp_path: Path, store: str) -> None:
    """Linked-data pages read a writable store through its query process, not a snapshot."""
    target = str(tmp_path / "store") if store == "disk" else ":memory:"
    app = make_app(tmp_path, CAKG_STORE=target, CAKG_UPDATE_TOKEN="s3cret")
    try:
        client = app.test_client()
        page = "/id/person/new-minister.nt"
        assert client.get(page).status_code == 404
        done = client.post(
            "/sparql",
            data=(
                "INSERT DATA { GRAPH <https://w3id.org/cakg/id/graph/source/x> { "
                "<https://w3id.org/cakg/id/person/new-minister> "
                '<http://www.w3.org/2000/01/rdf-schema#label> "A New Minister"@en } }'
            ),
            headers={**UPDATE_TYPE, "Authorization": "Bearer s3cret"},
        )
        assert done.status_code == 204
        shown = client.get(page)
        assert shown.status_code == 200
        assert b'"A New Minister"@en' in shown.data
    finally:
        app.extensions["cakg.engine"].close()
