"""The competency questions in queries/: each parses, is documented, and gives its exact answer on the seed graph."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from cakg.graph.build import Build
from cakg.graph.catalog import get_query, list_queries
from cakg.graph.namespaces import DATA_BASE, PREFIXES
from cakg.graph.store import LocalStore, open_build_store

S000 = "000_28ddfdb37133726e"
S003 = "003_d1853fc3ef21e3a4"
S004 = "004_05edaf1031469346"


@pytest.fixture(scope="module")
def store(seed_build: Build) -> Iterator[LocalStore]:
    yield open_build_store(seed_build.store_path)


def run(store: LocalStore, name: str) -> list[dict[str, str]]:
    """Return the rows of a named query, terms shortened (``id:``/``cakg:`` prefixes)."""
    return [{k: short(v) for k, v in row.items()} for row in store.select(get_query(name).text)]


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    value = term.value
    if isinstance(term, ox.NamedNode):
        if value.startswith(DATA_BASE):
            return value[len(DATA_BASE) :]
        for prefix in ("cakg", "cur", "unit"):
            if value.startswith(PREFIXES[prefix]):
                return f"{prefix}:{value[len(PREFIXES[prefix]) :]}"
    return value


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_every_query_parses_and_is_documented(query: object) -> None:
    q = get_query(query.name)  # type: ignore[attr-defined]
    assert q.summary and q.description, (
        f"{q.name}.rq needs '#+ summary:' and '#+ description:' lines"
    )
    ox.Store().query(q.text, prefixes=PREFIXES)


def test_there_is_a_question_for_each_topic() -> None:
    names = {q.name for q in list_queries()}
    assert {
        "versions_milestones",
        "coverage_areas",
        "protocol_signing",
        "officials_posts",
        "statements",
        "trade_figures",
        "conflicting_claims",
        "fact_evidence",
        "timeline",
        "cooperation_mechanisms",
    } <= names


def test_versions_and_their_milestones(store: LocalStore) -> None:
    rows = {
        (r["versionLabel"], r["type"], r.get("date", ""), r.get("status", ""), r["source"])
        for r in run(store, "versions_milestones")
    }
    assert rows == {
        ("1.0", "cakg:FullImplementation", "2010", "cakg:Occurred", f"source/{S003}"),
        ("2.0", "cakg:Upgrade", "2015", "cakg:Occurred", f"source/{S003}"),
        ("2.0", "cakg:EntryIntoForce", "2019", "cakg:Occurred", f"source/{S004}"),
        ("3.0", "cakg:NegotiationLaunch", "2022-11", "cakg:Occurred", f"source/{S003}"),
        ("3.0", "cakg:SubstantialConclusion", "2024-10", "cakg:Occurred", f"source/{S000}"),
        ("3.0", "cakg:Conclusion", "2025-05", "cakg:Occurred", f"source/{S003}"),
        ("3.0", "cakg:Signing", "2025", "cakg:Planned", f"source/{S000}"),
        ("3.0", "cakg:Signing", "2025-10-28", "cakg:Occurred", f"source/{S003}"),
        ("3.0", "cakg:Ratification", "", "cakg:Planned", f"source/{S003}"),
        ("3.0", "cakg:EntryIntoForce", "", "cakg:Planned", f"source/{S003}"),
    }


def test_areas_3_0_covers(store: LocalStore) -> None:
    rows = {(r["label"], r["sources"]) for r in run(store, "coverage_areas")}
    assert rows == {
        ("Digital Economy", "2"),
        ("Green Economy", "2"),
        ("Supply Chain Connectivity", "2"),
        ("Standards, Technical Regulations and Conformity Assessment Procedures", "1"),
        ("Sanitary and Phytosanitary Measures", "1"),
        ("Customs Procedures and Trade Facilitation", "1"),
        ("Competition and Consumer Protection", "1"),
        ("Micro, Small and Medium-sized Enterprises", "1"),
        ("Economic and Technical Cooperation", "1"),
    }


def test_who_signed_the_3_0_protocol_for_whom_where_when_and_who_witnessed(
    store: LocalStore,
) -> None:
    rows = {
        (
            r["name"],
            r["role"],
            r.get("onBehalfOf", ""),
            r.get("place", ""),
            r.get("date", ""),
            r["source"],
        )
        for r in run(store, "protocol_signing")
        if r["source"] == f"source/{S003}"
    }
    where, when, src = "place/kuala-lumpur", "2025-10-28", f"source/{S003}"
    assert rows == {
        ("Wang Wentao", "cakg:Signatory", "country/china", where, when, src),
        ("Tengku Zafrul Aziz", "cakg:Signatory", "org/asean", where, when, src),
        ("China", "cakg:Party", "", where, when, src),
        ("ASEAN", "cakg:Party", "", where, when, src),
        ("Li Qiang", "cakg:Witness", "", where, when, src),
        ("Anwar Ibrahim", "cakg:Witness", "", where, when, src),
        ("ASEAN", "cakg:Witness", "", where, when, src),
    }


def test_officials_posts_per_source(store: LocalStore) -> None:
    rows = {
        (r["name"], r["role"], r["organisation"], r["source"].rsplit("/", 1)[1])
        for r in run(store, "officials_posts")
    }
    assert rows == {
        ("Liang Jianjun", "deputy head", "org/mfa-china/department-of-asian-affairs", S000),
        ("Wang Wentao", "minister", "org/mofcom", S003),
        ("Tengku Zafrul Aziz", "minister", "org/miti-malaysia", S003),
        ("Li Qiang", "premier", "org/state-council", S003),
        ("Anwar Ibrahim", "prime minister", "org/government-of-malaysia", S003),
        ("Xi Jinping", "president", "country/china", S003),
        ("Li Chenggang", "assistant minister", "org/mofcom", S004),
    }


def test_what_each_official_said_and_where(store: LocalStore) -> None:
    rows = run(store, "statements")
    quoted = {(r["name"], r["text"]) for r in rows if r["kind"] == "cakg:QuotedStatement"}
    assert quoted == {
        ("Liang Jianjun", "Good news and big news will soon come"),
        (
            "Liang Jianjun",
            "Markets and opportunities abound in China. We hope to share development opportunities with all "
            "countries, including our neighbors, to achieve mutual benefit and win-win results",
        ),
        ("Liang Jianjun", "We have sufficient patience, resolve, resources and measures"),
        ("Liang Jianjun", "We will continue to communicate, but will never accept any extortion"),
        ("Liang Jianjun", "Nor will we accept the behavior of saying one thing and doing another"),
    }
    assert {r["place"] for r in rows if r["name"] == "Liang Jianjun"} == {"place/beijing"}
    assert {r["event"] for r in rows if r["name"] == "Li Chenggang"} == {
        "event/2020-09-27/press-conference-scio"
    }
    reported = [r for r in rows if r["kind"] == "cakg:ReportedStatement"]
    assert len(reported) == 9
    assert {r["name"] for r in reported} == {"Liang Jianjun", "Li Chenggang"}


def test_trade_and_investment_figures(store: LocalStore) -> None:
    rows = {
        (
            r["indicator"],
            r["refArea"],
            r["counterpart"],
            r["periodStart"],
            r["periodEnd"],
            r.get("value", ""),
            r["unit"],
            r.get("multiplier", ""),
            r.get("change", ""),
            r.get("share", ""),
        )
        for r in run(store, "trade_figures")
    }
    china, asean = "country/china", "org/asean"
    assert rows == {
        (
            "cakg:TradeValue",
            china,
            asean,
            "2024-01-01",
            "2024-12-31",
            "6.99",
            "cur:CNY",
            "12",
            "9",
            "15.9",
        ),
        (
            "cakg:TradeValue",
            china,
            asean,
            "2024-01-01",
            "2024-12-31",
            "968",
            "cur:USD",
            "9",
            "9",
            "15.9",
        ),
        (
            "cakg:TradeValue",
            china,
            asean,
            "2020-01-01",
            "2020-08-31",
            "416.55",
            "cur:USD",
            "9",
            "3.8",
            "14.6",
        ),
        (
            "cakg:OutwardInvestment",
            china,
            asean,
            "2020-01-01",
            "2020-06-30",
            "6.23",
            "cur:USD",
            "9",
            "53.1",
            "76.7",
        ),
        (
            "cakg:OutwardInvestment",
            asean,
            china,
            "2020-01-01",
            "2020-06-30",
            "",
            "unit:PERCENT",
            "",
            "5.9",
            "",
        ),
    }


def test_claims_on_which_sources_differ(store: LocalStore) -> None:
    rows = run(store, "conflicting_claims")
    assert [(r["event"], r["date1"], r["source1"], r["date2"], r["source2"]) for r in rows] == [
        ("event/cafta-v3/conclusion", "2024-10", f"source/{S000}", "2025-05", f"source/{S003}")
    ]


def test_source_sentence_of_any_fact(store: LocalStore) -> None:
    rows = run(store, "fact_evidence")
    signing_place = [
        r
        for r in rows
        if r["subject"] == "event/cafta-3-upgrade-protocol/signing"
        and r["object"] == "place/kuala-lumpur"
    ]
    assert len(signing_place) == 1
    row = signing_place[0]
    assert row["source"] == f"source/{S003}" and row["published"] == "2025-10-28"
    assert row["sentence"].startswith("On October 28, Minister of Commerce Wang Wentao")
    assert (row["begin"], row["end"]) == ("0", str(len(row["sentence"])))
    assert all(int(r["begin"]) < int(r["end"]) for r in rows)


def test_timeline_of_all_events(store: LocalStore) -> None:
    rows = run(store, "timeline")
    dated = [r["date"] for r in rows if "date" in r]
    assert dated == sorted(
        dated, key=lambda d: d[:4] + d[5:7].ljust(2, "0") + d[8:10].ljust(2, "0")
    )
    assert dated[0] == "2002" and dated[-1] == "2025-10-28"
    kinds = {r["type"] for r in rows}
    assert {
        "cakg:PressConference",
        "cakg:Signing",
        "cakg:Summit",
        "cakg:PlenarySession",
        "cakg:Talks",
        "cakg:Anniversary",
    } <= kinds
    assert len({r["event"] for r in rows}) == 15


def test_sub_regional_cooperation_mechanisms(store: LocalStore) -> None:
    rows = run(store, "cooperation_mechanisms")
    assert {r["label"] for r in rows} == {
        "Lancang-Mekong Cooperation",
        "Greater Mekong Subregion",
        "China–ASEAN East Growth Area",
        "China–Indochina Peninsula Economic Corridor",
        "Belt and Road Initiative",
    }
    lancang = next(r for r in rows if r["label"] == "Lancang-Mekong Cooperation")
    assert lancang["wordsUsed"] == "Lancang River, Mekong River"
    assert "sub-regional cooperation" in lancang["sentence"]


def test_the_default_graph_is_the_union_of_the_named_graphs_as_a_set(store: LocalStore) -> None:
    # Sources 000 and 003 both state that version 3.0 covers the digital economy.
    triple = "<https://w3id.org/cakg/id/agreement/cafta/v3> cakg:coversArea <https://w3id.org/cakg/id/area/digital-economy>"
    in_graphs = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {triple} }} }}")
    in_default = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {triple} }}")
    assert int(in_graphs[0]["n"].value) == 2
    assert int(in_default[0]["n"].value) == 1
