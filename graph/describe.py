"""Describe one resource of the dataset: its RDF description and the model of its page.

The web layer maps its own paths onto the dataset's IRIs with :class:`LocalPaths` (so the
IRIs in the data stay the same whichever host serves them), asks :func:`describe` for what
a page shows (label, types, links in and out, and where each fact came from) and
:func:`description_triples` for what the RDF documents hold, serialized by
:func:`serialize_triples` in one of :data:`RDF_FORMATS`.

>>> paths = LocalPaths("https://w3id.org/cakg/id/")
>>> paths.to_local("https://w3id.org/cakg/id/person/wang-wentao")
'/id/person/wang-wentao'
>>> paths.to_local("https://w3id.org/cakg/ontology#Tenure")
'/ontology#Tenure'
>>> paths.to_iri("person/wang-wentao")
'https://w3id.org/cakg/id/person/wang-wentao'
>>> compact("http://schema.org/Person")
'schema:Person'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from cakg.graph.formats import NotAcceptable
from cakg.graph.namespaces import BASE, DATA_BASE, ONTOLOGY_IRI, PREFIXES, SHAPES_IRI
from cakg.graph.store import LocalStore
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

__all__ = [
    "DOCUMENT_TYPES",
    "HTML",
    "RDF_FORMATS",
    "Description",
    "Evidence",
    "Fact",
    "LocalPaths",
    "RdfFormat",
    "ShapeDoc",
    "Term",
    "compact",
    "describe",
    "description_triples",
    "negotiate_document",
    "serialize_triples",
    "shapes_index",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
CAKG_NS = PREFIXES["cakg"]
NIF = PREFIXES["nif"]
OA = PREFIXES["oa"]
SCHEMA = PREFIXES["schema"]

_TYPE = ox.NamedNode(RDF + "type")
_LABEL_PROPERTIES = [
    ox.NamedNode(RDFS + "label"),
    ox.NamedNode(SKOS + "prefLabel"),
    ox.NamedNode(SCHEMA + "name"),
    ox.NamedNode(DCTERMS + "title"),
    ox.NamedNode(NIF + "anchorOf"),  # a text span is called by its words
]
#: Labels longer than this are cut (with an ellipsis) where they stand for a link.
LABEL_LENGTH = 120
_REIFICATION = {RDF + "subject", RDF + "predicate", RDF + "object"}
_EVIDENCE = ox.NamedNode(PREFIXES["cakg"] + "evidence")

Node = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialization the linked-data documents are offered in."""

    media_type: str
    extension: str
    name: str
    format: ox.RdfFormat


#: Serializations of descriptions, in the server's order of preference for ``*/*``.
RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("text/turtle", "ttl", "Turtle", ox.RdfFormat.TURTLE),
    RdfFormat("application/ld+json", "jsonld", "JSON-LD", ox.RdfFormat.JSON_LD),
    RdfFormat("application/n-triples", "nt", "N-Triples", ox.RdfFormat.N_TRIPLES),
    RdfFormat("application/rdf+xml", "rdf", "RDF/XML", ox.RdfFormat.RDF_XML),
)


HTML = "text/html"
#: Document extension -> media type; HTML first, so that ``*/*`` (browsers) gets a page.
DOCUMENT_TYPES: dict[str, str] = {"html": HTML, **{f.extension: f.media_type for f in RDF_FORMATS}}
#: Other media types clients send for the same documents.
_DOCUMENT_ALIASES = {
    "application/xhtml+xml": "html",
    "application/json": "jsonld",
    "text/plain": "nt",
    "application/xml": "rdf",
    "text/xml": "rdf",
}


