"""The explorer, timeline and ontology diagram in headless Chromium, on the seed build.

Each page must render what its JSON says (as many nodes, events), react to the controls and
navigate on a click; a screenshot of each is taken. Skipped when Chromium or its driver is
missing (Debian: ``apt-get install chromium chromium-driver``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cakg.web.app import create_app
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WANG = "https://w3id.org/cakg/id/person/wang-wentao"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
        "/usr/bin/chromedriver): apt-get install chromium chromium-driver",
    ),
]


@pytest.fixture(scope="module")
def server(seed_instance: Path) -> Iterator[str]:
    app = create_app(
        {"CAKG_INSTANCE": str(seed_instance), "CAKG_ACCESS_LOG": False, "CAKG_QUERY_PROCESSES": 1}
    )
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cakg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver: Any, script: str, timeout: float = 20) -> Any:
    """Wait until ``script`` (a JavaScript expression) is truthy; return its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return " + script))


def fetch_json(driver: Any, url: str) -> Any:
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {headers: {Accept: 'application/json'}})"
        ".then(r => r.json()).then(done);",
        url,
    )


def screenshot(driver: Any, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000, "a screenshot of a drawn page is not blank"
    keep = os.environ.get("CAKG_SCREENSHOTS")
    if keep:  # for people: keep the pictures somewhere to look at
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def test_explorer_renders_filters_searches_and_navigates(
    server: str, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/explore")
    shown = int(wait_for(browser, "document.getElementById('graph-status').dataset.nodes"))
    data = fetch_json(browser, server + "/explore/graph.json")
    nodes = browser.find_elements(By.CSS_SELECTOR, "svg#graph g.node")
    assert len(nodes) == len(data["nodes"]) == shown > 50
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg#graph line.edge")) == len(data["edges"])
    colours = {n.find_element(By.TAG_NAME, "circle").get_attribute("fill") for n in nodes}
    assert len(colours) >= 5, "nodes are coloured by class"
    radii = {n.find_element(By.TAG_NAME, "circle").get_attribute("r") for n in nodes}
    assert len(radii) > 5, "nodes are sized by centrality"
    screenshot(browser, tmp_path, "explorer")

    # colour by community: as many colours as communities (up to the palette's ten)
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "colour-by")).select_by_value("community")
    by_community = {n.find_element(By.TAG_NAME, "circle").get_attribute("fill") for n in nodes}
    assert len(by_community) == min(10, len({n["community"] for n in data["nodes"]}))
    Select(browser.find_element(By.ID, "colour-by")).select_by_value("class")
    assert {n.find_element(By.TAG_NAME, "circle").get_attribute("fill") for n in nodes} == colours

    # filter: hide the events
    events = sum(1 for n in data["nodes"] if n["group"] == "event")
    browser.find_element(By.CSS_SELECTOR, "input[name=group][value=event]").click()
    assert int(wait_for(browser, "document.getElementById('graph-status').dataset.nodes")) == (
        shown - events
    )
    visible = [
        n for n in browser.find_elements(By.CSS_SELECTOR, "svg#graph g.node") if n.is_displayed()
    ]
    assert len(visible) == shown - events
    link = browser.find_element(By.CSS_SELECTOR, "#downloads a[data-format=gexf]")
    assert "class=person" in link.get_attribute("href")
    browser.find_element(By.CSS_SELECTOR, "input[name=group][value=event]").click()

    # search
    search = browser.find_element(By.ID, "graph-search")
    search.send_keys("wang wentao", Keys.ENTER)
    matches = browser.find_elements(By.CSS_SELECTOR, "svg#graph g.node.match")
    assert [m.get_attribute("data-id") for m in matches] == [WANG]
    screenshot(browser, tmp_path, "explorer-search")

    # the path finder marks the path between two entities
    search.clear()
    search.send_keys(Keys.ENTER)
    browser.find_element(By.ID, "path-from").send_keys("Wang Wentao")
    browser.find_element(By.ID, "path-to").send_keys("anwar ibrahim")
    browser.find_element(By.ID, "path-go").click()
    steps = int(wait_for(browser, "document.getElementById('path-result').dataset.steps"))
    on_path = browser.find_elements(By.CSS_SELECTOR, "svg#graph g.node.on-path")
    assert len(on_path) == steps + 1 == 3
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg#graph line.edge.on-path")) >= 2
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#path-result li")]
    assert items[0] == "Wang Wentao"
    assert items[-1].endswith("Anwar Ibrahim")
    screenshot(browser, tmp_path, "explorer-path")
    browser.find_element(By.ID, "path-to").send_keys("zzz")
    browser.find_element(By.ID, "path-go").click()
    error = wait_for(browser, "document.querySelector('#path-result li.path-error')")
    assert "No entity" in error.text

    # a click on a node opens its page
    circle = browser.find_element(By.CSS_SELECTOR, f"svg#graph g.node[data-id='{WANG}'] circle")
    ActionChains(browser).move_to_element(circle).click().perform()
    wait_for(browser, "!location.pathname.startsWith('/explore')")
    assert urlsplit(browser.current_url).path.startswith("/id/person/wang-wentao")


