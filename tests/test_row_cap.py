"""The row cap, applied by the query's own LIMIT and Oxigraph's writers.

A SELECT is answered with a top-level ``LIMIT`` of the cap plus one
(:func:`cakg.graph.sparql.cap_select`) and written by pyoxigraph; the rows are counted in
the bytes. Whatever the query, format and cap, the answer must be the one the row-by-row
writer gives for the query as the client wrote it.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from cakg.graph.engine import Outcome, Query
from cakg.graph.formats import by_key
from cakg.graph.namespaces import PREFIXES
from cakg.graph.query_worker import handle
from cakg.graph.results import count_rows, serialise_solutions
from cakg.graph.sparql import cap_select
from hypothesis import example, given, settings
from hypothesis import strategies as st

QUERIES = [
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label",
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY DESC(?label) LIMIT 7",
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label OFFSET 3",
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label LIMIT 500 OFFSET 2",
    "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(*) > 2) ORDER BY ?s",
    "SELECT ?s (EXISTS { ?s a ?t } AS ?typed) WHERE { ?s rdfs:label ?l } ORDER BY ?s ?typed",
    "SELECT ?s ?n WHERE { { SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s "
    "ORDER BY ?s LIMIT 4 } } ORDER BY ?s",
    "SELECT ?s ?o WHERE { ?s rdfs:label ?o } ORDER BY ?s ?o VALUES ?o { 'ASEAN'@en 'China'@en }",
    'SELECT ?s WHERE { ?s ?p "LIMIT 3 }" } # a comment with LIMIT 2 and no line end',
    "PREFIX x: <http://example.org/> SELECT * WHERE { ?s ?p ?o FILTER(?p != x:LIMIT) } "
    "ORDER BY ?s ?p ?o LIMIT 25",
    "SELECT ?s ?o WHERE { ?s rdfs:label ?o FILTER(CONTAINS(?o, '}},{')) }",
    "SELECT * WHERE { } ",
    "SELECT ?nothing WHERE { ?s ?p ?o FILTER(false) }",
]
FORMATS = ["json", "xml", "tsv", "csv"]


@pytest.fixture(scope="module")
def store(seed_build: object) -> ox.Store:
    return ox.Store.read_only(str(seed_build.store_path))  # type: ignore[attr-defined]


def job(text: str, fmt: str, max_rows: int) -> Query:
    return Query(
        text=text,
        base_iri="http://localhost/sparql",
        default_graphs=None,
        named_graphs=None,
        union=True,
        max_rows=max_rows,
        results_format=fmt,
        results_error="",
        graph_format="turtle",
        graph_error="",
    )


def row_by_row(store: ox.Store, text: str, fmt: str, max_rows: int) -> tuple[bytes, int, bool]:
    result = store.query(text, prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    out = serialise_solutions(result, by_key(fmt), max_rows=max_rows)
    return out.body, out.rows, out.truncated


def answered(store: ox.Store, text: str, fmt: str, max_rows: int) -> tuple[bytes, int, bool]:
    status, outcome = handle(store, job(text, fmt, max_rows))
    assert status == "ok", outcome
    assert isinstance(outcome, Outcome)
    return outcome.body, outcome.rows, outcome.truncated


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("max_rows", [0, 1, 3, 10_000])
def test_a_capped_answer_is_the_row_by_row_answer(
    store: ox.Store, text: str, fmt: str, max_rows: int
) -> None:
    assert answered(store, text, fmt, max_rows) == row_by_row(store, text, fmt, max_rows)


@pytest.mark.parametrize("text", QUERIES)
def test_every_capped_query_parses(store: ox.Store, text: str) -> None:
    capped = cap_select(text, 4)
    assert capped is not None
    assert isinstance(store.query(capped, prefixes=PREFIXES), ox.QuerySolutions)


def test_a_result_over_the_cap_says_so(store: ox.Store) -> None:
    body, rows, truncated = answered(store, QUERIES[0], "json", 3)
    assert (rows, truncated) == (3, True)
    assert b'"truncated":true' in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o }\nLIMIT 4\n"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 2", "SELECT * WHERE { ?s ?p ?o } LIMIT 2"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 40", "SELECT * WHERE { ?s ?p ?o } LIMIT 4"),
        ("select * { ?s ?p ?o } limit 40 offset 1", "select * { ?s ?p ?o } limit 4 offset 1"),
        # a LIMIT inside a subquery or a string is not the query's
        (
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 9 } }",
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 9 } }\nLIMIT 4\n",
        ),
        ("SELECT * { ?s ?p 'LIMIT 9' }", "SELECT * { ?s ?p 'LIMIT 9' }\nLIMIT 4\n"),
        # a comment on the last line cannot swallow the LIMIT
        ("SELECT * { ?s ?p ?o } # LIMIT", "SELECT * { ?s ?p ?o } # LIMIT\nLIMIT 4\n"),
    ],
)
def test_cap_select_rewrites_only_the_top_level_limit(text: str, expected: str) -> None:
    assert cap_select(text, 4) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ASK { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DESCRIBE <x:a>",
        "SELECT * { ?s ?p ?o } \\u004CIMIT 3",
        "SELECT * { ?s ?p ?o",
    ],
)
def test_cap_select_declines_what_it_cannot_cap(text: str) -> None:
    assert cap_select(text, 4) is None


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=["Cs", "Cc"])
            | st.sampled_from("\n\t\r\"'<>{},[]:\\"),
            max_size=12,
        ),
        max_size=6,
    ),
    fmt=st.sampled_from(["json", "xml", "tsv"]),
    bound=st.booleans(),
)
@example(values=[",{", "[{", "a,{", '",{"', "[{", ",{"], fmt="json", bound=True)
@example(values=[",{}", "[{}", "x"], fmt="json", bound=True)
def test_rows_are_counted_in_the_bytes_whatever_the_literals(
    values: list[str], fmt: str, bound: bool
) -> None:
    memory = ox.Store()
    for i, value in enumerate(values):
        # plain, language-tagged and typed literals: a value may be followed by "," or "}"
        literal = (
            ox.Literal(value)
            if i % 3 == 0
            else ox.Literal(value, language="en")
            if i % 3 == 1
            else ox.Literal(value, datatype=ox.NamedNode("x:type"))
        )
        memory.add(ox.Quad(ox.NamedNode(f"x:s{i}"), ox.NamedNode("x:p"), literal))
    # ?o unbound: rows with no bound variable at all ({} in JSON) must count too.
    projection = "?s ?o ?unbound" if bound else "?unbound"
    result = memory.query(f"SELECT {projection} WHERE {{ ?s ?p ?o }}")
    assert isinstance(result, ox.QuerySolutions)
    results_format = by_key(fmt).results_format
    assert results_format is not None
    body = result.serialize(format=results_format) or b""
    assert count_rows(body, results_format) == len(values)
