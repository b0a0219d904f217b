"""The result cache: repeated queries on a build are answered from memory, byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cakg.graph.engine import Outcome
from cakg.web.app import create_app
from cakg.web.result_cache import ResultCache
from flask import Flask

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 20"


def outcome(size: int, status: int = 200) -> Outcome:
    return Outcome(b"x" * size, "text/plain", rows=1, status=status, kind="select")


def test_the_least_recently_used_answers_go_first() -> None:
    cache = ResultCache(1000)
    cache.put("a", outcome(200))
    cache.put("b", outcome(200))
    cache.put("c", outcome(200))
    assert cache.get("a") is not None  # now the most recently used
    cache.put("d", outcome(200))
    cache.put("e", outcome(200))  # 1000 bytes: still fits
    cache.put("f", outcome(200))  # over: "b", the least recently used, goes
    assert cache.get("b") is None
    assert all(cache.get(key) is not None for key in "acdef")
    assert cache.size == 1000 and len(cache) == 5


def test_large_and_failed_answers_are_not_kept() -> None:
    cache = ResultCache(1000)
    cache.put("big", outcome(251))  # over a quarter of the budget
    cache.put("failed", outcome(10, status=503))
    assert cache.get("big") is None and cache.get("failed") is None
    assert (cache.hits, cache.misses) == (0, 2)
    cache.put("ok", outcome(250))
    cache.clear()
    assert cache.get("ok") is None and cache.size == 0


def make_app(instance: Path, **config: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "CAKG_INSTANCE": str(instance),
            "CAKG_ACCESS_LOG": False,
            "CAKG_QUERY_PROCESSES": 1,
            "CAKG_QUERY_TIMEOUT": 30,
            **config,
        }
    )


@pytest.fixture(scope="module")
def app(seed_instance: Path) -> Iterator[Flask]:
    app = make_app(seed_instance)
    yield app
    app.extensions["cakg.engine"].close()


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_bytes(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    first = client.get("/sparql", query_string={"query": LABELS})
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"

    def no_worker(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a cached answer went to the worker pool")

    monkeypatch.setattr(app.extensions["cakg.engine"], "run", no_worker)
    again = client.get("/sparql", query_string={"query": LABELS})
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert 'cache;desc="hit"' in again.headers["Server-Timing"]
    # POST form: the same job, the same answer.
    posted = client.post("/sparql", data={"query": LABELS})
    assert posted.headers["X-Cache"] == "hit" and posted.data == first.data


def test_another_format_or_dataset_is_another_answer(app: Flask) -> None:
    client = app.test_client()
    client.get("/sparql", query_string={"query": COUNT})
    as_xml = client.get(
        "/sparql",
        query_string={"query": COUNT},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert as_xml.headers["X-Cache"] == "miss" and as_xml.mimetype.endswith("+xml")
    one_graph = client.get(
        "/sparql",
        query_string={
            "query": COUNT,
            "default-graph-uri": "https://w3id.org/cakg/id/graph/gazetteer",
        },
    )
    assert one_graph.headers["X-Cache"] == "miss"
    everything = client.get("/sparql", query_string={"query": COUNT})
    n_all = int(json.loads(everything.data)["results"]["bindings"][0]["n"]["value"])
    n_one = int(json.loads(one_graph.data)["results"]["bindings"][0]["n"]["value"])
    assert n_one < n_all


def test_health_reports_the_cache(app: Flask) -> None:
    app.test_client().get("/sparql", query_string={"query": COUNT})
    cache = app.test_client().get("/health").get_json()["cache"]
    assert cache["entries"] >= 1 and cache["bytes"] > 0
    assert cache["max_bytes"] == 128 * 2**20


def test_no_cache_when_turned_off(seed_instance: Path) -> None:
    app = make_app(seed_instance, CAKG_CACHE_MB=0)
    try:
        client = app.test_client()
        for _ in range(2):
            response = client.get("/sparql", query_string={"query": COUNT})
            assert response.status_code == 200 and "X-Cache" not in response.headers
        assert "cache" not in client.get("/health").get_json()
    finally:
        app.extensions["cakg.engine"].close()


def test_a_writable_store_is_never_cached(tmp_path: Path) -> None:
    app = make_app(tmp_path, CAKG_STORE=":memory:", CAKG_UPDATE_TOKEN="s3cret")
    try:
        client = app.test_client()
        auth = {"Authorization": "Bearer s3cret"}
        counts = []
        for i in range(2):
            client.post(
                "/sparql",
                data={"update": f"INSERT DATA {{ <x:s{i}> <x:p> {i} }}"},
                headers=auth,
            )
            response = client.get("/sparql", query_string={"query": COUNT})
            assert "X-Cache" not in response.headers
            counts.append(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])
        assert counts == ["1", "2"]
    finally:
        app.extensions["cakg.engine"].close()