def test_neighbourhood(server: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/explore")
    wait_for(browser, "document.getElementById('graph-status').dataset.nodes")
    browser.find_element(By.ID, "ego-entity").send_keys("Wang Wentao")
    browser.find_element(By.ID, "ego-go").click()
    wait_for(
        browser, "document.getElementById('graph-status').textContent.includes('neighbourhood')"
    )
    ego = fetch_json(browser, server + "/explore/api/neighbours?entity=Wang%20Wentao&radius=2")
    drawn = browser.find_elements(By.CSS_SELECTOR, "svg#graph g.node")
    assert len(drawn) == len(ego["nodes"]) > 1
    assert WANG in {n.get_attribute("data-id") for n in drawn}
    screenshot(browser, tmp_path, "explorer-neighbourhood")
    browser.find_element(By.ID, "ego-all").click()
    wait_for(
        browser, "!document.getElementById('graph-status').textContent.includes('neighbourhood')"
    )
    everything = fetch_json(browser, server + "/explore/graph.json")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg#graph g.node")) == len(
        everything["nodes"]
    )


def test_actor_view(server: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/explore")
    wait_for(browser, "document.getElementById('graph-status').dataset.nodes")
    browser.find_element(By.CSS_SELECTOR, "input[name=view][value=actors]").click()
    wait_for(
        browser, "document.getElementById('graph-status').textContent.includes('actor network')"
    )
    data = fetch_json(browser, server + "/explore/graph.json?view=actors")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg#graph g.node")) == len(data["nodes"])
    screenshot(browser, tmp_path, "explorer-actors")


def test_timeline_lists_and_places_every_event(server: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/explore/timeline")
    count = int(wait_for(browser, "document.getElementById('timeline-status').dataset.events"))
    events = fetch_json(browser, server + "/explore/timeline.json")["events"]
    assert count == len(events) > 5
    assert len(browser.find_elements(By.CSS_SELECTOR, "li.timeline-event")) == len(events)
    dated = [e for e in events if e["earliest"] or e["date"]]
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg#timeline-axis circle.event-dot")) == len(
        dated
    )
    legend = {
        i.text for i in browser.find_elements(By.CSS_SELECTOR, "#timeline-legend .legend-item")
    }
    assert legend == {e["type"] for e in events if e["type"]}
    years = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "li.timeline-year h2")]
    assert years[:2] == ["2002", "2010"]
    screenshot(browser, tmp_path, "timeline")
    signing = next(e for e in events if e["type"] == "signing")
    link = browser.find_element(By.CSS_SELECTOR, f".timeline-title a[href$='{signing['path']}']")
    link.click()
    wait_for(browser, "!location.pathname.startsWith('/explore')")
    assert urlsplit(browser.current_url).path.startswith(signing["path"])


def test_ontology_diagram_draws_the_classes(server: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(server + "/explore/ontology")
    drawn = int(wait_for(browser, "document.getElementById('ontology-graph').dataset.rendered"))
    data = fetch_json(browser, server + "/explore/ontology.json")
    classes = [n for n in data["nodes"] if n["kind"] == "class"]
    assert (
        drawn
        == len(classes)
        == len(browser.find_elements(By.CSS_SELECTOR, "svg#ontology-graph g.node"))
    )
    screenshot(browser, tmp_path, "ontology")
    browser.find_element(By.ID, "show-external").click()
    assert int(
        wait_for(browser, "document.getElementById('ontology-graph').dataset.rendered")
    ) == len(data["nodes"])
    browser.find_element(By.ID, "show-external").click()
    wait_for(
        browser, f"document.getElementById('ontology-graph').dataset.rendered == {len(classes)}"
    )
    box = browser.find_element(
        By.CSS_SELECTOR,
        "svg#ontology-graph g.node[data-id='https://w3id.org/cakg/ontology#Person'] rect",
    )
    ActionChains(browser).move_to_element(box).click().perform()
    wait_for(browser, "!location.pathname.startsWith('/explore')")
    parts = urlsplit(browser.current_url)
    assert (parts.path, parts.fragment) == ("/ontology", "Person")
