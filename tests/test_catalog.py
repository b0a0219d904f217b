"""The catalogue of competency questions: the documented ``.rq`` files of ``cakg.queries``."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from cakg.errors import QueryError
from cakg.graph.catalog import (
    CatalogQuery,
    get_query,
    list_queries,
    parse_header,
    parse_query,
    query_form,
)
from cakg.graph.namespaces import PREFIXES

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


def test_parse_header() -> None:
    header = parse_header(SAMPLE)
    assert header["summary"] == "Who signed the upgrade protocol?"
    assert header["description"] == (
        "Lists the signatories of the CAFTA 3.0 upgrade protocol and whom they signed for."
    )
    assert header["tags"] == ["agreements", "people"]
    assert header["method"] == "GET"
    query = parse_query("q", SAMPLE)
    assert query.tags == ("agreements", "people")
    assert query.title == "Who signed the upgrade protocol?"


def test_header_stops_at_the_query() -> None:
    header = parse_header("#+ summary: A\nSELECT * { ?s ?p ?o }\n#+ description: not header\n")
    assert header == {"summary": "A"}


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX a: <http://a#>\nSELECT * { ?s ?p ?o }", "SELECT"),
        ("# SELECT in a comment\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("BASE <http://x/>\nASK { ?s ?p ?o }", "ASK"),
        ("describe <http://x>", "DESCRIBE"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form


def test_packaged_queries_are_documented_and_reachable() -> None:
    queries = list_queries()
    names = [q.name for q in queries]
    assert names == sorted(names)
    for query in queries:
        assert query.summary, f"queries/{query.name}.rq needs a '#+ summary:' line"
        assert get_query(query.name) == query
    with pytest.raises(QueryError, match="No competency question named 'no-such-query'"):
        get_query("no-such-query")


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_packaged_query_parses(query: CatalogQuery) -> None:
    try:
        ox.Store().query(query.text, prefixes=PREFIXES)
    except SyntaxError as exc:  # pragma: no cover - the message names the file
        pytest.fail(f"queries/{query.name}.rq does not parse: {exc}")
