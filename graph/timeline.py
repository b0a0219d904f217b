"""Query the data of two views: a timeline of events and a diagram of the ontology.

The timeline lists the events; the diagram shows the ontology's classes and properties.

Both return plain dicts and lists ready for JSON; links are local paths (``/id/...``) or,
for ontology terms, anchors of the ontology page (``/ontology#Person``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox
from cakg.graph.namespaces import BASE, DATA_BASE, ONTOLOGY_IRI
from cakg.graph.projection import event_interval
from cakg.graph.store import LocalStore

__all__ = ["EVENTS_QUERY", "ONTOLOGY_QUERY", "ontology_diagram", "timeline_events"]

#: One row per event and each of its optional values (aggregated in Python).
EVENTS_QUERY = """
SELECT ?event ?label ?date ?dateText ?earliest ?latest ?precision ?type ?status
       ?place ?placeLabel ?about ?aboutLabel ?agent ?agentLabel ?role ?g
WHERE {
  GRAPH ?g { ?event a cakg:Event . }
  OPTIONAL { ?event rdfs:label ?label .
             FILTER(langMatches(lang(?label), "en") || lang(?label) = "") }
  OPTIONAL { ?event cakg:date ?date }
  OPTIONAL { ?event cakg:dateText ?dateText }
  OPTIONAL { ?event cakg:earliestDate ?earliest }
  OPTIONAL { ?event cakg:latestDate ?latest }
  OPTIONAL { ?event cakg:datePrecision/rdfs:label ?precision }
  OPTIONAL { ?event sem:eventType/rdfs:label ?type }
  OPTIONAL { ?event cakg:eventStatus/rdfs:label ?status }
  OPTIONAL { ?event sem:hasPlace ?place . OPTIONAL { ?place rdfs:label ?placeLabel .
             FILTER(langMatches(lang(?placeLabel), "en") || lang(?placeLabel) = "") } }
  OPTIONAL { ?event cakg:about ?about . OPTIONAL { ?about rdfs:label ?aboutLabel .
             FILTER(langMatches(lang(?aboutLabel), "en") || lang(?aboutLabel) = "") } }
  OPTIONAL {
    ?event cakg:participation ?p . ?p cakg:participant ?agent .
    OPTIONAL { ?p sem:roleType/rdfs:label ?role }
    OPTIONAL { ?agent rdfs:label ?agentLabel .
               FILTER(langMatches(lang(?agentLabel), "en") || lang(?agentLabel) = "") }
  }
}
"""

#: The classes of our ontology, their super classes and the properties between them.
ONTOLOGY_QUERY = """
SELECT ?term ?kind ?label ?comment ?super ?domain ?range
WHERE {
  GRAPH <ONTOLOGY> {
    ?term a ?kind .
    FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
    FILTER(STRSTARTS(STR(?term), STR(cakg:)))
    OPTIONAL { ?term rdfs:label ?label . FILTER(langMatches(lang(?label), "en")) }
    OPTIONAL { ?term rdfs:comment ?comment . FILTER(langMatches(lang(?comment), "en")) }
    OPTIONAL { ?term rdfs:subClassOf ?super . FILTER(isIRI(?super)) }
    OPTIONAL { ?term rdfs:domain ?domain . FILTER(isIRI(?domain)) }
    OPTIONAL { ?term rdfs:range ?range . FILTER(isIRI(?range)) }
  }
}
""".replace("ONTOLOGY", str(ONTOLOGY_IRI))

_ONTOLOGY_NS = BASE + "ontology#"


def _value(row: dict[str, Any], name: str) -> str:
    term = row.get(name)
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return str(term.value)
    return ""


def _path(iri: str) -> str:
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


def timeline_events(store: LocalStore) -> list[dict[str, Any]]:
    """Return the events of ``store`` in time order.

    Each comes with its dates, type, status, places, subjects, participants and the
    sources that state it.
    """
    events: dict[str, dict[str, Any]] = {}
    for row in store.select(EVENTS_QUERY):
        iri = _value(row, "event")
        if not iri.startswith(DATA_BASE):
            continue
        event = events.setdefault(
            iri,
            {
                "id": iri,
                "path": _path(iri),
                "label": "",
                "date": "",
                "date_text": "",
                "earliest": "",
                "latest": "",
                "precision": "",
                "type": "",
                "status": "",
                "places": {},
                "about": {},
                "participants": {},
                "sources": set(),
            },
        )
        for key, name in (
            ("label", "label"),
            ("date_text", "dateText"),
            ("type", "type"),
        ):
            event[key] = event[key] or _value(row, name)
        if _value(row, "status"):
            event.setdefault("statuses", set()).add(_value(row, "status"))
        for key, name in (("dates", "date"), ("earliests", "earliest"), ("latests", "latest")):
            if _value(row, name):
                event.setdefault(key, set()).add(_value(row, name))
        if _value(row, "precision"):
            event.setdefault("precisions", {})[_value(row, "date")] = _value(row, "precision")
        graph = _value(row, "g")
        if graph.startswith(DATA_BASE + "graph/"):
            event["sources"].add(graph.rsplit("/", 1)[-1])
        for key, name in (("places", "place"), ("about", "about")):
            target = _value(row, name)
            if target:
                label = _value(row, name + "Label") or target.rsplit("/", 1)[-1]
                event[key].setdefault(target, {"id": target, "path": _path(target), "label": label})
        agent = _value(row, "agent")
        if agent:
            entry = event["participants"].setdefault(
                agent,
                {"id": agent, "path": _path(agent), "label": "", "roles": set()},
            )
            entry["label"] = entry["label"] or _value(row, "agentLabel") or agent.rsplit("/")[-1]
            if _value(row, "role"):
                entry["roles"].add(_value(row, "role"))
    result = []
    for event in events.values():
        # Sources may date an event differently: show the most precise date, and the
        # narrowest interval the dates agree on.
        dates = sorted(event.pop("dates", set()), key=lambda d: (len(d), d))
        event["date"] = dates[-1] if dates else ""
        event["precision"] = event.pop("precisions", {}).get(event["date"], "")
        # A source that reports the event as having happened outweighs one that expected it.
        statuses = sorted(event.pop("statuses", set()))
        event["status"] = "occurred" if "occurred" in statuses else (statuses or [""])[0]
        event["earliest"], event["latest"] = event_interval(
            {
                "earliestDate": sorted(event.pop("earliests", set())),
                "latestDate": sorted(event.pop("latests", set())),
            }
        )
        event["label"] = event["label"] or event["id"].rsplit("/", 1)[-1]
        event["places"] = sorted(event["places"].values(), key=lambda d: d["label"])
        event["about"] = sorted(event["about"].values(), key=lambda d: d["label"])
        participants = sorted(event["participants"].values(), key=lambda d: d["label"])
        for entry in participants:
            entry["roles"] = sorted(entry["roles"])
        event["participants"] = participants
        event["sources"] = sorted(event["sources"])
        event["year"] = (event["earliest"] or event["date"])[:4]
        result.append(event)
    result.sort(key=lambda e: (e["earliest"] or e["date"] or "9999", e["label"]))
    return result


def ontology_diagram(store: LocalStore) -> dict[str, Any]:
    """Return the ontology's classes (nodes) and its subclass and property links (edges).

    Datatype properties are listed on the class of their domain; object properties become
    edges from domain to range; superclasses from other vocabularies appear as nodes of
    kind ``external`` named by their prefixed name.
    """
    terms: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "kind": "",
            "label": "",
            "comment": "",
            "supers": set(),
            "domains": set(),
            "ranges": set(),
        }
    )
    for row in store.select(ONTOLOGY_QUERY):
        term = terms[_value(row, "term")]
        term["kind"] = _value(row, "kind").rsplit("#", 1)[-1]
        term["label"] = term["label"] or _value(row, "label")
        term["comment"] = term["comment"] or _value(row, "comment")
        for key, name in (("supers", "super"), ("domains", "domain"), ("ranges", "range")):
            if _value(row, name):
                term[key].add(_value(row, name))
    classes = {iri for iri, t in terms.items() if t["kind"] == "Class"}
    nodes: dict[str, dict[str, Any]] = {}
    for iri in sorted(classes):
        name = iri[len(_ONTOLOGY_NS) :]
        nodes[iri] = {
            "id": iri,
            "name": name,
            "label": terms[iri]["label"] or name,
            "comment": terms[iri]["comment"],
            "kind": "class",
            "path": "/ontology#" + name,
            "attributes": [],
        }
    edges: list[dict[str, str]] = []

    def external(iri: str) -> None:
        if iri not in nodes:
            nodes[iri] = {
                "id": iri,
                "name": _compact(iri),
                "label": _compact(iri),
                "comment": "",
                "kind": "external",
                "path": iri,
                "attributes": [],
            }

    for iri in sorted(classes):
        for parent in sorted(terms[iri]["supers"]):
            external(parent)
            edges.append({"source": iri, "target": parent, "label": "subclass of", "kind": "sub"})
    for iri, term in sorted(terms.items()):
        name = iri[len(_ONTOLOGY_NS) :]
        if term["kind"] == "ObjectProperty":
            for domain in sorted(term["domains"] & classes):
                for range_ in sorted(term["ranges"] & classes):
                    edges.append(
                        {
                            "source": domain,
                            "target": range_,
                            "label": term["label"] or name,
                            "kind": "property",
                        }
                    )
        elif term["kind"] == "DatatypeProperty":
            for domain in sorted(term["domains"] & classes):
                nodes[domain]["attributes"].append(term["label"] or name)
    return {"nodes": list(nodes.values()), "edges": edges}


_PREFIXES = {
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/org#": "org:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://schema.org/": "schema:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://semanticweb.cs.vu.nl/2009/11/sem/": "sem:",
    "http://data.europa.eu/eli/ontology#": "eli:",
    "http://purl.org/linked-data/cube#": "qb:",
    "http://www.w3.org/2006/time#": "time:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/ns/oa#": "oa:",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#": "nif:",
}


def _compact(iri: str) -> str:
    for namespace, prefix in _PREFIXES.items():
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri
