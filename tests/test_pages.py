"""The query page (``/``) and the catalogue of competency questions it lists."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import lxml.html
import pytest
from cakg.graph.build import Build
from cakg.graph.catalog import list_queries, parse_query
from cakg.graph.namespaces import PREFIXES
from cakg.web import pages
from flask import Flask
from flask.testing import FlaskClient


def _load_helpers() -> ModuleType:
    path = Path(__file__).parent / "data" / "ld" / "ldapp.py"
    spec = importlib.util.spec_from_file_location("cakg_tests_ldapp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ldapp = _load_helpers()

SAMPLE = """\
#+ summary: Who signed the upgrade protocol?
#+ description: Lists the signatories of the CAFTA 3.0 upgrade protocol
#+   and whom they signed for.
#+ tags:
#+   - agreements
#+   - people
#+ method: GET

SELECT ?person WHERE { ?event sem:hasActor ?person }
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("pages-instance")
    build: Build = ldapp.build_ld_fixture(instance)
    yield ldapp.make_app(instance, build)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sample_catalog(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    queries = [
        parse_query("q01_signatories", SAMPLE),
        parse_query("q02_count", "#+ summary: How many triples?\nASK { ?s ?p ?o }\n"),
    ]
    monkeypatch.setattr(pages, "list_queries", lambda: queries)
    return list(queries)


def page_of(response: object) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the page


def test_query_page_lists_every_question(client: FlaskClient, sample_catalog: list[object]) -> None:
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = page_of(response)
    items = page.xpath("//ol[@id='questions']/li")
    assert [li.get("data-query-name") for li in items] == ["q01_signatories", "q02_count"]
    first = items[0]
    assert first.xpath("string(a[@class='question-title'])") == "Who signed the upgrade protocol?"
    assert first.xpath("a[@class='question-title']/@href") == ["/?query=q01_signatories"]
    assert "whom they signed for" in first.xpath("string(p[@class='question-description'])")
    # the editor starts with the project's prefixes declared
    editor = page.get_element_by_id("query")
    assert editor.tag == "textarea"
    assert f"PREFIX cakg: <{PREFIXES['cakg']}>" in editor.text
    assert page.xpath("//form[@id='query-form']/@action") == ["/sparql"]
    nav = page.xpath("//header[@class='site']/nav/a/@href")
    assert nav[:4] == ["/", "/.well-known/void", "/ontology", "/shapes"]
    assert ("/explore" in nav) == ("explore.explorer" in client.application.view_functions)
    # offline: every script and stylesheet is served here
    sources = page.xpath("//script/@src | //link[@rel='stylesheet']/@href")
    assert sources
    assert all(src.startswith("/") for src in sources)


def test_page_config_and_question_data(client: FlaskClient, sample_catalog: list[object]) -> None:
    page = page_of(client.get("/", headers={"Accept": "text/html"}))
    config = json.loads(page.get_element_by_id("cakg-config").text)
    assert config["endpoint"] == "/sparql"
    assert config["dataBase"] == "https://w3id.org/cakg/id/"
    assert config["prefixes"] == PREFIXES
    assert config["autorun"] is False
    questions = json.loads(page.get_element_by_id("cakg-queries").text)
    assert [q["form"] for q in questions] == ["SELECT", "ASK"]
    assert questions[0]["text"] == SAMPLE


def test_selected_question_fills_the_editor(
    client: FlaskClient, sample_catalog: list[object]
) -> None:
    page = page_of(client.get("/?query=q02_count", headers={"Accept": "text/html"}))
    assert page.get_element_by_id("query").text.startswith("#+ summary: How many triples?")
    assert page.get_element_by_id("query-title").text == "How many triples?"
    assert json.loads(page.get_element_by_id("cakg-config").text)["autorun"] is True


def test_static_files_are_served(client: FlaskClient) -> None:
    script = client.get("/static/query.js")
    assert script.status_code == 200
    text = script.get_data(as_text=True)
    assert "fetch(" in text
    assert "http://" not in text.replace("http://www.w3.org", "")  # nothing from a CDN
    script.close()
    css = client.get("/static/style.css")
    assert css.status_code == 200
    css.close()


def test_query_file_route(client: FlaskClient) -> None:
    queries = list_queries()
    missing = client.get("/queries/no-such-query.rq")
    assert missing.status_code == 404
    assert "No competency question named" in missing.get_data(as_text=True)
    if not queries:
        pytest.skip("no competency questions in queries/ yet")
    response = client.get(f"/queries/{queries[0].name}.rq")
    assert response.mimetype == "application/sparql-query"
    assert response.get_data(as_text=True) == queries[0].text
