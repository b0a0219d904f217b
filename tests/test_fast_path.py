"""The lookup fast path answers exactly what the ``/sparql`` view answers, or lets it answer.

Each request goes once through the whole app (fast path in front of Flask) and once
through Flask alone; status, headers (but the timing) and body must be the same, and the
fast path must have answered exactly the requests it is meant for.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from cakg.web.app import create_app
from cakg.web.fast_path import LookupFastPath
from flask import Flask
from werkzeug.test import Client, TestResponse

WANG = "https://w3id.org/cakg/id/person/wang-wentao"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{WANG}> ?p ?o }}"
INCOMING = f"SELECT ?s ?p WHERE {{ ?s ?p <{WANG}> }}"
FORM = "application/x-www-form-urlencoded"
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def app(seed_instance: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "CAKG_INSTANCE": str(seed_instance),
            "CAKG_ACCESS_LOG": False,
            "CAKG_QUERY_PROCESSES": 1,
            "CAKG_QUERY_TIMEOUT": 30,
            "CAKG_MAX_ROWS": 4,
            # Each request is sent twice: the second must not be a cache hit.
            "CAKG_CACHE_MB": 0,
        }
    )
    yield app
    app.extensions["cakg.engine"].close()


def fast_path(app: Flask) -> LookupFastPath:
    middleware = app.wsgi_app
    assert isinstance(middleware, LookupFastPath)
    return middleware


def both(app: Flask, method: str, **kwargs: Any) -> tuple[TestResponse, TestResponse, bool]:
    """Send one request through the whole app and through Flask alone.

    Returns both answers and whether the fast path answered the first itself.
    """
    middleware = fast_path(app)
    before = middleware.answered
    whole = Client(app).open("/sparql", method=method, **kwargs)
    answered = middleware.answered == before + 1
    flask_only = Client(middleware.wsgi_app).open("/sparql", method=method, **kwargs)
    return whole, flask_only, answered


def same_answer(a: TestResponse, b: TestResponse) -> None:
    assert a.status_code == b.status_code
    assert a.data == b.data
    headers_a = {k: v for k, v in a.headers.items() if k != "Server-Timing"}
    headers_b = {k: v for k, v in b.headers.items() if k != "Server-Timing"}
    assert headers_a == headers_b
    assert a.headers["Server-Timing"].startswith("query;dur=")


def rows(response: TestResponse) -> list[dict[str, Any]]:
    bindings: list[dict[str, Any]] = json.loads(response.data)["results"]["bindings"]
    return bindings


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON_RESULTS),
        (JSON_RESULTS, JSON_RESULTS),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values;q=0.9, text/csv;q=0.1", "text/tab-separated-values"),
    ],
)
def test_a_lookup_by_get_is_answered_by_the_fast_path_as_flask_would(
    app: Flask, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    whole, flask_only, answered = both(app, "GET", query_string={"query": LOOKUP}, headers=headers)
    assert answered
    same_answer(whole, flask_only)
    assert whole.status_code == 200
    assert whole.mimetype == media_type
    assert whole.headers["ETag"] and whole.headers["Vary"] == "Accept"


def test_a_lookup_by_post_form_is_answered_by_the_fast_path_as_flask_would(app: Flask) -> None:
    whole, flask_only, answered = both(
        app,
        "POST",
        data=urlencode({"query": INCOMING}),
        headers={"Content-Type": FORM, "Accept": JSON_RESULTS},
    )
    assert answered
    same_answer(whole, flask_only)
    assert "ETag" not in whole.headers  # a POST is not cached


def test_the_row_cap_is_kept_and_signalled(app: Flask) -> None:
    whole, flask_only, answered = both(app, "GET", query_string={"query": LOOKUP})
    assert answered
    same_answer(whole, flask_only)
    assert len(rows(whole)) == 4
    assert whole.headers["X-SPARQL-MaxRows"] == "4"
    assert json.loads(whole.data)["truncated"] is True


def test_the_answer_is_the_store_s_answer(app: Flask) -> None:
    whole, _, answered = both(
        app,
        "GET",
        query_string={"query": f"SELECT ?o WHERE {{ <{WANG}> rdfs:label ?o }}"},
    )
    assert answered
    labels = {row["o"]["value"] for row in rows(whole)}
    assert "Wang Wentao" in labels


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        # another parameter: the view reads it
        ("GET", {"query_string": {"query": LOOKUP, "format": "json"}}),
        ("GET", {"query_string": {"query": LOOKUP, "timeout": "5"}}),
        ("GET", {"query_string": [("query", LOOKUP), ("query", LOOKUP)]}),
        # not a lookup
        ("GET", {"query_string": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}}),
        # conditional and cross-origin requests
        ("GET", {"query_string": {"query": LOOKUP}, "headers": {"If-None-Match": '"x"'}}),
        ("GET", {"query_string": {"query": LOOKUP}, "headers": {"Origin": "https://a.example"}}),
        # a body the view must judge
        ("POST", {"data": LOOKUP, "headers": {"Content-Type": "application/sparql-query"}}),
        ("POST", {"data": urlencode({"query": LOOKUP}), "headers": {"Content-Type": "text/plain"}}),
        (
            "POST",
            {
                "data": urlencode({"query": LOOKUP}),
                "headers": {"Content-Type": FORM},
                "query_string": {"default-graph-uri": "https://w3id.org/cakg/id/graph/gazetteer"},
            },
        ),
        # errors: the view answers them with their status
        ("GET", {"query_string": {"query": "SELECT ?p ?o WHERE { <x:a> ?p ?o } LIMIT 1 0"}}),
        ("GET", {"query_string": {"query": LOOKUP}, "headers": {"Accept": "image/png"}}),
        ("GET", {"query_string": {"update": "CLEAR ALL"}}),
        ("PUT", {"query_string": {"query": LOOKUP}}),
    ],
)
def test_other_requests_go_to_flask_unchanged(
    app: Flask, method: str, kwargs: dict[str, Any]
) -> None:
    whole, flask_only, answered = both(app, method, **kwargs)
    assert not answered
    assert whole.status_code == flask_only.status_code
    if whole.status_code == 200:
        same_answer(whole, flask_only)


def test_a_post_the_fast_path_declines_still_reaches_flask_with_its_body(app: Flask) -> None:
    whole, _, answered = both(
        app,
        "POST",
        data=urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}),
        headers={"Content-Type": FORM},
    )
    assert not answered
    assert whole.status_code == 200
    assert int(rows(whole)[0]["n"]["value"]) > 1000


def test_a_body_over_the_limit_is_refused_by_flask(seed_instance: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "CAKG_INSTANCE": str(seed_instance),
            "CAKG_ACCESS_LOG": False,
            "CAKG_QUERY_PROCESSES": 1,
            "CAKG_MAX_BODY": 100,
        }
    )
    try:
        padded = LOOKUP + " " * 200
        response = Client(app).post(
            "/sparql", data=urlencode({"query": padded}), headers={"Content-Type": FORM}
        )
        assert response.status_code == 413
        assert fast_path(app).answered == 0
    finally:
        app.extensions["cakg.engine"].close()


def test_lookups_answered_in_front_of_flask_are_logged_like_the_others(
    seed_instance: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "CAKG_INSTANCE": str(seed_instance),
            "CAKG_ACCESS_LOG": True,
            "CAKG_QUERY_PROCESSES": 1,
        }
    )
    logger = logging.getLogger("cakg.access")
    logger.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="cakg.access"):
            Client(app).get("/sparql", query_string={"query": LOOKUP})
            Client(fast_path(app).wsgi_app).get("/sparql", query_string={"query": LOOKUP})
        fast, slow = (json.loads(r.getMessage()) for r in caplog.records[-2:])
        assert fast_path(app).answered == 1
        different = {"time", "ms", "query_ms"}
        assert {k: v for k, v in fast.items() if k not in different} == {
            k: v for k, v in slow.items() if k not in different
        }
        assert fast["op"] == "query" and fast["rows"] > 0 and fast["status"] == 200
    finally:
        logger.propagate = False
        app.extensions["cakg.engine"].close()
