"""Tests of the explore blueprint: pages, graph JSON, analytics JSON, downloads, timeline and
ontology diagram, on a small build (tests/data/analytics/mini.trig with the real ontology)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from cakg.graph.build import GraphPart, write_build
from cakg.graph.namespaces import DATA_BASE, ONTOLOGY_IRI
from cakg.web.app import create_app
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

DATA = Path(__file__).parent / "data" / "analytics"
JSON = {"Accept": "application/json"}
WANG = DATA_BASE + "person/wang-wentao"


def build_mini_instance(folder: Path) -> Path:
    """Write a build of mini.trig, with the project's ontology as its ontology graph."""
    store = ox.Store()
    store.load(path=str(DATA / "mini.trig"), format=ox.RdfFormat.TRIG)
    parts = []
    for name in store.named_graphs():
        if name.value == str(ONTOLOGY_IRI):
            continue
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, name)]
        graph = Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
        parts.append(GraphPart(URIRef(name.value), graph, "source"))
    ontology = Graph()
    ontology.parse(
        data=files("cakg.ontology").joinpath("cakg.ttl").read_text("utf-8"), format="turtle"
    )
    parts.append(GraphPart(ONTOLOGY_IRI, ontology, "ontology"))
    write_build(parts, folder)
    return folder


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = build_mini_instance(tmp_path_factory.mktemp("instance"))
    yield create_app(
        {"CAKG_INSTANCE": str(instance), "CAKG_ACCESS_LOG": False, "CAKG_QUERY_PROCESSES": 1}
    )


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Links(HTMLParser):
    """Collect the scripts, stylesheets and data attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.data: dict[str, str] = {}
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "script" and "src" in values:
            self.scripts.append(values["src"])
        if tag == "link" and values.get("rel") == "stylesheet":
            self.styles.append(values["href"])
        self.data.update({k: v for k, v in values.items() if k.startswith("data-")})
        if "id" in values:
            self.ids.add(values["id"])


def parse(html: bytes) -> Links:
    links = Links()
    links.feed(html.decode("utf-8"))
    return links


@pytest.mark.parametrize(
    ("path", "scripts", "ids"),
    [
        ("/explore", ["graph.js", "graph_explore.js"], {"graph", "graph-search", "group-filter"}),
        ("/explore/timeline", ["timeline.js"], {"timeline-axis", "timeline-list"}),
        ("/explore/ontology", ["graph.js", "graph_ontology.js"], {"ontology-graph"}),
    ],
)
def test_pages_load_local_scripts_only(
    client: FlaskClient, path: str, scripts: list[str], ids: set[str]
) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = parse(response.data)
    assert [s.rsplit("/", 1)[-1] for s in page.scripts] == scripts
    assert ids <= page.ids
    for url in page.scripts + page.styles:
        assert url.startswith("/static/"), "no CDN: every script and style is served here"
        with client.get(url) as asset:  # static files stream: close them
            assert asset.status_code == 200
    for key, url in page.data.items():
        if key == "data-path-url":
            url += "?from=china&to=asean"
        if key == "data-neighbours-url":
            url += "?entity=china"
        if key.endswith("-url") and "FORMAT" not in url:
            assert client.get(url, headers=JSON).status_code == 200, url


def test_graph_json_views_and_filters(client: FlaskClient) -> None:
    entities = client.get("/explore/graph.json", headers=JSON).get_json()
    assert entities["view"] == "entities"
    assert len(entities["nodes"]) == 14
    wang = next(n for n in entities["nodes"] if n["id"] == WANG)
    assert wang["path"] == "/id/person/wang-wentao"
    assert wang["class_label"] == "person"
    actors = client.get("/explore/graph.json?view=actors", headers=JSON).get_json()
    assert len(actors["nodes"]) == 8
    people = client.get("/explore/graph.json?class=person&class=event", headers=JSON).get_json()
    assert {n["group"] for n in people["nodes"]} == {"person", "event"}
    only_a = client.get("/explore/graph.json?source=src-a", headers=JSON).get_json()
    assert all("src-a" in n["sources"] for n in only_a["nodes"])
    response = client.get("/explore/graph.json?class=planet", headers=JSON)
    assert response.status_code == 400
    assert "Unknown class 'planet'" in response.get_json()["error"]["message"]


def test_analytics_json(client: FlaskClient) -> None:
    stats = client.get("/explore/api/stats?view=actors", headers=JSON).get_json()
    assert (stats["nodes"], stats["edges"], stats["components"]) == (8, 17, 1)
    top = client.get("/explore/api/centrality?view=actors&top=2&measure=degree", headers=JSON)
    assert [n["label"] for n in top.get_json()["nodes"]] == ["ASEAN", "Wang Wentao"]
    people = client.get("/explore/api/centrality?among=person&top=1", headers=JSON).get_json()
    assert [n["label"] for n in people["nodes"]] == ["Wang Wentao"]
    path = client.get(
        "/explore/api/path?from=Wang Wentao&to=person/anwar-ibrahim", headers=JSON
    ).get_json()
    assert path["paths"][0]["nodes"] == [
        WANG,
        DATA_BASE + "event/signing",
        DATA_BASE + "person/anwar-ibrahim",
    ]
    assert path["paths"][0]["hops"][0]["relations"] == ["<- participant"]
    every = client.get(
        "/explore/api/path?view=actors&from=wang wentao&to=xi jinping&all=1&cutoff=3", headers=JSON
    ).get_json()
    assert len(every["paths"]) == 5
    ego = client.get("/explore/api/neighbours?entity=MOFCOM&radius=2", headers=JSON).get_json()
    assert ego["centre"] == DATA_BASE + "org/mofcom"
    assert {n["hops"] for n in ego["nodes"]} == {0, 1, 2}
    found = client.get("/explore/api/communities?view=actors", headers=JSON).get_json()
    assert sum(len(c) for c in found["communities"]) == 8


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/explore/api/path?from=nobody&to=china", 404, "No entity 'nobody'"),
        ("/explore/api/path?to=china", 400, "Give the entity as ?from="),
        ("/explore/api/neighbours?entity=china&radius=9", 400, "from 1 to 4"),
        ("/explore/api/centrality?measure=fame", 400, "Unknown measure 'fame'"),
        ("/explore/graph.json?view=trees", 400, "use view=entities or view=actors"),
        ("/explore/export/dot", 404, "use one of graphml, graphml-yed, gexf"),
    ],
)
def test_errors_are_json_with_a_fix(client: FlaskClient, url: str, status: int, words: str) -> None:
    response = client.get(url, headers=JSON)
    assert response.status_code == status
    assert words in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("fmt", "reader"),
    [
        ("graphml", lambda b: nx.read_graphml(io.BytesIO(b))),
        ("graphml-yed", lambda b: nx.read_graphml(io.BytesIO(b))),
        ("gexf", lambda b: nx.read_gexf(io.BytesIO(b), version="1.3")),
        ("node-link", lambda b: nx.node_link_graph(json.loads(b), edges="edges")),
        ("cytoscape", lambda b: nx.cytoscape_graph(json.loads(b))),
    ],
)
def test_downloads_re_read(client: FlaskClient, fmt: str, reader: Any) -> None:
    response = client.get(f"/explore/export/{fmt}?view=actors")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="cakg-actors')
    graph = reader(response.data)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (8, 17)
    filtered = reader(client.get(f"/explore/export/{fmt}?class=person").data)
    assert filtered.number_of_nodes() == 5


def test_csv_downloads(client: FlaskClient) -> None:
    nodes = client.get("/explore/export/csv-nodes?view=actors")
    assert nodes.mimetype == "text/csv"
    assert nodes.data.decode().splitlines()[0].startswith("Id,Label,group,class,path")
    assert len(nodes.data.decode().splitlines()) == 9
    edges = client.get("/explore/export/csv-edges?view=actors").data.decode().splitlines()
    assert edges[0].startswith("Source,Target,Type,Label,Weight")
    assert len(edges) == 18


def test_timeline_json(client: FlaskClient) -> None:
    events = client.get("/explore/timeline.json", headers=JSON).get_json()["events"]
    assert [e["label"] for e in events] == [
        "Special Summit, 30th anniversary",
        "press conference in Beijing",
        "signing of the CAFTA 3.0 protocol",
    ]
    signing = events[-1]
    assert signing["date"] == "2025-10-28"
    assert signing["type"] == "signing"
    assert signing["places"] == [
        {
            "id": DATA_BASE + "place/kuala-lumpur",
            "label": "Kuala Lumpur",
            "path": "/id/place/kuala-lumpur",
        }
    ]
    roles = {p["label"]: p["roles"] for p in signing["participants"]}
    assert roles["Wang Wentao"] == ["signatory"]
    assert roles["Anwar Ibrahim"] == ["witness"]
    assert signing["sources"] == ["src-b"]


def test_ontology_json(client: FlaskClient) -> None:
    diagram = client.get("/explore/ontology.json", headers=JSON).get_json()
    classes = {n["name"]: n for n in diagram["nodes"] if n["kind"] == "class"}
    assert {"Person", "Event", "AgreementVersion", "Tenure"} <= set(classes)
    assert classes["Person"]["path"] == "/ontology#Person"
    assert "attested on" in classes["Tenure"]["attributes"]
    edges = {
        (e["source"].rsplit("#")[-1], e["label"], e["target"].rsplit("#")[-1])
        for e in diagram["edges"]
    }
    assert ("City", "subclass of", "Place") in edges
    assert ("TradeAgreement", "has version", "AgreementVersion") in edges


def test_without_a_build_pages_render_and_data_says_what_to_do(tmp_path: Path) -> None:
    app = create_app(
        {"CAKG_INSTANCE": str(tmp_path), "CAKG_ACCESS_LOG": False, "CAKG_QUERY_PROCESSES": 1}
    )
    client = app.test_client()
    assert client.get("/explore", headers={"Accept": "text/html"}).status_code == 200
    for url in ("/explore/graph.json", "/explore/timeline.json", "/explore/api/stats"):
        response = client.get(url, headers=JSON)
        assert response.status_code == 503
        assert "cakg build" in response.get_json()["error"]["message"]
