"""Project the RDF dataset onto networkx graphs of entities, for network analysis and drawing.

The projection works on plain quads (``(graph, subject, predicate, object)`` with IRIs as
``str`` and literals as :class:`Lit`), so it is testable without a store; :func:`store_quads`
reads them from a :class:`~cakg.graph.store.LocalStore` with one SPARQL query.

Two views:

* :func:`entity_graph`: a ``MultiDiGraph`` whose nodes are entities (people, organisations,
  countries, places, agreements and their versions, instruments, areas, events, and on
  request statistics, statements, posts and source documents) and whose edges are the
  relations between them. The n-ary nodes of the data model are folded into edges:
  a ``cakg:Participation`` becomes an ``event -> agent`` edge carrying the role and the
  party, a ``cakg:Tenure`` a ``person -> organisation`` edge carrying the post.
* :func:`actor_network`: people, organisations and countries linked through the events they
  took part in, weighted by the number of events they share.

>>> quads = [
...     (G, ID + "event/e", RDF_TYPE, CAKG_NS + "Event"),
...     (G, ID + "event/e", RDFS_LABEL, Lit("signing", None, "en")),
...     (G, ID + "person/a", RDF_TYPE, CAKG_NS + "Person"),
...     (G, ID + "person/b", RDF_TYPE, CAKG_NS + "Person"),
...     (G, ID + "event/e", SEM_NS + "hasActor", ID + "person/a"),
...     (G, ID + "event/e", SEM_NS + "hasActor", ID + "person/b"),
... ]
>>> graph = entity_graph(quads)
>>> sorted(graph.nodes[ID + "event/e"].items())[:3]
[('class', 'Event'), ('class_label', 'event'), ('group', 'event')]
>>> network = actor_network(graph)
>>> network.edges[ID + "person/a", ID + "person/b"]["weight"]
1
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox
from cakg.errors import QueryError
from cakg.graph.namespaces import BASE, DATA_BASE, ONTOLOGY_IRI, SEM
from cakg.graph.store import LocalStore

__all__ = [
    "ACTOR_GROUPS",
    "DEFAULT_GROUPS",
    "GROUPS",
    "Lit",
    "Quad",
    "actor_network",
    "entity_graph",
    "event_interval",
    "local_path",
    "source_ids",
    "store_quads",
]

CAKG_NS = BASE + "ontology#"
ID = DATA_BASE
G = DATA_BASE + "graph/example"
SEM_NS = str(SEM)
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = RDF_NS + "type"
RDFS_LABEL = RDFS_NS + "label"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
ORG_NS = "http://www.w3.org/ns/org#"
GAZETTEER_GRAPH = DATA_BASE + "graph/gazetteer"
GRAPH_PREFIX = DATA_BASE + "graph/"


@dataclass(frozen=True)
class Lit:
    """A literal: its lexical value, datatype IRI (``None`` for plain) and language tag."""

    value: str
    datatype: str | None = None
    language: str | None = None


Term = str | Lit
Quad = tuple[str, str, str, Term]

#: Node groups (what a picture colours by) and the ``cakg:`` classes in each, most
#: specific first: a node's ``class`` is the first of these it has.
GROUPS: dict[str, tuple[str, ...]] = {
    "person": ("Person",),
    "organisation": (
        "IntergovernmentalOrganisation",
        "GovernmentBody",
        "OrganisationalUnit",
        "PoliticalParty",
        "NewsOrganisation",
        "Organisation",
    ),
    "mechanism": ("CooperationMechanism",),
    "country": ("Country",),
    "place": ("City", "Place"),
    "agreement": ("TradeAgreement",),
    "version": ("AgreementVersion",),
    "instrument": ("LegalInstrument",),
    "area": ("CoverageArea",),
    "event": ("Event",),
    "statistic": ("Statistic",),
    "statement": ("QuotedStatement", "ReportedStatement"),
    "post": ("Post",),
    "source": ("SourceDocument",),
}
#: The groups :func:`entity_graph` keeps when no ``classes`` are given.
DEFAULT_GROUPS: tuple[str, ...] = (
    "person",
    "organisation",
    "mechanism",
    "country",
    "place",
    "agreement",
    "version",
    "instrument",
    "area",
    "event",
)
#: The groups that count as actors in :func:`actor_network`.
ACTOR_GROUPS: tuple[str, ...] = ("person", "organisation", "mechanism", "country")

_CLASS_GROUP = {cls: group for group, classes in GROUPS.items() for cls in classes}
_CLASS_ORDER = [cls for classes in GROUPS.values() for cls in classes]

# Predicates folded into edges or attributes rather than drawn as they are.
_PARTICIPATION = CAKG_NS + "participation"
_PARTICIPANT = CAKG_NS + "participant"
_ON_BEHALF_OF = CAKG_NS + "onBehalfOf"
_ROLE_TYPE = SEM_NS + "roleType"
_HAS_ACTOR = SEM_NS + "hasActor"
_MEMBER = ORG_NS + "member"
_ORGANIZATION = ORG_NS + "organization"
_MEMBER_OF = ORG_NS + "memberOf"
_LABEL_PREDICATES = {RDFS_LABEL, SKOS_NS + "prefLabel"}
_ALIAS_PREDICATES = {CAKG_NS + "alias", SKOS_NS + "altLabel"}
_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("decimal", "double", "float", "integer", "int", "long", "nonNegativeInteger")
}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
# Readable names for predicates outside our ontology (the ontology gives ours).
_KNOWN_LABELS = {
    RDFS_NS + "label": "label",
    _HAS_ACTOR: "actor",
    SEM_NS + "hasPlace": "place",
    SEM_NS + "eventType": "event type",
    _MEMBER_OF: "member of",
    ORG_NS + "unitOf": "unit of",
    ORG_NS + "subOrganizationOf": "sub-organisation of",
    ORG_NS + "postIn": "post in",
    "http://purl.org/vocab/frbr/core#successor": "successor",
    "http://purl.org/linked-data/sdmx/2009/dimension#refArea": "reference area",
    "http://purl.org/linked-data/sdmx/2009/dimension#refPeriod": "reference period",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://purl.org/dc/terms/publisher": "publisher",
    "http://schema.org/mentions": "mentions",
}
_MENTIONED_IN = CAKG_NS + "sourceDocument"
_ANCHOR_OF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"


def local_name(iri: str) -> str:
    """Return the part of ``iri`` after its last ``#`` or ``/``.

    >>> local_name("https://w3id.org/cakg/ontology#Person")
    'Person'
    """
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def local_path(iri: str) -> str:
    """Return the path on this site of an IRI under the dataset's base (``""`` if outside).

    >>> local_path("https://w3id.org/cakg/id/person/wang-wentao")
    '/id/person/wang-wentao'
    """
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else ""


def source_id_of(graph_name: str) -> str:
    """Return the source id of a named graph (``gazetteer`` for the reference data)."""
    return graph_name[len(GRAPH_PREFIX) :] if graph_name.startswith(GRAPH_PREFIX) else ""


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> Term:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return Lit(term.value, term.datatype.value if term.datatype else None, term.language)
    return ""


def store_quads(store: LocalStore) -> list[Quad]:
    """Return every quad of the named graphs of ``store``, as plain Python values."""
    rows = store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    quads: list[Quad] = []
    for row in rows:
        g, s, p, o = (_term(row[k]) for k in ("g", "s", "p", "o"))
        if isinstance(g, str) and isinstance(s, str) and isinstance(p, str):
            quads.append((g, s, p, o))
    return quads


def source_ids(quads: Iterable[Quad]) -> list[str]:
    """Return the ids of the sources whose named graphs are in ``quads``, sorted."""
    ids = {source_id_of(q[0]) for q in quads}
    return sorted(i for i in ids if i and i != "gazetteer")


@dataclass
class _Index:
    """What the projection needs to know about the quads, gathered in one pass."""

    facts: dict[tuple[str, str, Term], set[str]]
    types: dict[str, set[str]]
    labels: dict[str, dict[str, str]]
    out: dict[str, list[tuple[str, Term]]]
    mentioned_in: dict[str, set[str]]
    evidence: dict[tuple[str, str, Term], list[str]]
    documents: dict[str, str]


def _index(quads: Iterable[Quad], selected: set[str] | None) -> _Index:
    facts: dict[tuple[str, str, Term], set[str]] = defaultdict(set)
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    mentioned: dict[str, set[str]] = defaultdict(set)
    documents: dict[str, str] = {}
    statements: dict[str, dict[str, Term]] = defaultdict(dict)
    anchors: dict[str, str] = {}
    for g, s, p, o in quads:
        source = source_id_of(g)
        if p in _LABEL_PREDICATES and isinstance(o, Lit):
            # Labels of ontology terms and concepts are wanted whichever sources are chosen.
            lang = o.language or ""
            if lang not in labels[s] or p == RDFS_LABEL:
                labels[s][lang] = o.value
        if g == str(ONTOLOGY_IRI):
            continue
        if selected is not None and source not in selected and source != "gazetteer":
            continue
        facts[(s, p, o)].add(source)
        if p == RDF_TYPE and isinstance(o, str):
            types[s].add(o)
            if o == CAKG_NS + "SourceDocument":
                documents[source] = s
        elif p in (RDF_NS + "subject", RDF_NS + "predicate", RDF_NS + "object"):
            statements[s][p] = o
        elif p == CAKG_NS + "evidence" and isinstance(o, str):
            statements[s]["evidence"] = o
        elif p == _ANCHOR_OF and isinstance(o, Lit):
            anchors[s] = o.value
        if source and source != "gazetteer":
            mentioned[s].add(source)
            if isinstance(o, str):
                mentioned[o].add(source)
    out: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    for s, p, o in facts:
        out[s].append((p, o))
    for edges in out.values():
        edges.sort(key=lambda po: (po[0], str(po[1])))
    evidence: dict[tuple[str, str, Term], list[str]] = defaultdict(list)
    for parts in statements.values():
        subject, predicate = parts.get(RDF_NS + "subject"), parts.get(RDF_NS + "predicate")
        obj, span = parts.get(RDF_NS + "object"), parts.get("evidence")
        if isinstance(subject, str) and isinstance(predicate, str) and obj is not None:
            text = anchors.get(span, "") if isinstance(span, str) else ""
            if text:
                evidence[(subject, predicate, obj)].append(text)
    return _Index(facts, types, labels, out, mentioned, evidence, documents)


def _label(index: _Index, iri: str) -> str:
    names = index.labels.get(iri, {})
    for lang in ("en", "", *sorted(names)):
        if lang in names:
            return names[lang]
    if iri in _KNOWN_LABELS:
        return _KNOWN_LABELS[iri]
    if not iri.startswith(CAKG_NS):
        return local_name(iri)
    # our camelCase terms read as words: AgreementVersion -> agreement version
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local_name(iri)).lower()


def _class_of(types: Collection[str]) -> str | None:
    local = {local_name(t) for t in types if t.startswith(CAKG_NS)}
    for cls in _CLASS_ORDER:
        if cls in local:
            return cls
    return None


def _wanted(classes: Collection[str] | None) -> tuple[set[str], set[str]]:
    """Return (groups, class local names) from the ``classes`` option.

    Raises:
        QueryError: a name is neither a group nor a ``cakg:`` class of a group.
    """
    if not classes:
        return set(DEFAULT_GROUPS), set()
    groups: set[str] = set()
    names: set[str] = set()
    known = {c.lower(): c for c in _CLASS_ORDER}
    for raw in classes:
        token = local_name(raw.strip()).removeprefix("cakg:")
        if token.lower() == "all":
            groups.update(GROUPS)
        elif token.lower() in GROUPS:
            groups.add(token.lower())
        elif token.lower() in known:
            names.add(known[token.lower()])
        else:
            raise QueryError(
                f"Unknown class {raw!r}: use one of the groups {', '.join(GROUPS)} (or all) "
                f"or a cakg: class such as {', '.join(_CLASS_ORDER[:4])}."
            )
    return groups, names


def _attribute_value(values: list[Lit]) -> Any:
    def one(lit: Lit) -> Any:
        if lit.datatype in _NUMERIC:
            try:
                number = float(lit.value)
            except ValueError:
                return lit.value
            return int(number) if number.is_integer() and "." not in lit.value else number
        if lit.datatype == _BOOLEAN:
            return lit.value in ("true", "1")
        return lit.value

    converted = sorted({one(v) for v in values}, key=str)
    return converted[0] if len(converted) == 1 else converted


def entity_graph(
    quads: Iterable[Quad],
    *,
    classes: Collection[str] | None = None,
    sources: Collection[str] | None = None,
    provenance: bool = False,
) -> nx.MultiDiGraph:
    """Return the entities of ``quads`` and their relations as a ``MultiDiGraph``.

    ``classes`` are group names (see :data:`GROUPS`; ``all`` for every group) or
    ``cakg:`` class names to keep (default :data:`DEFAULT_GROUPS`). ``sources`` are the
    source ids whose facts to use (the gazetteer's reference data is always used for
    labels and types). ``provenance`` adds the source documents as nodes, linked to the
    entities they mention. Edges carry the sentences they were extracted from
    (``evidence``) whenever the data has them.

    Raises:
        QueryError: an unknown class or source is asked for.
    """
    quads = list(quads)
    groups, class_names = _wanted(classes)
    if provenance:
        groups.add("source")
    selected: set[str] | None = None
    if sources:
        available = source_ids(quads)
        unknown = sorted(set(sources) - set(available))
        if unknown:
            raise QueryError(
                f"Unknown source {', '.join(unknown)}: use one of {', '.join(available)}."
            )
        selected = set(sources)
    index = _index(quads, selected)

    graph = nx.MultiDiGraph(
        name="China–ASEAN knowledge graph: entities",
        view="entities",
        sources=sorted(selected) if selected is not None else source_ids(quads),
    )
    for iri in sorted(index.types):
        if not iri.startswith(DATA_BASE) or iri.startswith(GRAPH_PREFIX):
            continue
        cls = _class_of(index.types[iri])
        if cls is None:
            continue
        group = _CLASS_GROUP[cls]
        local_types = {local_name(t) for t in index.types[iri] if t.startswith(CAKG_NS)}
        if group not in groups and not (class_names & local_types):
            continue
        mentioned = sorted(index.mentioned_in.get(iri, ()))
        if selected is not None and not mentioned:
            continue  # only reference data: no selected source speaks of it
        graph.add_node(iri, **_node_attributes(index, iri, cls, group, mentioned))
    nodes = set(graph.nodes)

    for s in sorted(index.out):
        for p, o in index.out[s]:
            sources_of = sorted(index.facts[(s, p, o)])
            if p == _PARTICIPATION and s in nodes and isinstance(o, str):
                _add_participation(graph, index, s, o, sources_of)
            elif p == _MEMBER and isinstance(o, str):
                _add_tenure(graph, index, s, o, sources_of)
            elif s in nodes and isinstance(o, str) and o in nodes and p != RDF_TYPE:
                if p == _HAS_ACTOR and graph.has_edge(s, o, key=local_name(_PARTICIPANT)):
                    continue
                _add_edge(graph, index, s, p, o, sources_of)
    # hasActor edges added before the participation that covers them go again.
    duplicates = [
        (u, v)
        for u, v, k in graph.edges(keys=True)
        if k == local_name(_HAS_ACTOR) and graph.has_edge(u, v, key=local_name(_PARTICIPANT))
    ]
    for u, v in duplicates:
        graph.remove_edge(u, v, key=local_name(_HAS_ACTOR))

    if provenance:
        for iri in sorted(nodes):
            for source in graph.nodes[iri]["sources"]:
                document = index.documents.get(source)
                if document and document in nodes and document != iri:
                    _add_edge(graph, index, iri, _MENTIONED_IN, document, [source])
                    graph.edges[iri, document, local_name(_MENTIONED_IN)]["label"] = "mentioned in"
    return graph


def _node_attributes(
    index: _Index, iri: str, cls: str, group: str, mentioned: list[str]
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "label": _label(index, iri),
        "class": cls,
        "class_label": _label(index, CAKG_NS + cls),
        "group": group,
        "iri": iri,
        "path": local_path(iri),
        "sources": mentioned,
    }
    literals: dict[str, list[Lit]] = defaultdict(list)
    concepts: dict[str, set[str]] = defaultdict(set)
    for p, o in index.out.get(iri, ()):
        if p in _LABEL_PREDICATES:
            continue
        if p in _ALIAS_PREDICATES and isinstance(o, Lit):
            literals["aliases"].append(o)
        elif isinstance(o, Lit):
            literals[local_name(p)].append(o)
        elif p != RDF_TYPE and not _is_entity_or_folded(index, o):
            # An IRI that is no entity (a concept of a scheme): keep its label.
            concepts[local_name(p)].add(_label(index, o))
    for name, values in literals.items():
        attributes.setdefault(name, _attribute_value(values))
    for name, names in concepts.items():
        if name in ("participation", "member"):
            continue
        attributes.setdefault(name, sorted(names)[0] if len(names) == 1 else sorted(names))
    if "aliases" in attributes and not isinstance(attributes["aliases"], list):
        attributes["aliases"] = [attributes["aliases"]]
    return attributes


def _is_entity_or_folded(index: _Index, iri: str) -> bool:
    """Return whether ``iri`` is an entity (kept or not) or a folded n-ary node."""
    types = index.types.get(iri, set())
    # n-ary nodes folded into edges, and provenance (reified statements, text spans)
    folded = {
        CAKG_NS + "Participation",
        CAKG_NS + "Tenure",
        RDF_NS + "Statement",
        CAKG_NS + "TextSpan",
    }
    return bool(types & folded) or _class_of(types) is not None


def _add_edge(
    graph: nx.MultiDiGraph,
    index: _Index,
    s: str,
    p: str,
    o: str,
    sources_of: list[str],
    *,
    folded: tuple[tuple[str, str, Term], ...] = (),
    **extra: Any,
) -> None:
    """Add (or merge into) the edge ``s -p-> o``; ``folded`` are the triples it stands for."""
    key = local_name(p)
    evidence = {text for triple in ((s, p, o), *folded) for text in index.evidence.get(triple, ())}
    if graph.has_edge(s, o, key=key):
        data = graph.edges[s, o, key]
        data["sources"] = sorted(set(data["sources"]) | set(sources_of))
        for name, value in extra.items():
            if value and value not in data.get(name, []):
                data.setdefault(name, []).append(value)
        if evidence:
            data["evidence"] = sorted(set(data.get("evidence", [])) | evidence)
        return
    attributes: dict[str, Any] = {
        "predicate": p,
        "label": _label(index, p),
        "sources": sources_of,
    }
    for name, value in extra.items():
        attributes[name] = [value] if value else []
    if evidence:
        attributes["evidence"] = sorted(evidence)
    graph.add_edge(s, o, key=key, **attributes)


def _add_participation(
    graph: nx.MultiDiGraph, index: _Index, event: str, node: str, sources_of: list[str]
) -> None:
    parts = index.out.get(node, [])
    agents = [o for p, o in parts if p == _PARTICIPANT and isinstance(o, str)]
    roles = sorted(_label(index, o) for p, o in parts if p == _ROLE_TYPE and isinstance(o, str))
    parties = [o for p, o in parts if p == _ON_BEHALF_OF and isinstance(o, str)]
    nodes = graph.nodes
    for agent in agents:
        if agent not in nodes:
            continue
        party = next((x for x in parties if x in nodes), "")
        folded: tuple[tuple[str, str, Term], ...] = (
            (event, _PARTICIPATION, node),
            (node, _PARTICIPANT, agent),
        )
        _add_edge(
            graph,
            index,
            event,
            _PARTICIPANT,
            agent,
            sources_of,
            folded=folded,
            role=", ".join(roles),
            on_behalf_of=party,
        )
        if party and party != agent:
            _add_edge(
                graph,
                index,
                agent,
                _ON_BEHALF_OF,
                party,
                sources_of,
                folded=((node, _ON_BEHALF_OF, party),),
                event=event,
            )


def _add_tenure(
    graph: nx.MultiDiGraph, index: _Index, tenure: str, person: str, sources_of: list[str]
) -> None:
    if CAKG_NS + "Tenure" not in index.types.get(tenure, ()) or person not in graph:
        return
    parts = index.out.get(tenure, [])
    organisations = [o for p, o in parts if p == _ORGANIZATION and isinstance(o, str)]
    titles = [o.value for p, o in parts if p == CAKG_NS + "titleText" and isinstance(o, Lit)]
    roles = [_label(index, o) for p, o in parts if p == ORG_NS + "role" and isinstance(o, str)]
    for organisation in organisations:
        if organisation in graph:
            _add_edge(
                graph,
                index,
                person,
                _MEMBER_OF,
                organisation,
                sources_of,
                folded=((tenure, _MEMBER, person), (tenure, _ORGANIZATION, organisation)),
                role=roles[0] if roles else "",
                title=titles[0] if titles else "",
            )


def event_interval(data: Mapping[str, Any]) -> tuple[str, str]:
    """Return the first and last day (ISO dates, ``""`` if unknown) an event's date can mean.

    Sources may date an event differently ("in 2025", "on October 28"): the interval is
    the narrowest the dates agree on, or their hull when they disagree.

    >>> event_interval({"earliestDate": ["2025-01-01", "2025-10-28"],
    ...                 "latestDate": ["2025-10-28", "2025-12-31"]})
    ('2025-10-28', '2025-10-28')
    >>> event_interval({"date": "2021"})
    ('', '')
    """

    def days(name: str) -> list[str]:
        value = data.get(name)
        values = value if isinstance(value, list) else [value] if value else []
        return sorted(str(v)[:10] for v in values if _ISO_DAY.fullmatch(str(v)[:10]))

    earliest, latest = days("earliestDate"), days("latestDate")
    if not earliest:
        return "", ""
    first, last = earliest[-1], latest[0] if latest else earliest[-1]
    if last < first:
        first, last = earliest[0], latest[-1] if latest else earliest[0]
    return first, last


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def actor_network(
    entities: nx.MultiDiGraph,
    *,
    actor_groups: Collection[str] = ACTOR_GROUPS,
    include_isolated: bool = False,
) -> nx.Graph:
    """Return actors linked through the events they took part in, weighted by co-occurrence.

    An actor takes part in an event when an edge joins them (participant, actor, speaker,
    organiser ...) or when a participant acted on its behalf there. Edge ``weight`` is the
    number of shared events; ``events`` lists them, ``dates`` their earliest dates.
    """
    network = nx.Graph(
        name="China–ASEAN knowledge graph: actor network",
        view="actors",
        sources=list(entities.graph.get("sources", [])),
    )
    groups = set(actor_groups)
    is_actor = {n for n, d in entities.nodes(data=True) if d.get("group") in groups}
    taking_part: dict[str, set[str]] = defaultdict(set)
    for event, data in entities.nodes(data=True):
        if data.get("group") != "event":
            continue
        for _, other, edge in itertools.chain(
            entities.out_edges(event, data=True),
            ((v, u, d) for u, v, d in entities.in_edges(event, data=True)),
        ):
            if other in is_actor:
                taking_part[event].add(other)
            for party in edge.get("on_behalf_of", []):
                if party in is_actor:
                    taking_part[event].add(party)
    for actor in sorted(is_actor):
        events = sorted(e for e, actors in taking_part.items() if actor in actors)
        if events or include_isolated:
            attributes = dict(entities.nodes[actor])
            attributes["events"] = len(events)
            network.add_node(actor, **attributes)
    for event in sorted(taking_part):
        event_data = entities.nodes[event]
        date = event_interval(event_data)[0]
        for a, b in itertools.combinations(sorted(taking_part[event]), 2):
            if network.has_edge(a, b):
                edge = network.edges[a, b]
                edge["weight"] += 1
                edge["events"].append(event)
                edge["event_labels"].append(event_data.get("label", ""))
                edge["dates"].append(date)
            else:
                network.add_edge(
                    a,
                    b,
                    weight=1,
                    label="took part with",
                    events=[event],
                    event_labels=[event_data.get("label", "")],
                    dates=[date],
                )
    return network
