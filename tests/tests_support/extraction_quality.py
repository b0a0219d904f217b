"""Precision and recall of the extractors against articles with hand-written expected facts.

Each article has ``<name>.expected.toml`` (schema in ``tests/articles/README.md``). The
extracted graph is reduced to the same kinds of facts (tenures, events, participants,
quotes, statistics, coverage, mechanisms mentioned) and matched one to one: an expected
fact matches an extracted one when every field it gives agrees (labels compared
case-insensitively as "contains"). Unmatched extracted facts are false positives;
unmatched expected facts are false negatives.

Run ``python tests/tests_support/extraction_quality.py -v`` to print the table.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from cakg.graph.build import nquads_lines
from cakg.graph.namespaces import PREFIXES
from cakg.loaders.gazetteer import Gazetteer, fold, load_gazetteer
from cakg.loaders.pipeline import extract_document
from cakg.loaders.sources import LOADERS, parse_metadata

TESTS = Path(__file__).parent.parent
ARTICLES = TESTS / "articles"
SEEDS = TESTS / "data" / "seed_sources"
SEED_EXPECTED = TESTS / "data" / "seed_expected"
KINDS = ("tenure", "event", "participant", "quote", "statistic", "coverage", "mention")

Fact = dict[str, str]


@dataclass
class Score:
    """True positives, false positives and false negatives, with what was missed or spurious."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.missed += other.missed
        self.spurious += other.spurious

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def articles() -> list[tuple[str, Path, dict[str, Any], Path]]:
    """Return (name, text path, metadata, expected path) for every evaluated article."""
    found = []
    catalogue = json.loads((SEEDS / "sources.json").read_text("utf-8"))
    for expected in sorted(SEED_EXPECTED.glob("*.expected.toml")):
        name = expected.name.removesuffix(".expected.toml")
        found.append((name, SEEDS / f"{name}.txt", catalogue[f"{name}.txt"], expected))
    for expected in sorted(ARTICLES.glob("*.expected.toml")):
        name = expected.name.removesuffix(".expected.toml")
        text = ARTICLES / f"{name}.txt"
        metadata = json.loads((ARTICLES / f"{name}.txt.json").read_text("utf-8"))
        found.append((name, text, metadata, expected))
    return found


# ------------------------------------------------------------------ extracted facts


def _store_of(path: Path, metadata: dict[str, Any], gazetteer: Gazetteer) -> ox.Store:
    document = LOADERS[path.suffix].load(path, parse_metadata(metadata, where=str(path)))
    graph, sink = extract_document(document, gazetteer)
    store = ox.Store()
    store.load("".join(nquads_lines(graph, sink.graph_name)), format=ox.RdfFormat.N_QUADS)
    gazetteer_lines = nquads_lines(gazetteer.to_graph(), sink.graph_name)
    store.load("".join(gazetteer_lines), format=ox.RdfFormat.N_QUADS)
    return store


def _rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({n: solution[n].value for n in names if solution[n] is not None})  # type: ignore[union-attr]
    return rows


_LABEL = "OPTIONAL {{ {0} rdfs:label ?{1}_l . FILTER(LANG(?{1}_l) = 'en') }}"