def negotiate_document(accept: str | None, *, default: str = "html") -> str:
    """Return the document extension that best fits ``Accept`` (``html``, ``ttl`` ...).

    >>> negotiate_document("application/rdf+xml;q=0.9, text/turtle;q=0.5")
    'rdf'
    >>> negotiate_document("*/*")
    'html'

    Raises:
        NotAcceptable: nothing offered matches (answer 406); the message lists the types.
    """
    if not accept or not accept.strip():
        return default
    offered = [DOCUMENT_TYPES[default]]
    offered += [t for e, t in DOCUMENT_TYPES.items() if e != default]
    offered += list(_DOCUMENT_ALIASES)
    best = parse_accept_header(accept, MIMEAccept).best_match(offered)
    if best is None:
        raise NotAcceptable(
            f"No acceptable media type in Accept: {accept!r}; this resource is described in "
            f"{', '.join(DOCUMENT_TYPES.values())}."
        )
    for extension, media_type in DOCUMENT_TYPES.items():
        if media_type == best:
            return extension
    return _DOCUMENT_ALIASES[best]


def compact(iri: str) -> str:
    """Return ``iri`` as a prefixed name when a project prefix covers it, else unchanged."""
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    if not best:
        return iri
    local = iri[len(best) :]
    if re.fullmatch(r"[A-Za-z0-9_\-./]*", local) is None:
        return iri
    return f"{best_prefix}:{local}"


@dataclass(frozen=True)
class LocalPaths:
    """Map the dataset's IRIs to the server's own paths and back (the configured base)."""

    data_base: str = DATA_BASE
    base: str = BASE
    script_root: str = ""

    def to_iri(self, data_path: str) -> str:
        """Return the data IRI for the path after ``/id/``."""
        return self.data_base + data_path

    def to_local(self, iri: str) -> str | None:
        """Return the local path that serves ``iri``, or ``None`` when no path here does."""
        root = self.script_root
        if iri.startswith(self.data_base):
            return f"{root}/id/{iri[len(self.data_base) :]}"
        for special, path in ((str(ONTOLOGY_IRI), "/ontology"), (str(SHAPES_IRI), "/shapes")):
            if iri == special or iri.startswith(special + "#") or iri.startswith(special + "/"):
                return root + path + iri[len(special) :]
        if iri.startswith(self.base):
            return f"{root}/{iri[len(self.base) :]}"
        return None

    def document_iri(self, iri: str) -> str:
        """Return ``iri`` without its fragment (hash IRIs are served by their document)."""
        return iri.split("#", 1)[0]


@dataclass(frozen=True)
class Term:
    """An RDF term as a page shows it: kind, value, label and where it links."""

    kind: str  # "iri", "bnode" or "literal"
    value: str
    label: str | None = None
    language: str | None = None
    datatype: str | None = None

    @property
    def display(self) -> str:
        """Return the text to show: the label, else the prefixed name, else the value."""
        if self.kind == "literal":
            return self.value
        label = self.label
        if label and len(label) > LABEL_LENGTH:
            label = label[: LABEL_LENGTH - 1].rstrip() + "…"
        if self.kind == "iri":
            return label or compact(self.value)
        return label or "(anonymous node)"

    @property
    def short(self) -> str:
        """Return the compact form of an IRI (prefixed name) or the value."""
        return compact(self.value) if self.kind == "iri" else self.value

    @property
    def datatype_short(self) -> str | None:
        """Return the literal's datatype as a prefixed name (``None`` for plain strings)."""
        if self.datatype is None or self.datatype.endswith("#string"):
            return None
        if self.datatype.endswith("#langString"):
            return None
        return compact(self.datatype)


@dataclass(frozen=True)
class Evidence:
    """Where a fact came from: the source document, its date, the sentence and the span."""

    span: str
    sentence: str
    highlights: tuple[tuple[int, int], ...]
    source: str | None = None
    source_label: str | None = None
    issued: str | None = None
    graph: str | None = None
    sentence_iri: str | None = None

    def segments(self) -> list[tuple[str, bool]]:
        """Return the sentence as ``(text, highlighted)`` pieces, in order."""
        merged: list[list[int]] = []
        for begin, end in sorted(self.highlights):
            if merged and begin <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            elif end > begin:
                merged.append([begin, end])
        pieces: list[tuple[str, bool]] = []
        cursor = 0
        for begin, end in merged:
            if begin > cursor:
                pieces.append((self.sentence[cursor:begin], False))
            pieces.append((self.sentence[begin:end], True))
            cursor = end
        if cursor < len(self.sentence):
            pieces.append((self.sentence[cursor:], False))
        return pieces


