"""``cakg serve``: Granian on loopback, limits from flags and environment, timeouts."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from cakg.web.cli import cli
from cakg.web.cli_serve import server_options
from click.testing import CliRunner
from tests_support import servers

REPO = Path(__file__).resolve().parents[1]
TOTAL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def get(
    base: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def query(base: str, text: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    return get(base, "/sparql?" + urlencode({"query": text, **params}))


def test_help_lists_every_limit_with_its_environment_variable() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option, variable in [
        ("--host", "CAKG_HOST"),
        ("--port", "CAKG_PORT"),
        ("--workers", "CAKG_WORKERS"),
        ("--threads", "CAKG_THREADS"),
        ("--query-timeout", "CAKG_QUERY_TIMEOUT"),
        ("--max-rows", "CAKG_MAX_ROWS"),
        ("--max-body", "CAKG_MAX_BODY"),
        ("--update-token", "CAKG_UPDATE_TOKEN"),
    ]:
        assert option in result.output and variable in result.output


def test_update_token_needs_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--instance", str(tmp_path), "serve", "--update-token", "x"])
    assert result.exit_code == 2
    assert "--store" in result.output


@pytest.mark.parametrize(
    ("store", "message"), [("missing-store", "No store at"), (":memory:", "starts empty")]
)
def test_read_only_store_must_exist(tmp_path: Path, store: str, message: str) -> None:
    target = store if store == ":memory:" else str(tmp_path / store)
    result = CliRunner().invoke(cli, ["--instance", str(tmp_path), "serve", "--store", target])
    assert result.exit_code == 2
    assert message in result.output


def test_a_running_query_may_finish_before_shutdown() -> None:
    options = server_options(host="127.0.0.1", port=1, workers=2, threads=4, query_timeout=30)
    assert options["workers_kill_timeout"] > 30
    assert (options["address"], options["port"]) == ("127.0.0.1", 1)
    assert (options["workers"], options["blocking_threads"]) == (2, 4)
    assert options["respawn_failed_workers"]


@pytest.mark.server
def test_serve_builds_when_there_is_no_build(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(REPO / "tests" / "data" / "seed_sources", sources)
    instance = tmp_path / "instance"
    with servers.running_server(instance, "--sources", str(sources), "--workers", "1") as base:
        status, headers, body = query(base, TOTAL)
        assert status == 200
        assert "granian" in headers.get("server", "")
        count = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        assert count > 100
    assert (instance / "current" / "manifest.json").is_file()


@pytest.mark.server
def test_limits_from_the_environment(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    servers.build_sample(instance)
    env = {"CAKG_MAX_ROWS": "2", "CAKG_MAX_BODY": "200", "CAKG_WORKERS": "1"}
    with servers.running_server(instance, env=env) as base:
        status, headers, body = query(base, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 200
        assert headers["x-sparql-maxrows"] == "2"
        assert len(json.loads(body)["results"]["bindings"]) == 2
        url = urlsplit(base)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request(
            "POST",
            "/sparql",
            body="ASK {} #" + "x" * 500,
            headers={"Content-Type": "application/sparql-query"},
        )
        response = conn.getresponse()
        assert response.status == 413
        assert "200 bytes" in json.loads(response.read())["error"]["message"]
        # A GET's request line is limited by the HTTP server (docs/ENDPOINT.md: 64 KB).
        conn.request("GET", "/sparql?query=ASK%7B%7D%23" + "x" * 70_000)
        response = conn.getresponse()
        response.read()
        assert response.status == 414
        conn.close()


@pytest.mark.server
def test_runaway_query_is_stopped_while_others_are_served(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    servers.build_sample(instance)
    args = ("--workers", "1", "--threads", "4", "--query-processes", "2", "--query-timeout", "1.5")
    with servers.running_server(instance, *args) as base:
        runaway: dict[str, object] = {}

        def run_away() -> None:
            started = time.monotonic()
            status, _, body = query(base, servers.RUNAWAY)
            runaway.update(status=status, body=body, seconds=time.monotonic() - started)

        thread = threading.Thread(target=run_away)
        thread.start()
        time.sleep(0.2)
        answered = []
        while thread.is_alive():
            started = time.monotonic()
            status, _, _ = query(base, TOTAL)
            answered.append((status, time.monotonic() - started))
            time.sleep(0.05)
        thread.join()
        assert runaway["status"] == 503
        assert 1.4 < float(runaway["seconds"]) < 6  # type: ignore[arg-type]
        message = json.loads(runaway["body"])["error"]["message"]  # type: ignore[arg-type]
        assert "1.5 s limit" in message
        assert len(answered) >= 5, answered
        assert all(status == 200 and seconds < 1.2 for status, seconds in answered), answered
        # The killed worker is replaced: the server keeps answering, and says what happened.
        status, _, body = get(base, "/health")
        assert status == 200
        assert json.loads(body)["timeouts"] == 1
        for _ in range(5):
            assert query(base, TOTAL)[0] == 200
    # Stopping the server stops its query processes too: none is left behind.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _processes_mentioning(str(instance)):
        time.sleep(0.1)
    assert _processes_mentioning(str(instance)) == []


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found
