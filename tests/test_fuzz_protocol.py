"""Property-based fuzzing of the protocol handler: random requests never get a 5xx.

Methods, paths, parameters, headers and bodies are drawn at random (with SPARQL fragments
so that many requests parse and run); whatever comes in, the answer is a 2xx-4xx, and every
error has the canonical JSON shape.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from cakg.errors import QueryError
from cakg.graph.sparql import (
    OperationRefused,
    apply_using,
    check_query,
    check_update,
    has_dataset_clause,
    keywords,
)
from cakg.web.app import create_app
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import servers

FRAGMENTS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "*",
    "WHERE",
    "{",
    "}",
    "?s",
    "?p",
    "?o",
    ".",
    "GRAPH ?g",
    "FROM <https://w3id.org/cakg/id/graph/src-a>",
    "FROM NAMED <x>",
    "SERVICE <http://127.0.0.1:9/>",
    "LOAD <http://127.0.0.1:9/x>",
    "INSERT DATA",
    "DELETE",
    "USING <http://g>",
    "WITH <http://g>",
    "LIMIT 3",
    "OFFSET 1",
    "ORDER BY ?s",
    "FILTER(?o > 1)",
    "rdfs:label",
    "a cakg:Event",
    '"text"@en',
    "'''long'''",
    "# comment\n",
    "<https://w3id.org/cakg/id/org/asean>",
    "PREFIX ex: <http://example.org/>",
    "BIND(1 AS ?x)",
    "VALUES ?x { 1 2 }",
    "OPTIONAL",
    "UNION",
    "COUNT(*)",
    "(",
    ")",
    "\\",
    "\x00",
    "é中",
]

sparql_text = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=14).map(" ".join),
    st.text(max_size=60),
)
iris = st.one_of(
    st.sampled_from(
        [servers.SRC_A, servers.SRC_B, servers.GAZETTEER, "http://nowhere.example/g", "x"]
    ),
    st.text(max_size=20),
)
accepts = st.one_of(
    st.sampled_from(
        [
            "*/*",
            "application/sparql-results+json,*/*;q=0.9",
            "application/n-triples,*/*;q=0.9",
            "text/csv",
            "text/turtle;q=0.5, application/ld+json",
            "image/png",
            "text/html",
            "application/*;q=0",
            ";;;",
        ]
    ),
    st.text(max_size=30),
)
content_types = st.one_of(
    st.sampled_from(
        [
            "application/sparql-query",
            "application/sparql-update",
            "application/x-www-form-urlencoded",
            "application/sparql-query; charset=utf-16",
            "text/turtle",
            "multipart/form-data; boundary=x",
            "text/plain",
        ]
    ),
    st.text(max_size=30),
)
params = st.dictionaries(
    st.sampled_from(
        [
            "query",
            "update",
            "default-graph-uri",
            "named-graph-uri",
            "using-graph-uri",
            "using-named-graph-uri",
            "format",
            "output",
            "timeout",
            "graph",
            "default",
        ]
    ),
    st.one_of(sparql_text, iris, st.sampled_from(["json", "csv", "turtle", "0", "-1", "nan"])),
    max_size=4,
)
bodies = st.one_of(
    sparql_text.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=80),
    params.map(lambda p: "&".join(f"{k}={v}" for k, v in p.items()).encode("utf-8")),
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("fuzz")
    servers.build_sample(instance)
    app = create_app(
        {
            "TESTING": True,
            "CAKG_INSTANCE": str(instance),
            "CAKG_ACCESS_LOG": False,
            "CAKG_QUERY_PROCESSES": 2,
            "CAKG_QUERY_TIMEOUT": 20,
            "CAKG_MAX_ROWS": 50,
        }
    )
    yield app
    app.extensions["cakg.engine"].close()


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "QUERY"]),
    path=st.sampled_from(["/sparql", "/store", "/health"]),
    query_string=params,
    accept=st.one_of(st.none(), accepts),
    content_type=st.one_of(st.none(), content_types),
    authorization=st.one_of(st.none(), st.sampled_from(["Bearer x", "Basic Zm9v", ""])),
    body=st.one_of(st.none(), bodies),
)
def test_no_request_gets_a_5xx(
    app: Flask,
    method: str,
    path: str,
    query_string: dict[str, str],
    accept: str | None,
    content_type: str | None,
    authorization: str | None,
    body: bytes | None,
) -> None:
    headers = {}
    for name, value in (
        ("Accept", accept),
        ("Content-Type", content_type),
        ("Authorization", authorization),
    ):
        if value is not None and "\n" not in value and "\r" not in value and "\x00" not in value:
            headers[name] = value
    response = app.test_client().open(
        path, method=method, query_string=query_string, headers=headers, data=body
    )
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True))
    if response.status_code >= 400 and method != "HEAD" and response.mimetype == "application/json":
        error = json.loads(response.get_data(as_text=True))["error"]
        assert error["status"] == response.status_code
        assert error["message"]


@settings(max_examples=300, deadline=None, database=None)
@given(
    text=st.one_of(st.text(max_size=200), st.from_regex(r"(\\[uU][0-9A-Fa-f]{4,8}|[A-Z {}<>])*")),
    using=st.lists(st.sampled_from(["http://g", "http://h"])),
)
def test_text_checks_never_crash(text: str, using: list[str]) -> None:
    keywords(text)
    has_dataset_clause(text)
    with contextlib.suppress(OperationRefused):
        check_query(text)
        check_update(text)
    try:
        rewritten = apply_using(text, using, [])
    except QueryError:
        return
    clause = " ".join(f"USING <{g}>" for g in using)
    # The rewrite only inserts whole clauses (before a WHERE); nothing else changes.
    assert rewritten == text if not using else rewritten.replace(clause + " ", "") == text