EXTRACTED: dict[str, str] = {
    "tenure": """SELECT DISTINCT ?person ?role ?organisation WHERE {
        ?t a cakg:Tenure ; org:member/rdfs:label ?person ; org:role/rdfs:label ?role ;
           org:organization/rdfs:label ?organisation . FILTER(LANG(?organisation) = 'en' && LANG(?person) = 'en') }""",
    "event": """SELECT DISTINCT ?e ?type ?about ?date ?status ?place WHERE {
        ?e a cakg:Event ; sem:eventType ?t . BIND(STRAFTER(STR(?t), '#') AS ?type)
        OPTIONAL { ?e cakg:about ?a . ?a rdfs:label ?about . FILTER(LANG(?about) = 'en') }
        OPTIONAL { ?e cakg:date ?date }
        OPTIONAL { ?e cakg:eventStatus ?s . BIND(STRAFTER(STR(?s), '#') AS ?status) }
        OPTIONAL { ?e sem:hasPlace/rdfs:label ?place . FILTER(LANG(?place) = 'en') } }""",
    "participant": """SELECT DISTINCT ?event ?agent ?role ?on_behalf_of WHERE {
        ?e sem:eventType ?t ; cakg:participation ?p . BIND(STRAFTER(STR(?t), '#') AS ?event)
        ?p cakg:participant ?a ; sem:roleType ?r . BIND(STRAFTER(STR(?r), '#') AS ?role)
        ?a rdfs:label ?agent . FILTER(LANG(?agent) = 'en')
        OPTIONAL { ?p cakg:onBehalfOf/rdfs:label ?on_behalf_of . FILTER(LANG(?on_behalf_of) = 'en') } }""",
    "quote": """SELECT DISTINCT ?speaker ?text WHERE {
        ?q a cakg:QuotedStatement ; schema:text ?text ; cakg:speaker/rdfs:label ?speaker . }""",
    "statistic": """SELECT DISTINCT ?s ?indicator ?ref_area ?counterpart ?value ?unit ?multiplier ?begin ?end ?change ?share ?group WHERE {
        ?s a cakg:Statistic ; cakg:indicator ?i ; sdmx-attribute:unitMeasure ?u ;
           sdmx-dimension:refArea/rdfs:label ?ref_area ; cakg:counterpartArea/rdfs:label ?counterpart ;
           sdmx-dimension:refPeriod ?p .
        FILTER(LANG(?ref_area) = 'en' && LANG(?counterpart) = 'en')
        ?p time:hasBeginning/time:inXSDDate ?begin ; time:hasEnd/time:inXSDDate ?end .
        BIND(STRAFTER(STR(?i), '#') AS ?indicator)
        BIND(REPLACE(STR(?u), '^.*/', '') AS ?unit)
        OPTIONAL { ?s sdmx-measure:obsValue ?value }
        OPTIONAL { ?s sdmx-attribute:unitMult ?multiplier }
        OPTIONAL { ?s cakg:yearOnYearChange ?change }
        OPTIONAL { ?s cakg:shareOfTotal ?share }
        OPTIONAL { SELECT ?s (MIN(STR(?x)) AS ?group) WHERE { { ?s cakg:equivalentStatistic ?x } UNION { ?s a cakg:Statistic . BIND(?s AS ?x) } } GROUP BY ?s } }""",
    "coverage": """SELECT DISTINCT ?version ?area WHERE {
        ?v cakg:coversArea ?a ; cakg:versionLabel ?version . ?a skos:prefLabel ?area . FILTER(LANG(?area) = 'en') }""",
    "mention": """SELECT DISTINCT ?name WHERE {
        ?doc schema:mentions ?m . ?m a cakg:CooperationMechanism ; skos:prefLabel ?name . FILTER(LANG(?name) = 'en') }""",
}


def extracted_facts(store: ox.Store) -> dict[str, list[Fact]]:
    """Return the extracted facts by kind, one per distinct fact (equivalent figures once)."""
    facts = {kind: _rows(store, query) for kind, query in EXTRACTED.items()}
    # The same figure in two currencies is one statistic.
    groups: dict[str, list[Fact]] = {}
    for row in facts["statistic"]:
        groups.setdefault(row.get("group", row["s"]), []).append(row)
    facts["statistic"] = [{**rows[0], "alternatives": json.dumps(rows)} for rows in groups.values()]
    return facts


# ------------------------------------------------------------------ matching


def _contains(expected: str, actual: str | None) -> bool:
    return actual is not None and fold(expected.strip()).lower() in fold(actual).lower()


