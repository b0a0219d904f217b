"""The W3C SPARQL 1.1 Protocol and Graph Store Protocol tests, over real HTTP.

The manifests in ``tests/w3c`` (w3c/rdf-tests, with their licence) model every request
in RDF (``ht:Request``: method, path, headers, body) and its expected response. This
runner replays each test against ``cakg serve`` (Granian, real sockets) twice:

- **updates on** (``--store`` a scratch store, ``--update-token``; the runner sends the
  token and, before each test, resets the store to the test's ``ut:graphData``): every
  Protocol test and every indirect-identification Graph Store test must pass;
- **updates off** (the default, read-only; the store holds data1..data3): query tests must
  pass, and every update or Graph Store write must get the documented refusal (403 with
  "This endpoint is read-only"). Graph Store reads (GET / HEAD) are checked in read-only
  mode on the graphs the store holds.

Graph Store paths ``/gsp...`` map to ``/store...``: indirect identification
(``/store?graph=IRI``) and direct identification (``/store/<path>`` names the graph
``http://host/store/<path>``) both work.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from tests_support import servers

W3C = Path(__file__).parent / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
TOKEN = "w3c-test-token"
READ_ONLY = "This endpoint is read-only"

STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}


@dataclass
class Expected:
    """What a response must be."""

    statuses: set[str] = field(default_factory=set)  # "2xx", "3xx", "201", ...
    format: str | None = None
    boolean: bool | None = None
    location: str | None = None
    content_type: str | None = None
    body: str | None = None

    def status_ok(self, status: int) -> bool:
        return f"{status // 100}xx" in self.statuses or str(status) in self.statuses


@dataclass
class Request:
    """One request of a test."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    expected: Expected


@dataclass
class W3CTest:
    """One manifest entry."""

    id: str
    name: str
    requests: list[Request]
    graph_data: dict[str, Path]
    requires: set[str]

    @property
    def writes(self) -> bool:
        return any(_is_write(r) for r in self.requests)