@dataclass(frozen=True)
class Fact:
    """One triple about the described resource, with the graphs and evidence stating it."""

    subject: Term
    predicate: Term
    object: Term
    graphs: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()


@dataclass
class Description:
    """What the page of one resource shows."""

    iri: str
    label: str | None
    labels: list[Term]
    types: list[Term]
    outgoing: list[Fact]
    incoming: list[Fact]
    fragments: list[Description] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    #: For a text span: the facts extracted from it (reified statements citing it).
    extracted: list[Fact] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        """Return whether the dataset says anything about the resource."""
        return bool(
            self.outgoing or self.incoming or self.fragments or self.types or self.extracted
        )

    @property
    def sources(self) -> list[Evidence]:
        """Return one piece of evidence per source document the facts cite, oldest first."""
        seen: dict[str, Evidence] = {}
        for fact in [*self.outgoing, *self.incoming]:
            for evidence in fact.evidence:
                if evidence.source is not None:
                    seen.setdefault(evidence.source, evidence)
        return sorted(seen.values(), key=lambda e: (e.issued or "", e.source or ""))

    @property
    def title(self) -> str:
        """Return the page title: the label, else the compact IRI."""
        return self.label or compact(self.iri)

    @property
    def fragment(self) -> str | None:
        """Return the fragment of a hash IRI (the anchor on its document's page)."""
        return self.iri.split("#", 1)[1] if "#" in self.iri else None


class _Lookup:
    """Cached reads of the store for one request."""

    def __init__(self, store: LocalStore) -> None:
        self.store = store
        self._labels: dict[str, str | None] = {}

    def objects(self, subject: Node, predicate: ox.NamedNode) -> list[Object]:
        seen: dict[str, Object] = {}
        for quad in self.store.quads(subject, predicate, None, None):
            seen.setdefault(str(quad.object), quad.object)
        return list(seen.values())

    def one(self, subject: Node, predicate: ox.NamedNode) -> Object | None:
        found = self.objects(subject, predicate)
        return sorted(found, key=str)[0] if found else None

    def text(self, subject: Node, predicate: ox.NamedNode) -> str | None:
        found = [o for o in self.objects(subject, predicate) if isinstance(o, ox.Literal)]
        return _pick_language(found)

    def label(self, node: Node) -> str | None:
        key = str(node)
        if key not in self._labels:
            label = None
            for prop in _LABEL_PROPERTIES:
                label = self.text(node, prop)
                if label:
                    break
            self._labels[key] = label
        return self._labels[key]

    def term(self, node: Object) -> Term:
        if isinstance(node, ox.NamedNode):
            return Term("iri", node.value, label=self.label(node))
        if isinstance(node, ox.BlankNode):
            return Term("bnode", node.value, label=self.label(node))
        if isinstance(node, ox.Triple):
            return Term("literal", f"<< {node} >>")
        return Term(
            "literal",
            node.value,
            language=node.language,
            datatype=node.datatype.value if node.datatype else None,
        )


def _pick_language(literals: Sequence[ox.Literal]) -> str | None:
    """Return the English (else untagged, else first) literal's value."""
    if not literals:
        return None
    ranked = sorted(
        literals,
        key=lambda lit: (
            0 if (lit.language or "").startswith("en") else 1 if not lit.language else 2,
            lit.value,
        ),
    )
    return ranked[0].value


