"""The query page in headless Chromium against a real server on 127.0.0.1.

Runs a competency question, checks the results table, follows a result link to the
entity page, and saves screenshots in the test's temporary folder. Skipped when
chromium or chromedriver is missing (``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cakg.graph.build import Build
from cakg.graph.catalog import CatalogQuery, list_queries, parse_query
from cakg.web import pages
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
]

#: A competency question over the small fixture data (used when the seed build is absent).
FIXTURE_QUESTION = """\
#+ summary: Who took part in the signing of the CAFTA 3.0 upgrade protocol?
#+ description: Lists the actors of the signing event, with their names.

SELECT ?actor ?name WHERE {
  ?event sem:eventType cakg:Signing ;
         sem:hasActor ?actor .
  ?actor rdfs:label ?name .
  FILTER(LANGMATCHES(LANG(?name), "en"))
}
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None or shutil.which(CHROMEDRIVER) is None,
        reason=f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)",
    ),
]


def _load_helpers() -> ModuleType:
    path = Path(__file__).parent / "data" / "ld" / "ldapp.py"
    spec = importlib.util.spec_from_file_location("cakg_tests_ldapp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ldapp = _load_helpers()


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[CatalogQuery]]]:
    """Serve the seed build (or the fixture build) on a free loopback port."""
    try:
        build: Build = request.getfixturevalue("seed_build")
        instance: Path = request.getfixturevalue("seed_instance")
        questions = list_queries()
    except pytest.FixtureLookupError:
        instance = tmp_path_factory.mktemp("browser-instance")
        build = ldapp.build_ld_fixture(instance)
        questions = []
    if not questions:
        questions = [parse_query("fixture_signing_actors", FIXTURE_QUESTION)]
    patch = pytest.MonkeyPatch()
    patch.setattr(pages, "list_queries", lambda: questions)
    app = ldapp.make_app(instance, build)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", questions
    finally:
        server.shutdown()
        thread.join(timeout=10)
        patch.undo()
        engine = app.extensions.get("cakg.engine")
        close = getattr(engine, "close", None)
        if callable(close):
            close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    downloads = tmp_path_factory.mktemp("downloads")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads_dir = downloads  # type: ignore[attr-defined]  # read by the tests
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, condition: Any, timeout: float = 20) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _result_links(driver: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [
        a
        for a in driver.find_elements(By.CSS_SELECTOR, "#results table a.iri")
        if "/id/" in (a.get_attribute("href") or "")
    ]


def test_competency_question_then_entity_page(
    served: tuple[str, list[CatalogQuery]], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    base, questions = served
    browser.get(base + "/")
    _wait(browser, lambda d: d.execute_script("return document.documentElement.dataset.queryPage"))
    titles = browser.find_elements(By.CSS_SELECTOR, "#questions a.question-title")
    assert [t.text for t in titles] == [q.title for q in questions]
    chosen = None
    for question in questions:
        link = browser.find_element(
            By.CSS_SELECTOR, f'#questions a.question-title[data-query-name="{question.name}"]'
        )
        link.click()
        _wait(
            browser,
            lambda d: (
                d.find_element(By.ID, "results").get_attribute("data-state") == "done"
                or "error" in (d.find_element(By.ID, "status").get_attribute("class") or "")
            ),
        )
        status = browser.find_element(By.ID, "status")
        assert "error" not in (status.get_attribute("class") or ""), status.text
        assert question.name in browser.current_url
        editor_text = browser.find_element(By.ID, "query").get_property("value")
        assert editor_text == question.text
        if _result_links(browser):
            chosen = question
            break
        browser.execute_script("document.getElementById('results').dataset.state = ''")
    assert chosen is not None, "no competency question returned a link to an entity"
    status_text = browser.find_element(By.ID, "status").text
    assert re.match(r"\d+ results? in \d+ ms", status_text), status_text
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#results thead th")]
    assert headers, "the results table has a header row"
    downloads = browser.find_elements(By.CSS_SELECTOR, "#downloads button.download")
    assert {b.get_attribute("data-media-type") for b in downloads} >= {
        "application/sparql-results+json",
        "text/csv",
    }
    browser.save_screenshot(str(tmp_path / "query-page.png"))
    link = _result_links(browser)[0]
    label = link.text
    href = link.get_attribute("href")
    assert href.startswith(base + "/id/")
    link.click()
    _wait(browser, lambda d: d.current_url.endswith(".html"))
    assert browser.current_url == href + ".html"
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading != "Not found"
    if ":" not in label:  # the link showed a label rather than a prefixed name
        assert heading == label
    assert browser.find_elements(By.CSS_SELECTOR, "table.facts")
    browser.save_screenshot(str(tmp_path / "entity-page.png"))
    assert (tmp_path / "query-page.png").stat().st_size > 1000
    assert (tmp_path / "entity-page.png").stat().st_size > 1000


def test_typed_query_and_error_message(
    served: tuple[str, list[CatalogQuery]], browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    base, _ = served
    browser.get(base + "/")
    _wait(browser, lambda d: d.execute_script("return document.documentElement.dataset.queryPage"))
    editor = browser.find_element(By.ID, "query")
    # no PREFIX lines: the page declares the project's prefixes it uses
    browser.execute_script(
        "arguments[0].value = arguments[1]",
        editor,
        "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c FILTER(?c = schema:Person) } GROUP BY ?c",
    )
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda d: d.find_element(By.ID, "results").get_attribute("data-state") == "done")
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#results tbody td")]
    assert cells[0] == "schema:Person"
    assert int(cells[1].split()[0]) >= 1
    # download the same results as CSV
    browser.find_element(By.CSS_SELECTOR, '#downloads button[data-media-type="text/csv"]').click()
    csv_file = browser.downloads_dir / "results.csv"
    _wait(browser, lambda d: csv_file.is_file() and csv_file.stat().st_size > 0)
    lines = csv_file.read_text("utf-8").splitlines()
    assert lines[0] == "c,n"
    assert lines[1].startswith("http://schema.org/Person,")
    # a CONSTRUCT query: its triples as a table of subject, predicate, object
    browser.execute_script(
        "arguments[0].value = arguments[1]",
        editor,
        "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a schema:Person ; rdfs:label ?l } LIMIT 3",
    )
    browser.execute_script("document.getElementById('results').dataset.state = ''")
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda d: d.find_element(By.ID, "results").get_attribute("data-state") == "done")
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#results thead th")]
    assert headers == ["subject", "predicate", "object"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert 1 <= len(rows) <= 3
    assert rows[0].find_elements(By.TAG_NAME, "td")[1].text == "rdfs:label"
    formats = browser.find_elements(By.CSS_SELECTOR, "#downloads button.download")
    assert "text/turtle" in {b.get_attribute("data-media-type") for b in formats}
    browser.execute_script("arguments[0].value = 'SELECT WHERE {'", editor)
    browser.execute_script("document.getElementById('results').dataset.state = ''")
    browser.find_element(By.ID, "run").click()
    _wait(
        browser,
        lambda d: "error" in (d.find_element(By.ID, "status").get_attribute("class") or ""),
    )
    message = browser.find_element(By.ID, "status").text
    assert message.startswith("Error 400: ")
    assert "object Object" not in message
    assert len(message) > len("Error 400: ") + 5
    browser.save_screenshot(str(tmp_path / "query-error.png"))