def _is_write(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    if request.method in ("PUT", "DELETE"):
        return True
    if request.method == "POST" and request.path.startswith("/gsp"):
        return True
    return request.method == "POST" and (
        content_type.startswith("application/sparql-update")
        or (request.body or "").startswith("update=")
    )


def _status(node: rdflib.term.Node) -> str:
    name = str(node).rsplit("#", 1)[-1]
    if name.startswith("StatusCode"):
        return name.removeprefix("StatusCode")
    return str(STATUS_NAMES[name])


def _headers(graph: rdflib.Graph, node: rdflib.term.Node | None) -> dict[str, str]:
    if node is None:
        return {}
    return {
        str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
        for h in Collection(graph, node)
    }


def _chars(graph: rdflib.Graph, node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    value = graph.value(node, CNT.chars)
    return None if value is None else str(value)


def load_manifest(path: Path) -> list[W3CTest]:
    """Read the tests of one manifest (following ``mf:include``)."""
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = URIRef(path.as_uri())
    tests: list[W3CTest] = []
    for included in graph.objects(manifest, MF.include):
        for item in Collection(graph, included):
            tests += load_manifest(Path(str(item).removeprefix("file://")))
    for entries in graph.objects(manifest, MF.entries):
        for entry in Collection(graph, entries):
            action = graph.value(entry, MF.action)
            requests = []
            for req in Collection(graph, graph.value(action, HT.requests)):
                resp = graph.value(req, HT.resp)
                expected = Expected(
                    statuses={_status(s) for s in graph.objects(resp, MF.expectedStatus)},
                    format=_opt(graph.value(resp, MF.expectedFormat)),
                    location=_opt(graph.value(resp, MF.expectedLocation)),
                    content_type=_headers(graph, graph.value(resp, HT.headers)).get("content-type"),
                    body=_chars(graph, graph.value(resp, HT.body)),
                )
                boolean = graph.value(resp, MF.expectedBoolean)
                if boolean is not None:
                    expected.boolean = bool(boolean.toPython())
                requests.append(
                    Request(
                        method=str(graph.value(req, HT.methodName)),
                        path=str(graph.value(req, HT.absolutePath)),
                        headers=_headers(graph, graph.value(req, HT.headers)),
                        body=_chars(graph, graph.value(req, HT.body)),
                        expected=expected,
                    )
                )
            graph_data = {
                str(graph.value(gd, RDFS.label)): Path(
                    str(graph.value(gd, UT.graph)).removeprefix("file://")
                )
                for gd in graph.objects(entry, UT.graphData)
            }
            tests.append(
                W3CTest(
                    id=str(entry).rsplit("#", 1)[-1],
                    name=str(graph.value(entry, MF.name)),
                    requests=requests,
                    graph_data=graph_data,
                    requires={str(r).rsplit("#", 1)[-1] for r in graph.objects(entry, MF.requires)},
                )
            )
    assert graph.value(manifest, RDF.type) == MF.Manifest
    return tests


def _opt(node: rdflib.term.Node | None) -> str | None:
    return None if node is None else str(node)


PROTOCOL = load_manifest(W3C / "protocol" / "manifest.ttl")
GSP = load_manifest(W3C / "graph-store-protocol" / "manifest.ttl")
W3C_DATA = W3C / "protocol"
ALL_DATA = {
    f"http://kasei.us/2009/09/sparql/data/data{i}.rdf": W3C_DATA / f"data{i}.nt" for i in (1, 2, 3)
}


def test_the_manifests_hold_the_whole_suite() -> None:
    assert len(PROTOCOL) == 34
    assert len(GSP) == 13
    assert sum(1 for t in GSP if "DirectGraphIdentification" in t.requires) == 4


# -- running requests ----------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def send(base: str, request: Request, *, token: str | None, location: str | None) -> Answer:
    """Send ``request`` to the server at ``base`` over a fresh HTTP connection."""
    path = request.path
    if path.startswith("/sparql/"):
        path = "/sparql" + path[len("/sparql/") :]
    elif path.startswith("/gsp"):
        path = "/store" + path[len("/gsp") :]
    body = request.body
    if location is not None:
        path = path.replace("$LOCATION$", location)
        body = body.replace("$LOCATION$", location) if body else body
    headers = dict(request.headers)
    if token:
        headers["authorization"] = f"Bearer {token}"
    host = urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    try:
        conn.request(
            request.method, path, body=body.encode("utf-8") if body else None, headers=headers
        )
        response = conn.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def check(request: Request, answer: Answer) -> None:
    """Assert that ``answer`` is what ``request`` expects."""
    expected = request.expected
    detail = f"{request.method} {request.path} -> {answer.status}: {answer.body[:300]!r}"
    assert expected.status_ok(answer.status), detail
    content_type = _media_type(answer.headers.get("content-type", ""))
    if expected.format in ("boolean", "tabular"):
        results_format = ox.QueryResultsFormat.from_media_type(content_type)
        assert results_format is not None, f"not a results type: {content_type}"
        parsed = ox.parse_query_results(answer.body, format=results_format)
        if expected.format == "boolean":
            assert isinstance(parsed, ox.QueryBoolean), detail
            if expected.boolean is not None:
                assert bool(parsed) is expected.boolean, detail
        else:
            assert isinstance(parsed, ox.QuerySolutions), detail
            list(parsed)
    elif expected.format == "RDF":
        rdf_format = ox.RdfFormat.from_media_type(content_type)
        assert rdf_format is not None, f"not an RDF type: {content_type}"
        list(ox.parse(answer.body, format=rdf_format))
    if expected.content_type is not None:
        assert content_type == _media_type(expected.content_type), detail
    if expected.body is not None and request.method != "HEAD":
        want = rdflib.Graph().parse(
            data=expected.body, format=_rdflib_format(expected.content_type)
        )
        got = rdflib.Graph().parse(data=answer.body, format=_rdflib_format(content_type))
        assert isomorphic(want, got), f"{detail}\nexpected:\n{expected.body}"
    if expected.location is not None:
        assert answer.headers.get("location"), detail


def _rdflib_format(content_type: str | None) -> str:
    return {"text/turtle": "turtle", "application/n-triples": "nt"}.get(
        _media_type(content_type or "text/turtle"), "turtle"
    )


def run_test(base: str, test: W3CTest, *, token: str | None) -> None:
    """Replay every request of ``test`` in order, checking each response."""
    location: str | None = None
    for request in test.requests:
        answer = send(base, request, token=token, location=location)
        check(request, answer)
        if request.expected.location is not None:
            location = answer.headers["location"]


def reset(base: str, graph_data: dict[str, Path]) -> None:
    """Empty the store, then load each ``ut:graphData`` file into its named graph."""
    inserts = " ".join(
        f"GRAPH <{name}> {{ {file.read_text('utf-8')} }}" for name, file in graph_data.items()
    )
    text = "DROP ALL" + (f" ; INSERT DATA {{ {inserts} }}" if inserts else "")
    request = Request(
        "POST", "/sparql/", {"content-type": "application/sparql-update"}, text, Expected({"2xx"})
    )
    check(request, send(base, request, token=TOKEN, location=None))


# -- servers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def writable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("w3c-rw")
    store = root / "store"
    with servers.running_server(
        root / "instance", "--store", str(store), "--update-token", TOKEN, "--threads", "4"
    ) as base:
        yield base


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("w3c-ro")
    store = servers.store_with(root / "store", ALL_DATA)
    with servers.running_server(root / "instance", "--store", str(store)) as base:
        yield base


def _id(test: W3CTest) -> str:
    return test.id


# -- updates on: everything must pass -----------------------------------------------------


@pytest.mark.server
@pytest.mark.parametrize("test", PROTOCOL, ids=_id)
def test_protocol_with_updates(writable_server: str, test: W3CTest) -> None:
    reset(writable_server, test.graph_data)
    run_test(writable_server, test, token=TOKEN)


@pytest.mark.server
@pytest.mark.parametrize("test", GSP, ids=_id)
def test_graph_store_with_updates(writable_server: str, test: W3CTest) -> None:
    reset(writable_server, {})
    run_test(writable_server, test, token=TOKEN)


# -- updates off: reads pass, writes get the documented refusal ---------------------------


@pytest.mark.server
@pytest.mark.parametrize("test", PROTOCOL, ids=_id)
def test_protocol_read_only(read_only_server: str, test: W3CTest) -> None:
    for request in test.requests:
        answer = send(read_only_server, request, token=None, location=None)
        if _is_write(request) and request.expected.status_ok(200):
            assert answer.status == 403, answer.body
            error = json.loads(answer.body)["error"]
            assert READ_ONLY in error["message"]
            return  # what follows depends on the refused update
        check(request, answer)


@pytest.mark.server
@pytest.mark.parametrize("test", GSP, ids=_id)
def test_graph_store_read_only(read_only_server: str, test: W3CTest) -> None:
    for request in test.requests:
        if _is_write(request):
            answer = send(read_only_server, request, token=None, location=None)
            assert answer.status == 403, answer.body
            assert READ_ONLY in json.loads(answer.body)["error"]["message"]
            return
        check(request, send(read_only_server, request, token=None, location=None))


@pytest.mark.server
def test_graph_store_reads_when_read_only(read_only_server: str) -> None:
    """GET / HEAD of a named graph, of the default graph, and of a missing graph."""
    data1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
    want = rdflib.Graph().parse(ALL_DATA[data1], format="nt")
    for method in ("GET", "HEAD"):
        request = Request(
            method, f"/gsp?graph={data1}", {"accept": "text/turtle"}, None, Expected({"200"})
        )
        answer = send(read_only_server, request, token=None, location=None)
        check(request, answer)
        assert _media_type(answer.headers["content-type"]) == "text/turtle"
        if method == "GET":
            assert isomorphic(rdflib.Graph().parse(data=answer.body, format="turtle"), want)
        else:
            assert answer.body == b""
    request = Request(
        "GET", "/gsp?default", {"accept": "application/n-triples"}, None, Expected({"200"})
    )
    answer = send(read_only_server, request, token=None, location=None)
    check(request, answer)
    union = rdflib.Graph()
    for file in ALL_DATA.values():
        union.parse(file, format="nt")
    assert isomorphic(rdflib.Graph().parse(data=answer.body, format="nt"), union)
    missing = Request("HEAD", "/gsp?graph=http://nowhere.example/g", {}, None, Expected({"404"}))
    check(missing, send(read_only_server, missing, token=None, location=None))


# -- the service description tests (described in prose in the manifest) ---------------------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SD_MANIFEST = W3C / "service-description" / "manifest.ttl"


def _sd_entries() -> list[str]:
    graph = rdflib.Graph().parse(SD_MANIFEST, format="turtle", publicID=SD_MANIFEST.as_uri())
    entries = graph.value(URIRef(SD_MANIFEST.as_uri()), MF.entries)
    return [str(e).rsplit("#", 1)[-1] for e in Collection(graph, entries)]


@pytest.mark.server
@pytest.mark.parametrize("entry", _sd_entries())
@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json"])
def test_service_description(read_only_server: str, entry: str, accept: str) -> None:
    request = Request("GET", "/sparql/", {"accept": accept}, None, Expected({"200"}, "RDF"))
    answer = send(read_only_server, request, token=None, location=None)
    check(request, answer)
    rdf_format = ox.RdfFormat.from_media_type(_media_type(answer.headers["content-type"]))
    assert rdf_format is not None
    nt = ox.serialize(
        [q.triple for q in ox.parse(answer.body, format=rdf_format)], format=ox.RdfFormat.N_TRIPLES
    )
    graph = rdflib.Graph().parse(data=nt, format="nt")
    services = set(graph.subjects(RDF.type, SD.Service))
    if entry == "returns-rdf":
        assert len(graph) > 10
    elif entry == "has-endpoint-triple":
        endpoint = URIRef(f"{read_only_server}/sparql")
        assert (None, SD.endpoint, endpoint) in graph
    else:  # conforms-to-schema
        assert len(services) == 1
        service = next(iter(services))
        languages = set(graph.objects(service, SD.supportedLanguage))
        assert languages == {SD.SPARQL10Query, SD.SPARQL11Query}  # read-only: no update
        assert SD.UnionDefaultGraph in set(graph.objects(service, SD.feature))
        assert all(
            str(f).startswith("http://www.w3.org/ns/formats/")
            for f in graph.objects(service, SD.resultFormat)
        )
        dataset = graph.value(service, SD.defaultDataset)
        assert (dataset, RDF.type, SD.Dataset) in graph
        assert graph.value(dataset, SD.defaultGraph) is not None
        names = {graph.value(n, SD.name) for n in graph.objects(dataset, SD.namedGraph)}
        assert names == {URIRef(name) for name in ALL_DATA}