def _fragments_of(store: LocalStore, iri: str) -> list[ox.NamedNode]:
    """Return the hash IRIs ``iri#...`` that are subjects in the dataset."""
    if "#" in iri:
        return []
    query = (
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
        f"FILTER(STRSTARTS(STR(?s), {_string_literal(iri + '#')})) }} LIMIT 2000"
    )
    found = [row["s"] for row in store.select(query)]
    nodes = [n for n in found if isinstance(n, ox.NamedNode)]
    return sorted(nodes, key=_fragment_order)


def _fragment_order(node: ox.NamedNode) -> tuple[int, int, str]:
    match = re.search(r"#char=(\d+),(\d+)$", node.value)
    if match:
        return (int(match.group(1)), int(match.group(2)), node.value)
    return (1 << 62, 0, node.value)


def _string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _group(quads: Iterable[ox.Quad]) -> dict[tuple[str, str, str], tuple[ox.Triple, list[str]]]:
    grouped: dict[tuple[str, str, str], tuple[ox.Triple, list[str]]] = {}
    for quad in quads:
        key = (str(quad.subject), str(quad.predicate), str(quad.object))
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if key not in grouped:
            grouped[key] = (ox.Triple(quad.subject, quad.predicate, quad.object), [])
        if graph and graph not in grouped[key][1]:
            grouped[key][1].append(graph)
    return grouped


def describe(store: LocalStore, iri: str) -> Description:
    """Return what the page of ``iri`` shows (check ``.exists`` for unknown IRIs)."""
    lookup = _Lookup(store)
    description = _describe_one(store, lookup, iri)
    description.fragments = [
        _describe_one(store, lookup, fragment.value) for fragment in _fragments_of(store, iri)
    ]
    return description


def _describe_one(store: LocalStore, lookup: _Lookup, iri: str) -> Description:
    node = ox.NamedNode(iri)
    out_groups = _group(store.quads(node, None, None, None))
    in_groups = _group(q for q in store.quads(None, None, node, None) if q.subject != node)
    evidence = _Evidence(store, lookup)
    types: list[Term] = []
    labels: list[Term] = []
    outgoing: list[Fact] = []
    graphs: set[str] = set()
    for triple, in_graphs in out_groups.values():
        graphs.update(in_graphs)
        if triple.predicate == _TYPE:
            types.append(lookup.term(triple.object))
            continue
        if triple.predicate == _LABEL_PROPERTIES[0]:
            labels.append(lookup.term(triple.object))
        outgoing.append(_fact(lookup, evidence, triple, in_graphs))
    incoming: list[Fact] = []
    extracted: list[Fact] = []
    for triple, in_graphs in in_groups.values():
        graphs.update(in_graphs)
        if triple.predicate.value in _REIFICATION:
            continue  # provenance records; shown as the evidence of each fact instead
        if triple.predicate == _EVIDENCE:
            fact = _reified_fact(lookup, triple.subject, in_graphs)
            if fact is not None:
                extracted.append(fact)
                continue
        incoming.append(_fact(lookup, evidence, triple, in_graphs))
    outgoing.sort(key=lambda f: (f.predicate.short, f.object.display.lower(), f.object.value))
    incoming.sort(key=lambda f: (f.predicate.short, f.subject.display.lower(), f.subject.value))
    extracted.sort(key=lambda f: (f.subject.display.lower(), f.predicate.short, f.object.value))
    types.sort(key=lambda t: t.short)
    labels.sort(key=lambda t: (t.language or "", t.value))
    return Description(
        iri=iri,
        label=lookup.label(node),
        labels=labels,
        types=types,
        outgoing=outgoing,
        incoming=incoming,
        graphs=sorted(graphs),
        extracted=extracted,
    )