def _number(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


def match_tenure(e: Fact, x: Fact) -> bool:
    return (
        _contains(e["person"], x["person"])
        and e["role"].lower() == x["role"].lower()
        and _contains(e["organisation"], x["organisation"])
    )


def match_event(e: Fact, x: Fact) -> bool:
    if e["type"] != x["type"]:
        return False
    if "about" in e and not _contains(e["about"], x.get("about")):
        return False
    if "date" in e and e["date"] != x.get("date"):
        return False
    if "status" in e and e["status"] != x.get("status"):
        return False
    return not ("place" in e and not _contains(e["place"], x.get("place")))


def match_participant(e: Fact, x: Fact) -> bool:
    agent = e.get("person") or e.get("organisation") or e.get("country") or ""
    if e["event"] != x["event"] or e["role"] != x["role"] or not _contains(agent, x["agent"]):
        return False
    return not ("on_behalf_of" in e and not _contains(e["on_behalf_of"], x.get("on_behalf_of")))


def match_quote(e: Fact, x: Fact) -> bool:
    return _contains(e["speaker"], x["speaker"]) and e["text"].strip() == x["text"].strip()


def _match_one_statistic(e: Fact, x: Fact) -> bool:
    begin, end = str(e["period"]).split("/")
    if (e["indicator"], begin, end) != (x["indicator"], x["begin"], x["end"]):
        return False
    if not (
        _contains(e["ref_area"], x["ref_area"]) and _contains(e["counterpart"], x["counterpart"])
    ):
        return False
    if str(e["unit"]).upper() != x["unit"].upper():
        return False
    if "value" in e and not _number(str(e["value"]), x.get("value")):
        return False
    if "value" in e and int(e.get("multiplier", 0)) != int(x.get("multiplier", "0")):
        return False
    if "change" in e and not _number(str(e["change"]), x.get("change")):
        return False
    return not ("share" in e and not _number(str(e["share"]), x.get("share")))


def match_statistic(e: Fact, x: Fact) -> bool:
    return any(_match_one_statistic(e, alt) for alt in json.loads(x["alternatives"]))


def match_coverage(e: Fact, x: Fact) -> bool:
    return str(e["version"]) == x["version"] and _contains(e["area"], x["area"])


def match_mention(e: Fact, x: Fact) -> bool:
    return _contains(e["name"], x["name"]) or _contains(x["name"], e["name"])


MATCHERS: dict[str, Callable[[Fact, Fact], bool]] = {
    "tenure": match_tenure,
    "event": match_event,
    "participant": match_participant,
    "quote": match_quote,
    "statistic": match_statistic,
    "coverage": match_coverage,
    "mention": match_mention,
}


def score_kind(kind: str, expected: Iterable[Fact], extracted: list[Fact]) -> Score:
    """Match expected facts one to one against extracted ones."""
    score = Score()
    free = list(extracted)
    for e in expected:
        e = {k: str(v) for k, v in e.items()}
        hit = next((x for x in free if MATCHERS[kind](e, x)), None)
        if hit is None:
            score.fn += 1
            score.missed.append(f"{kind}: {e}")
        else:
            score.tp += 1
            free.remove(hit)
    score.fp = len(free)
    score.spurious = [
        f"{kind}: { {k: v for k, v in x.items() if k not in ('alternatives', 's', 'e', 'group')} }"
        for x in free
    ]
    return score


def evaluate(gazetteer: Gazetteer | None = None) -> dict[str, dict[str, Score]]:
    """Return the scores per article and per kind."""
    gaz = gazetteer or load_gazetteer()
    results: dict[str, dict[str, Score]] = {}
    for name, text, metadata, expected_path in articles():
        expected = tomllib.loads(expected_path.read_text("utf-8"))
        facts = extracted_facts(_store_of(text, metadata, gaz))
        results[name] = {
            kind: score_kind(kind, expected.get(kind, []), facts[kind]) for kind in KINDS
        }
    return results


def totals(results: dict[str, dict[str, Score]]) -> tuple[Score, dict[str, Score]]:
    """Return the overall score and the score per kind."""
    overall, by_kind = Score(), {k: Score() for k in KINDS}
    for scores in results.values():
        for kind, score in scores.items():
            overall.add(score)
            by_kind[kind].add(score)
    return overall, by_kind


def report(results: dict[str, dict[str, Score]]) -> str:
    """Return the precision / recall table."""
    lines = [f"{'article':40} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}"]
    for name, scores in results.items():
        s = Score()
        for score in scores.values():
            s.add(score)
        lines.append(f"{name:40} {s.tp:4} {s.fp:4} {s.fn:4} {s.precision:9.2f} {s.recall:7.2f}")
    overall, by_kind = totals(results)
    lines.append("")
    for kind, s in by_kind.items():
        lines.append(
            f"{'  ' + kind:40} {s.tp:4} {s.fp:4} {s.fn:4} {s.precision:9.2f} {s.recall:7.2f}"
        )
    lines.append(
        f"{'ALL':40} {overall.tp:4} {overall.fp:4} {overall.fn:4} {overall.precision:9.2f} {overall.recall:7.2f}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    res = evaluate()
    print(report(res))
    if "-v" in sys.argv:
        for name, scores in res.items():
            for score in scores.values():
                for line in score.missed:
                    print(f"MISSED   {name}: {line}")
                for line in score.spurious:
                    print(f"SPURIOUS {name}: {line}")
