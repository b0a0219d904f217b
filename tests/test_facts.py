"""Every fact the seed sources state is in the graph, traceable to the sentence stating it.

One test per fact of the seed sources' reading (what a careful reader of each article
finds), each checked through SPARQL against the built store. ``_stated`` asks that the
fact sits in the source's named graph and that a reified statement of it points at a
sentence of that source whose text contains the given words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from cakg.graph.build import Build
from cakg.graph.store import LocalStore, open_build_store

S000 = "000_28ddfdb37133726e"
S003 = "003_d1853fc3ef21e3a4"
S004 = "004_05edaf1031469346"


@pytest.fixture(scope="module")
def store(seed_build: Build) -> Iterator[LocalStore]:
    yield open_build_store(seed_build.store_path)


def iris(sparql: str) -> str:
    """Write ``id:kind/slug`` (not a valid prefixed name: it has slashes) as a full IRI."""
    return re.sub(r"\bid:([\w/.-]+)", r"<https://w3id.org/cakg/id/\1>", sparql)


def ask(store: LocalStore, body: str) -> bool:
    rows = store.select(iris(f"SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}"))
    return int(rows[0]["n"].value) > 0


def stated(store: LocalStore, source: str, triple: str, words: str) -> bool:
    """Return whether ``source`` states ``triple`` (?s ?p ?o bound inside) in a sentence containing ``words``."""
    return ask(
        store,
        f"""
        GRAPH id:graph/{source} {{
          {triple}
          ?statement_ rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; cakg:evidence ?span_ .
          ?span_ a nif:Sentence ; nif:anchorOf ?sentence_ .
          FILTER(CONTAINS(LCASE(?sentence_), LCASE({_lit(words)})))
        }}
        """,
    )


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ------------------------------------------------------------------ 000 (China Daily, 2025-05-20)


def test_000_news_conference_in_beijing_on_tuesday_with_speaker_liang(store: LocalStore) -> None:
    assert stated(
        store,
        S000,
        "BIND(cakg:date AS ?p) ?s sem:eventType cakg:PressConference ; ?p ?o ; sem:hasPlace id:place/beijing . "
        'FILTER(?o = "2025-05-20"^^xsd:date)',
        "news conference in Beijing",
    )
    assert stated(
        store,
        S000,
        "BIND(cakg:participant AS ?p) ?e sem:eventType cakg:PressConference ; cakg:participation ?s . "
        "?s ?p ?o ; sem:roleType cakg:Speaker . FILTER(?o = id:person/liang-jianjun)",
        "Liang",
    )


def test_000_date_of_the_conference_keeps_the_words_and_precision(store: LocalStore) -> None:
    assert ask(
        store,
        "GRAPH id:graph/000_28ddfdb37133726e { ?e sem:eventType cakg:PressConference ; "
        "cakg:datePrecision cakg:DayPrecision ; cakg:earliestDate ?d . "
        'FILTER(?d = "2025-05-20"^^xsd:date) }',
    )


def test_000_liang_is_deputy_head_of_asian_affairs_under_the_foreign_ministry(
    store: LocalStore,
) -> None:
    assert stated(
        store,
        S000,
        "BIND(org:organization AS ?p) ?s org:member id:person/liang-jianjun ; org:role ?r ; ?p ?o . "
        '?r rdfs:label "deputy head"@en . ?o org:unitOf id:org/mfa-china ; rdfs:label ?l . '
        'FILTER(CONTAINS(?l, "Department of Asian Affairs"))',
        "deputy head of the Department of Asian Affairs under the Ministry of Foreign Affairs",
    )
    assert ask(store, "id:org/mfa-china cakg:country id:country/china .")


@pytest.mark.parametrize(
    "words",
    [
        "Good news and big news will soon come",
        "Markets and opportunities abound in China. We hope to share development opportunities with "
        "all countries, including our neighbors, to achieve mutual benefit and win-win results",
        "We have sufficient patience, resolve, resources and measures",
        "We will continue to communicate, but will never accept any extortion",
        "Nor will we accept the behavior of saying one thing and doing another",
    ],
)
def test_000_five_quotes_by_liang_with_exact_words(store: LocalStore, words: str) -> None:
    assert stated(
        store,
        S000,
        f"BIND(schema:text AS ?p) ?s a cakg:QuotedStatement ; cakg:speaker id:person/liang-jianjun ; ?p ?o . "
        f"FILTER(STR(?o) = {_lit(words)})",
        words[:30],
    )


def test_000_quote_span_offsets_select_the_exact_words(store: LocalStore) -> None:
    rows = store.select(
        iris("""SELECT ?text ?b ?e ?doc WHERE { GRAPH id:graph/000_28ddfdb37133726e {
             ?q a cakg:QuotedStatement ; schema:text ?text ; cakg:quoteSpan ?span .
             ?span nif:beginIndex ?b ; nif:endIndex ?e ; nif:referenceContext ?ctx .
             ?ctx nif:isString ?doc } }""")
    )
    assert len(rows) == 5
    for row in rows:
        doc = row["doc"].value
        assert doc[int(row["b"].value) : int(row["e"].value)] == row["text"].value


def test_000_negotiations_on_3_0_concluded_substantially_in_october_last_year(
    store: LocalStore,
) -> None:
    assert stated(
        store,
        S000,
        "BIND(cakg:date AS ?p) ?s sem:eventType cakg:SubstantialConclusion ; cakg:about id:agreement/cafta/v3 ; ?p ?o ; "
        'cakg:dateText "in October last year" ; cakg:eventStatus cakg:Occurred . FILTER(?o = "2024-10"^^xsd:gYearMonth)',
        "concluded substantially in October last year",
    )


def test_000_signing_of_the_3_0_protocol_this_year_is_planned(store: LocalStore) -> None:
    assert stated(
        store,
        S000,
        "BIND(cakg:eventStatus AS ?p) ?s sem:eventType cakg:Signing ; cakg:about id:instrument/cafta-3-upgrade-protocol ; "
        '?p ?o ; cakg:date "2025"^^xsd:gYear . FILTER(?o = cakg:Planned)',
        "working toward the signing",
    )


def test_000_upgraded_fta_covers_areas_according_to_mofcom(store: LocalStore) -> None:
    for area in ("digital-economy", "green-economy", "supply-chain-connectivity"):
        assert stated(
            store,
            S000,
            f"BIND(id:agreement/cafta/v3 AS ?s) BIND(cakg:coversArea AS ?p) BIND(id:area/{area} AS ?o) ?s ?p ?o .",
            "will cover nine areas",
        )
    assert ask(
        store,
        "GRAPH id:graph/000_28ddfdb37133726e { ?st rdf:predicate cakg:coversArea ; cakg:accordingTo id:org/mofcom }",
    )


def test_000_asean_is_chinas_largest_trading_partner(store: LocalStore) -> None:
    assert stated(
        store,
        S000,
        "BIND(sdmx-measure:obsValue AS ?p) ?s cakg:indicator cakg:TradingPartnerRank ; sdmx-dimension:refArea id:country/china ; "
        "cakg:counterpartArea id:org/asean ; ?p ?o . FILTER(?o = 1)",
        "ASEAN is China's largest trading partner",
    )


@pytest.mark.parametrize(
    ("value", "unit", "mult"),
    [("6.99", "cur:CNY", 12), ("968", "cur:USD", 9)],
)
def test_000_bilateral_trade_2024_with_change_and_share(
    store: LocalStore, value: str, unit: str, mult: int
) -> None:
    assert stated(
        store,
        S000,
        f"BIND(sdmx-measure:obsValue AS ?p) ?s cakg:indicator cakg:TradeValue ; sdmx-dimension:refArea id:country/china ; "
        f"cakg:counterpartArea id:org/asean ; ?p ?o ; sdmx-attribute:unitMeasure {unit} ; sdmx-attribute:unitMult {mult} ; "
        "cakg:yearOnYearChange ?change ; cakg:shareOfTotal 15.9 ; sdmx-dimension:refPeriod ?period . "
        "?period time:hasBeginning/time:inXSDDate ?b ; time:hasEnd/time:inXSDDate ?e . "
        f'FILTER(?o = {value} && ?change = 9 && ?b = "2024-01-01"^^xsd:date && ?e = "2024-12-31"^^xsd:date)',
        "In 2024, bilateral trade increased by nine percent",
    )


def test_000_recent_trade_talks_between_china_and_the_united_states(store: LocalStore) -> None:
    assert stated(
        store,
        S000,
        "BIND(sem:eventType AS ?p) ?s ?p ?o ; sem:hasActor id:country/china , id:country/united-states . FILTER(?o = cakg:Talks)",
        "recent trade talks between China and the United States",
    )
    assert ask(
        store,
        "GRAPH id:graph/000_28ddfdb37133726e { ?st cakg:speaker id:person/liang-jianjun ; schema:about ?talks . "
        "?talks sem:eventType cakg:Talks }",
    )


# ------------------------------------------------------------------ 003 (MOFCOM, 2025-10-28)


def test_003_signing_in_kuala_lumpur_on_october_28(store: LocalStore) -> None:
    assert stated(
        store,
        S003,
        "BIND(cakg:date AS ?p) ?s sem:eventType cakg:Signing ; cakg:about id:instrument/cafta-3-upgrade-protocol ; ?p ?o ; "
        'sem:hasPlace id:place/kuala-lumpur ; cakg:eventStatus cakg:Occurred . FILTER(?o = "2025-10-28"^^xsd:date)',
        "On October 28",
    )


@pytest.mark.parametrize(
    ("person", "party"),
    [("wang-wentao", "country/china"), ("tengku-zafrul-aziz", "org/asean")],
)
def test_003_signatories_on_behalf_of_their_parties(
    store: LocalStore, person: str, party: str
) -> None:
    assert stated(
        store,
        S003,
        f"BIND(cakg:onBehalfOf AS ?p) ?e sem:eventType cakg:Signing ; cakg:participation ?s . "
        f"?s cakg:participant id:person/{person} ; sem:roleType cakg:Signatory ; ?p ?o . FILTER(?o = id:{party})",
        "signed on behalf of China and ASEAN, respectively",
    )


@pytest.mark.parametrize(
    ("person", "role", "org"),
    [
        ("wang-wentao", "minister", "mofcom"),
        ("tengku-zafrul-aziz", "minister", "miti-malaysia"),
        ("li-qiang", "premier", "state-council"),
        ("anwar-ibrahim", "prime minister", "government-of-malaysia"),
    ],
)
def test_003_posts_of_signatories_and_witnesses(
    store: LocalStore, person: str, role: str, org: str
) -> None:
    assert stated(
        store,
        S003,
        f"BIND(org:role AS ?p) ?s org:member id:person/{person} ; org:organization id:org/{org} ; ?p ?o . "
        f'?o rdfs:label "{role}"@en .',
        "",
    )


@pytest.mark.parametrize("witness", ["person/li-qiang", "person/anwar-ibrahim", "org/asean"])
def test_003_witnesses(store: LocalStore, witness: str) -> None:
    assert stated(
        store,
        S003,
        f"BIND(cakg:participant AS ?p) ?e sem:eventType cakg:Signing ; cakg:participation ?s . "
        f"?s ?p ?o ; sem:roleType cakg:Witness . FILTER(?o = id:{witness})",
        "jointly witnessed by",
    )


def test_003_signing_implements_summit_consensus_and_plenary_decisions(store: LocalStore) -> None:
    assert stated(
        store,
        S003,
        "BIND(cakg:implements AS ?p) ?s ?p ?o . ?o sem:eventType cakg:Summit ; sem:hasActor id:person/xi-jinping , id:org/asean .",
        "Special Summit to Commemorate the 30th Anniversary",
    )
    assert stated(
        store,
        S003,
        "BIND(cakg:implements AS ?p) ?s ?p ?o . ?o sem:eventType cakg:PlenarySession ; schema:organizer id:org/cpc-central-committee .",
        "fourth plenary session of the 20th Central Committee",
    )
    assert ask(store, 'id:person/xi-jinping ^org:member/org:role/rdfs:label "president"@en .')


@pytest.mark.parametrize(
    ("subject", "kind", "date", "words"),
    [
        (
            "cafta",
            "NegotiationLaunch",
            '"2002"^^xsd:gYear',
            "launched the free trade area construction process in 2002",
        ),
        ("cafta-v1", "FullImplementation", '"2010"^^xsd:gYear', "fully implemented in 2010"),
        ("cafta-v2", "Upgrade", '"2015"^^xsd:gYear', "upgraded to Version 2.0 in 2015"),
        (
            "cafta-v3",
            "NegotiationLaunch",
            '"2022-11"^^xsd:gYearMonth',
            "officially launched in November 2022",
        ),
        (
            "cafta-v3",
            "Conclusion",
            '"2025-05"^^xsd:gYearMonth',
            "negotiations were concluded in May 2025",
        ),
    ],
)
def test_003_history_of_the_free_trade_area(
    store: LocalStore, subject: str, kind: str, date: str, words: str
) -> None:
    about = {
        "cafta": "agreement/cafta",
        "cafta-v1": "agreement/cafta/v1",
        "cafta-v2": "agreement/cafta/v2",
        "cafta-v3": "agreement/cafta/v3",
    }[subject]
    assert stated(
        store,
        S003,
        f"BIND(cakg:date AS ?p) ?s sem:eventType cakg:{kind} ; cakg:about id:{about} ; ?p ?o ; cakg:eventStatus cakg:Occurred . FILTER(?o = {date})",
        words,
    )


def test_003_cafta_3_covers_nine_areas(store: LocalStore) -> None:
    rows = store.select(
        iris("""SELECT DISTINCT ?area WHERE { GRAPH id:graph/003_d1853fc3ef21e3a4 {
             id:agreement/cafta/v3 cakg:coversArea ?area .
             ?st rdf:subject id:agreement/cafta/v3 ; rdf:predicate cakg:coversArea ; rdf:object ?area ; cakg:evidence ?span .
             ?span nif:anchorOf ?sentence . FILTER(CONTAINS(?sentence, "covers nine areas")) } }""")
    )
    assert {r["area"].value.rsplit("/", 1)[1] for r in rows} == {
        "digital-economy",
        "green-economy",
        "supply-chain-connectivity",
        "standards-technical-regulations",
        "sanitary-phytosanitary",
        "customs-trade-facilitation",
        "competition-consumer-protection",
        "msme",
        "economic-technical-cooperation",
    }


@pytest.mark.parametrize("kind", ["Ratification", "EntryIntoForce"])
def test_003_ratification_and_entry_into_force_are_planned(store: LocalStore, kind: str) -> None:
    assert stated(
        store,
        S003,
        f"BIND(cakg:eventStatus AS ?p) ?s sem:eventType cakg:{kind} ; cakg:about id:instrument/cafta-3-upgrade-protocol ; ?p ?o . FILTER(?o = cakg:Planned)",
        "domestic ratification procedures",
    )


# ------------------------------------------------------------------ 004 (The Beijing News, 2020-09-27)


def test_004_scio_press_conference_today_september_27_with_li_chenggang(store: LocalStore) -> None:
    assert stated(
        store,
        S004,
        "BIND(cakg:date AS ?p) ?s sem:eventType cakg:PressConference ; ?p ?o ; schema:organizer id:org/scio ; "
        'cakg:dateText "today (September 27)" . FILTER(?o = "2020-09-27"^^xsd:date)',
        "held a press conference",
    )
    assert ask(
        store,
        "GRAPH id:graph/004_05edaf1031469346 { ?e sem:eventType cakg:PressConference ; cakg:participation ?p . "
        "?p cakg:participant id:person/li-chenggang ; sem:roleType cakg:Speaker }",
    )


def test_004_li_chenggang_is_assistant_minister_of_commerce(store: LocalStore) -> None:
    assert stated(
        store,
        S004,
        'BIND(org:role AS ?p) ?s org:member id:person/li-chenggang ; org:organization id:org/mofcom ; ?p ?o . ?o rdfs:label "assistant minister"@en .',
        "assistant Minister of Commerce",
    )
    assert ask(
        store, "GRAPH id:graph/004_05edaf1031469346 { id:person/li-chenggang cakg:extracted true }"
    )


def _statistic(store: LocalStore, source: str, where: str, words: str) -> bool:
    return stated(store, source, f"BIND(sdmx-measure:obsValue AS ?p) ?s ?p ?o ; {where}", words)


def test_004_trade_january_to_august(store: LocalStore) -> None:
    assert _statistic(
        store,
        S004,
        "cakg:indicator cakg:TradeValue ; sdmx-attribute:unitMeasure cur:USD ; sdmx-attribute:unitMult 9 ; "
        "cakg:yearOnYearChange 3.8 ; cakg:shareOfTotal 14.6 ; sdmx-dimension:refPeriod id:period/2020-01-01_2020-08-31 . FILTER(?o = 416.55)",
        "from January to August this year",
    )


def test_004_investment_in_asean_first_half(store: LocalStore) -> None:
    assert _statistic(
        store,
        S004,
        "cakg:indicator cakg:OutwardInvestment ; sdmx-dimension:refArea id:country/china ; cakg:counterpartArea id:org/asean ; "
        "sdmx-attribute:unitMeasure cur:USD ; sdmx-attribute:unitMult 9 ; cakg:yearOnYearChange 53.1 ; cakg:shareOfTotal 76.7 ; "
        "sdmx-dimension:refPeriod id:period/2020-01-01_2020-06-30 . FILTER(?o = 6.23)",
        "in the first half of this year",
    )


def test_004_asean_investment_in_china_up_5_9_percent(store: LocalStore) -> None:
    assert stated(
        store,
        S004,
        "BIND(cakg:yearOnYearChange AS ?p) ?s ?p ?o ; cakg:indicator cakg:OutwardInvestment ; sdmx-dimension:refArea id:org/asean ; "
        "cakg:counterpartArea id:country/china . FILTER(?o = 5.9 && NOT EXISTS { ?s sdmx-measure:obsValue ?v })",
        "foreign investment in China increased 5.9%",
    )


@pytest.mark.parametrize(
    ("holder", "partner"), [("country/china", "org/asean"), ("org/asean", "country/china")]
)
def test_004_each_others_largest_trading_partner(
    store: LocalStore, holder: str, partner: str
) -> None:
    assert _statistic(
        store,
        S004,
        f"cakg:indicator cakg:TradingPartnerRank ; sdmx-dimension:refArea id:{holder} ; cakg:counterpartArea id:{partner} . FILTER(?o = 1)",
        "each other’s largest trading partner",
    )


def test_004_digital_economy_a_new_highlight(store: LocalStore) -> None:
    assert stated(
        store,
        S004,
        "BIND(schema:mentions AS ?p) BIND(id:area/digital-economy AS ?o) ?s ?p ?o .",
        "new highlight of China-Asean cooperation",
    )


def test_004_2020_marks_the_10th_anniversary_of_the_fta(store: LocalStore) -> None:
    assert stated(
        store,
        S004,
        'BIND(cakg:date AS ?p) ?s sem:eventType cakg:Anniversary ; cakg:about id:agreement/cafta ; ?p ?o . FILTER(?o = "2020"^^xsd:gYear)',
        "10th anniversary",
    )


def test_004_upgrade_protocol_fully_entered_into_force_last_year(store: LocalStore) -> None:
    assert stated(
        store,
        S004,
        "BIND(cakg:date AS ?p) ?s sem:eventType cakg:EntryIntoForce ; cakg:about id:instrument/cafta-upgrade-protocol ; ?p ?o ; "
        'cakg:dateText "last year" ; cakg:eventStatus cakg:Occurred . FILTER(?o = "2019"^^xsd:gYear)',
        "full entry into force of the Protocol on upgrading",
    )


@pytest.mark.parametrize(
    "mechanism",
    [
        "lancang-mekong-cooperation",
        "greater-mekong-subregion",
        "china-asean-east-growth-area",
        "china-indochina-peninsula-corridor",
    ],
)
def test_004_sub_regional_cooperation_mechanisms(store: LocalStore, mechanism: str) -> None:
    assert stated(
        store,
        S004,
        f"BIND(schema:mentions AS ?p) BIND(id:mechanism/{mechanism} AS ?o) ?s ?p ?o .",
        "sub-regional cooperation",
    )


@pytest.mark.parametrize(
    ("predicate", "person"),
    [
        ("schema:author", "xu-wen"),
        ("schema:editor", "fan-yijing"),
        ("schema:contributor", "li-ming"),
    ],
)
def test_004_reporter_editor_proofreader(store: LocalStore, predicate: str, person: str) -> None:
    assert stated(
        store, S004, f"BIND({predicate} AS ?p) BIND(id:person/{person} AS ?o) ?s ?p ?o .", ""
    )


# ------------------------------------------------------------------ where the sources differ


def test_sources_differ_on_when_3_0_negotiations_ended(store: LocalStore) -> None:
    from cakg.graph.catalog import get_query

    rows = store.select(get_query("conflicting_claims").text)
    assert len(rows) == 1
    row = rows[0]
    assert row["event"].value.endswith("/event/cafta-v3/conclusion")
    assert {row["date1"].value, row["date2"].value} == {"2024-10", "2025-05"}
    assert {row["source1"].value.rsplit("/", 1)[1], row["source2"].value.rsplit("/", 1)[1]} == {
        S000,
        S003,
    }
    assert (
        "concluded substantially in October last year"
        in row["sentence1"].value + row["sentence2"].value
    )