def _reified_fact(
    lookup: _Lookup, statement: ox.NamedNode | ox.BlankNode | ox.Triple, graphs: Sequence[str]
) -> Fact | None:
    """Return the triple a reified ``rdf:Statement`` stands for, or ``None`` if it is not one."""
    if isinstance(statement, ox.Triple):
        return None
    subject = lookup.one(statement, ox.NamedNode(RDF + "subject"))
    predicate = lookup.one(statement, ox.NamedNode(RDF + "predicate"))
    obj = lookup.one(statement, ox.NamedNode(RDF + "object"))
    if subject is None or not isinstance(predicate, ox.NamedNode) or obj is None:
        return None
    return Fact(
        subject=lookup.term(subject),
        predicate=lookup.term(predicate),
        object=lookup.term(obj),
        graphs=tuple(sorted(graphs)),
    )


def _fact(lookup: _Lookup, evidence: _Evidence, triple: ox.Triple, graphs: Sequence[str]) -> Fact:
    subject = lookup.term(triple.subject)
    obj = lookup.term(triple.object)
    return Fact(
        subject=subject,
        predicate=lookup.term(triple.predicate),
        object=obj,
        graphs=tuple(sorted(graphs)),
        evidence=evidence.of(triple, subject, obj),
    )


class _Evidence:
    """Find and resolve the evidence of reified fact triples."""

    def __init__(self, store: LocalStore, lookup: _Lookup) -> None:
        self.store = store
        self.lookup = lookup
        self._spans: dict[str, _Span | None] = {}

    def of(self, triple: ox.Triple, subject: Term, obj: Term) -> tuple[Evidence, ...]:
        if isinstance(triple.subject, ox.Triple) or isinstance(triple.object, ox.Triple):
            return ()
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            return ()  # blank nodes cannot be named in a query; none are reified
        query = (
            "SELECT DISTINCT ?g ?ev WHERE { GRAPH ?g { ?st rdf:subject ?s ; "
            "rdf:predicate ?p ; rdf:object ?o ; cakg:evidence ?ev } "
            f"VALUES (?s ?p ?o) {{ ({triple.subject} {triple.predicate} {triple.object}) }} }}"
        )
        found: list[Evidence] = []
        rows = self.store.select(query)
        names: list[str] = []
        anchors: list[tuple[str, int, int]] = []
        if rows:
            for node, term in ((triple.subject, subject), (triple.object, obj)):
                names.extend(self._names(node, term))
                anchors.extend(self._anchors(node))
        for row in rows:
            span = row["ev"]
            graph = row["g"]
            if not isinstance(span, ox.NamedNode | ox.BlankNode):
                continue
            resolved = self._span(span)
            if resolved is None:
                continue
            found.append(
                resolved.evidence(
                    graph.value if isinstance(graph, ox.NamedNode) else None,
                    names=names,
                    anchors=anchors,
                )
            )
        found.sort(key=lambda e: (e.issued or "", e.source or "", e.span))
        return tuple(found)

    def _names(self, node: Object, term: Term) -> list[str]:
        """Return what a sentence may call ``node``: a literal's text, an entity's names."""
        if isinstance(node, ox.Literal):
            return [node.value]
        if not isinstance(node, ox.NamedNode) or not node.value.startswith(DATA_BASE):
            return []  # vocabulary terms (types, concepts) are not mentioned by name
        names = [term.label] if term.label else []
        for prop in (CAKG_NS + "alias", SKOS + "altLabel"):
            for alias in self.lookup.objects(node, ox.NamedNode(prop)):
                if isinstance(alias, ox.Literal):
                    names.append(alias.value)
        return names

    def _anchors(self, node: Object) -> list[tuple[str, int, int]]:
        """Return the spans of the exact words of a quotation (``cakg:quoteSpan``)."""
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            return []
        found = []
        for span in self.lookup.objects(node, ox.NamedNode(CAKG_NS + "quoteSpan")):
            if not isinstance(span, ox.NamedNode | ox.BlankNode):
                continue
            context = self.lookup.one(span, ox.NamedNode(NIF + "referenceContext"))
            begin = _int(self.lookup.one(span, ox.NamedNode(NIF + "beginIndex")))
            end = _int(self.lookup.one(span, ox.NamedNode(NIF + "endIndex")))
            if context is not None and begin is not None and end is not None:
                found.append((str(context), begin, end))
        return found

    def _span(self, span: Node) -> _Span | None:
        key = str(span)
        if key not in self._spans:
            self._spans[key] = self._resolve(span)
        return self._spans[key]

    def _resolve(self, span: Node) -> _Span | None:
        lookup = self.lookup
        begin = _int(lookup.one(span, ox.NamedNode(NIF + "beginIndex")))
        end = _int(lookup.one(span, ox.NamedNode(NIF + "endIndex")))
        anchor = lookup.text(span, ox.NamedNode(NIF + "anchorOf"))
        context = lookup.one(span, ox.NamedNode(NIF + "referenceContext"))
        document = lookup.one(span, ox.NamedNode(CAKG_NS + "sourceDocument")) or lookup.one(
            span, ox.NamedNode(OA + "hasSource")
        )
        if document is None and isinstance(context, ox.NamedNode | ox.BlankNode):
            document = lookup.one(context, ox.NamedNode(CAKG_NS + "sourceDocument"))
        sentence_node: Node | None = span
        sentence_begin, sentence_end, sentence_text = begin, end, anchor
        is_sentence = ox.NamedNode(NIF + "Sentence") in lookup.objects(span, _TYPE)
        if not is_sentence and isinstance(context, ox.NamedNode) and begin is not None:
            found = self._sentence_around(context, begin, end if end is not None else begin)
            if found is not None:
                sentence_node, sentence_begin, sentence_end, sentence_text = found
        if sentence_text is None and isinstance(context, ox.NamedNode | ox.BlankNode):
            whole = lookup.text(context, ox.NamedNode(NIF + "isString"))
            if whole is not None and sentence_begin is not None and sentence_end is not None:
                sentence_text = whole[sentence_begin:sentence_end]
        if sentence_text is None:
            return None
        highlight: tuple[int, int] | None = None
        if (
            sentence_node != span
            and begin is not None
            and end is not None
            and sentence_begin is not None
        ):
            highlight = (begin - sentence_begin, end - sentence_begin)
        doc_iri = document.value if isinstance(document, ox.NamedNode) else None
        issued = None
        source_label = None
        if isinstance(document, ox.NamedNode | ox.BlankNode):
            issued = lookup.text(document, ox.NamedNode(DCTERMS + "issued"))
            source_label = (
                lookup.label(document)
                or lookup.text(document, ox.NamedNode(DCTERMS + "publisher"))
                or None
            )
        return _Span(
            context=str(context) if context is not None else None,
            sentence_begin=sentence_begin,
            span=str(span.value) if isinstance(span, ox.NamedNode) else str(span),
            sentence=sentence_text,
            sentence_iri=sentence_node.value if isinstance(sentence_node, ox.NamedNode) else None,
            highlight=highlight,
            source=doc_iri,
            source_label=source_label,
            issued=issued,
        )

    def _sentence_around(
        self, context: ox.NamedNode, begin: int, end: int
    ) -> tuple[Node, int, int, str | None] | None:
        query = (
            "SELECT ?s ?b ?e ?a WHERE { ?s nif:referenceContext ?ctx ; a nif:Sentence ; "
            "nif:beginIndex ?b ; nif:endIndex ?e . OPTIONAL { ?s nif:anchorOf ?a } "
            f"VALUES ?ctx {{ {context} }} "
            f"FILTER(?b <= {begin} && ?e >= {end}) }} ORDER BY (?e - ?b) LIMIT 1"
        )
        for row in self.store.select(query):
            node = row["s"]
            b, e = _int(row.get("b")), _int(row.get("e"))
            anchor = row.get("a")
            if isinstance(node, ox.NamedNode | ox.BlankNode) and b is not None and e is not None:
                return node, b, e, anchor.value if isinstance(anchor, ox.Literal) else None
        return None


@dataclass(frozen=True)
class _Span:
    context: str | None
    sentence_begin: int | None
    span: str
    sentence: str
    sentence_iri: str | None
    highlight: tuple[int, int] | None
    source: str | None
    source_label: str | None
    issued: str | None

    def evidence(
        self,
        graph: str | None,
        *,
        names: Sequence[str],
        anchors: Sequence[tuple[str, int, int]],
    ) -> Evidence:
        """Return the evidence, highlighting the span, quoted words, or the fact's names."""
        highlights: list[tuple[int, int]] = []
        if self.highlight is not None:
            highlights.append(self.highlight)
        start = self.sentence_begin
        for context, begin, end in anchors:
            inside = start is not None and begin >= start and end <= start + len(self.sentence)
            if context == self.context and start is not None and inside:
                highlights.append((begin - start, end - start))
        if not highlights:
            lowered = self.sentence.lower()
            for name in sorted(set(names), key=len, reverse=True):
                if len(name) < 2:
                    continue
                match = re.search(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)", lowered)
                if match is not None:
                    highlights.append(match.span())
        return Evidence(
            span=self.span,
            sentence=self.sentence,
            highlights=tuple(sorted(set(highlights))),
            source=self.source,
            source_label=self.source_label,
            issued=self.issued,
            graph=graph,
            sentence_iri=self.sentence_iri,
        )


def _int(term: object) -> int | None:
    if isinstance(term, ox.Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def description_triples(store: LocalStore, iri: str) -> list[ox.Triple]:
    """Return the triples of ``iri``'s RDF description, sorted.

    They are: what is said about ``iri`` and its hash IRIs (following blank nodes), the
    links into it, the reified statements about it with their evidence, and the labels of
    the resources it links to.
    """
    node = ox.NamedNode(iri)
    subjects: list[Node] = [node, *_fragments_of(store, iri)]
    triples: set[ox.Triple] = set()
    neighbours: set[str] = set()
    seen: set[str] = set()
    queue: list[Node] = list(subjects)
    while queue:
        current = queue.pop()
        if str(current) in seen:
            continue
        seen.add(str(current))
        for quad in store.quads(current, None, None, None):
            triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
            if isinstance(quad.object, ox.BlankNode):
                queue.append(quad.object)
            elif isinstance(quad.object, ox.NamedNode):
                neighbours.add(quad.object.value)
    for quad in store.quads(None, None, node, None):
        triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
        if isinstance(quad.subject, ox.NamedNode) and quad.predicate.value not in _REIFICATION:
            neighbours.add(quad.subject.value)
        reifies = quad.predicate.value in _REIFICATION
        if reifies and isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
            # the reified statement carries the fact's provenance (cakg:evidence)
            for inner in store.quads(quad.subject, None, None, None):
                triples.add(ox.Triple(inner.subject, inner.predicate, inner.object))
    label = _LABEL_PROPERTIES[0]
    for neighbour in sorted(neighbours - {iri}):
        for quad in store.quads(ox.NamedNode(neighbour), label, None, None):
            triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
    return sorted(triples, key=str)


def serialize_triples(triples: Sequence[ox.Triple], rdf_format: RdfFormat) -> bytes:
    """Serialize ``triples`` in ``rdf_format`` with the project's prefixes."""
    prefixes = _used_prefixes(triples) if rdf_format.format != ox.RdfFormat.N_TRIPLES else None
    data = ox.serialize(triples, format=rdf_format.format, prefixes=prefixes)
    return data if isinstance(data, bytes) else b""


def _used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    text = " ".join(str(t) for t in triples)
    # ``id:`` would turn data IRIs into escaped local names (``id:person\/x``): spell them out.
    return {p: ns for p, ns in PREFIXES.items() if f"<{ns}" in text and p != "id"}


@dataclass(frozen=True)
class ShapeDoc:
    """One named shape as the shapes page lists it: label, comment and constraints."""

    name: str
    label: str
    comment: str
    constraints: tuple[tuple[Term, tuple[Term, ...]], ...]


def _expand(store: ox.Store, node: Object, depth: int = 0) -> list[Object]:
    """Return the items of an RDF list, a blank node as text of its triples, else the node."""
    if not isinstance(node, ox.BlankNode) or depth > 3:
        return [node]
    first = ox.NamedNode(RDF + "first")
    rest = ox.NamedNode(RDF + "rest")
    items: list[Object] = []
    current: Object = node
    seen = set()
    while isinstance(current, ox.BlankNode) and str(current) not in seen:
        seen.add(str(current))
        heads = [q.object for q in store.quads_for_pattern(current, first, None, None)]
        if not heads:
            break
        items.extend(_expand(store, heads[0], depth + 1))
        tails = [q.object for q in store.quads_for_pattern(current, rest, None, None)]
        current = tails[0] if tails else ox.NamedNode(RDF + "nil")
    if items or (isinstance(current, ox.NamedNode) and current.value == RDF + "nil"):
        return items
    parts = []
    for quad in store.quads_for_pattern(node, None, None, None):
        shown = [str(o) if isinstance(o, ox.Literal) else _short(o) for o in [quad.object]]
        parts.append(f"{_short(quad.predicate)} {shown[0]}")
    return [ox.Literal("[ " + " ; ".join(sorted(parts)) + " ]")]


def _short(node: object) -> str:
    if isinstance(node, ox.NamedNode):
        shacl = "http://www.w3.org/ns/shacl#"
        if node.value.startswith(shacl):
            return "sh:" + node.value[len(shacl) :]
        return compact(node.value)
    return str(node)


def _shape_term(term: Term, shacl: str, namespace: str) -> Term:
    """Name SHACL terms ``sh:x`` and the shapes by their local names."""
    if term.kind != "iri":
        return term
    if term.value.startswith(shacl):
        return Term("iri", term.value, label="sh:" + term.value[len(shacl) :])
    if term.value.startswith(namespace):
        return Term("iri", term.value, label=term.value[len(namespace) :])
    return term


@functools.lru_cache(maxsize=4)
def shapes_index(turtle: str) -> tuple[tuple[str, tuple[ShapeDoc, ...]], ...]:
    """Return the named node shapes and property shapes of the SHACL file ``turtle``."""
    store = ox.Store()
    store.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=str(SHAPES_IRI))
    lookup = _Lookup(LocalStore(store))
    namespace = str(SHAPES_IRI) + "#"
    shacl = "http://www.w3.org/ns/shacl#"
    skipped = {RDFS + "label", RDFS + "comment", RDF + "type"}
    sections = []
    for title, kind in (("Node shapes", "NodeShape"), ("Property shapes", "PropertyShape")):
        docs = []
        for quad in store.quads_for_pattern(None, _TYPE, ox.NamedNode(shacl + kind), None):
            node = quad.subject
            if not isinstance(node, ox.NamedNode) or not node.value.startswith(namespace):
                continue
            by_property: dict[str, list[Term]] = {}
            for inner in store.quads_for_pattern(node, None, None, None):
                if inner.predicate.value in skipped or isinstance(inner.object, ox.Triple):
                    continue
                values = by_property.setdefault(inner.predicate.value, [])
                for value in _expand(store, inner.object):
                    values.append(_shape_term(lookup.term(value), shacl, namespace))
            constraints = tuple(
                (
                    _shape_term(Term("iri", prop), shacl, namespace),
                    tuple(sorted(values, key=lambda t: (t.short, t.value))),
                )
                for prop, values in sorted(by_property.items(), key=lambda item: compact(item[0]))
            )
            name = node.value[len(namespace) :]
            docs.append(
                ShapeDoc(
                    name=name,
                    label=lookup.label(node) or name,
                    comment=lookup.text(node, ox.NamedNode(RDFS + "comment")) or "",
                    constraints=constraints,
                )
            )
        sections.append((title, tuple(sorted(docs, key=lambda d: d.name.lower()))))
    return tuple(sections)
