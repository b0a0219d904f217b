"""Facts with their evidence, and the source graph they become.

Extractors add facts (triples) to a ``FactSink`` together with the span of text they come
from. ``FactSink.to_graph`` writes the source's named graph: the facts themselves, each
also reified as an ``rdf:Statement`` with ``cakg:evidence`` pointing at the sentence (a NIF
string with Web Annotation selectors), the document and its text, and the PROV-O
description of the graph and of the extraction activity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cakg.graph.model import types_for
from cakg.graph.namespaces import (
    CAKG,
    NIF,
    OA,
    SCHEMA,
    bind_prefixes,
    entity_iri,
    graph_iri,
)
from cakg.loaders.sources import Document
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "FactSink", "Span", "span_iri"]

EXTRACTOR_NAME = "cakg rule-based extractor"
#: Bumped whenever extraction rules change what they produce.
EXTRACTOR_VERSION = "0.1.0"
_CONTEXT_CHARS = 32


@dataclass(frozen=True, order=True)
class Span:
    """A span ``[start, end)`` of a document's text; ``sentence`` marks whole sentences."""

    start: int
    end: int
    sentence: bool = True


def span_iri(source_id: str, span: Span) -> URIRef:
    """Return the RFC 5147 IRI of a span of a source's text."""
    return URIRef(f"{entity_iri('text', source_id)}#char={span.start},{span.end}")


@dataclass
class FactSink:
    """Collects the facts extracted from one document, each with its evidence."""

    document: Document
    facts: dict[tuple[URIRef, URIRef, URIRef | Literal], set[Span]] = field(default_factory=dict)
    according_to: dict[tuple[URIRef, URIRef, URIRef | Literal], URIRef] = field(
        default_factory=dict
    )
    mentions: dict[tuple[int, int], URIRef] = field(default_factory=dict)
    mention_sentences: dict[tuple[int, int], Span] = field(default_factory=dict)
    extra_spans: set[Span] = field(default_factory=set)
    #: The publisher's IRI, and its label when the gazetteer does not know it.
    publisher: URIRef | None = None
    publisher_label: str | None = None

    def add(
        self,
        s: URIRef,
        p: URIRef,
        o: URIRef | Literal,
        evidence: Span,
        *,
        according_to: URIRef | None = None,
    ) -> None:
        """Record the fact ``(s, p, o)``, stated by the text at ``evidence``."""
        self.facts.setdefault((s, p, o), set()).add(evidence)
        if according_to is not None:
            self.according_to[(s, p, o)] = according_to

    def typed(self, s: URIRef, cls: URIRef, evidence: Span) -> None:
        """Record that ``s`` is a ``cls`` (and every superclass the ontology gives)."""
        for t in types_for(cls):
            self.add(s, RDF.type, t, evidence)

    def labelled(self, s: URIRef, label: str, evidence: Span, *, lang: str = "en") -> None:
        """Record the label of an entity the extractors created."""
        self.add(s, RDFS.label, Literal(label, lang=lang), evidence)

    def mention(self, entity: URIRef, start: int, end: int, sentence: Span) -> None:
        """Record that ``[start, end)`` names ``entity``, in ``sentence``."""
        self.mentions[(start, end)] = entity
        self.mention_sentences[(start, end)] = sentence
        self.add(self.document_iri, SCHEMA.mentions, entity, sentence)

    def span(self, span: Span) -> URIRef:
        """Return the IRI of ``span`` and make sure the graph describes it."""
        self.extra_spans.add(span)
        return span_iri(self.document.source_id, span)

    @property
    def document_iri(self) -> URIRef:
        """Return the IRI of the source document."""
        return entity_iri("source", self.document.source_id)

    @property
    def graph_name(self) -> URIRef:
        """Return the IRI of the source's named graph."""
        return graph_iri(self.document.source_id)

    def to_graph(self) -> Graph:
        """Return the source's named graph: facts, evidence and provenance."""
        g = Graph()
        bind_prefixes(g)
        doc = self.document
        sid = doc.source_id
        doc_iri = self.document_iri
        text_iri = entity_iri("text", sid)
        activity = entity_iri("activity", sid)
        agent = entity_iri("software", "cakg-extractor", EXTRACTOR_VERSION)
        self._describe_document(g, doc_iri, text_iri)
        # The graph and the activity that made it (PROV-O).
        name = self.graph_name
        for t in types_for(CAKG.SourceGraph):
            g.add((name, RDF.type, t))
        g.add((name, RDFS.label, Literal(f"Facts stated by source {sid}", lang="en")))
        g.add((name, CAKG.sourceDocument, doc_iri))
        g.add((name, PROV.wasDerivedFrom, doc_iri))
        g.add((name, PROV.wasGeneratedBy, activity))
        for t in types_for(CAKG.ExtractionActivity):
            g.add((activity, RDF.type, t))
        g.add((activity, RDFS.label, Literal(f"Extraction of facts from source {sid}", lang="en")))
        g.add((activity, PROV.used, doc_iri))
        g.add((activity, PROV.wasAssociatedWith, agent))
        for t in types_for(CAKG.Extractor):
            g.add((agent, RDF.type, t))
        g.add((agent, RDFS.label, Literal(f"{EXTRACTOR_NAME} {EXTRACTOR_VERSION}", lang="en")))
        g.add((agent, SCHEMA.softwareVersion, Literal(EXTRACTOR_VERSION)))
        # Every span that is evidence of something.
        spans: set[Span] = set(self.extra_spans)
        for evidence in self.facts.values():
            spans |= evidence
        spans |= {Span(s, e, sentence=False) for s, e in self.mentions}
        for span in sorted(spans):
            self._describe_span(g, span, text_iri, doc_iri)
        # The facts, each reified with its evidence.
        for (s, p, o), evidence in sorted(self.facts.items(), key=lambda item: _key(item[0])):
            g.add((s, p, o))
            statement = _statement_iri(sid, s, p, o)
            g.add((statement, RDF.type, RDF.Statement))
            g.add((statement, RDF.subject, s))
            g.add((statement, RDF.predicate, p))
            g.add((statement, RDF.object, o))
            g.add((statement, PROV.wasGeneratedBy, activity))
            g.add((statement, CAKG.sourceDocument, doc_iri))
            for span in evidence:
                g.add((statement, CAKG.evidence, span_iri(sid, span)))
            authority = self.according_to.get((s, p, o))
            if authority is not None:
                g.add((statement, CAKG.accordingTo, authority))
        # Mentions as Web Annotations that identify an entity in a span.
        for (start, end), entity in sorted(self.mentions.items()):
            mention = entity_iri("mention", sid, f"{start}-{end}")
            g.add((mention, RDF.type, CAKG.Mention))
            g.add((mention, RDF.type, OA.Annotation))
            g.add((mention, OA.motivatedBy, OA.identifying))
            g.add(
                (
                    mention,
                    RDFS.label,
                    Literal(
                        f"Mention: “{self.document.text[start:end]}”",
                        lang=self.document.metadata.language,
                    ),
                )
            )
            g.add((mention, OA.hasBody, entity))
            g.add((mention, OA.hasTarget, span_iri(sid, Span(start, end, sentence=False))))
            g.add((mention, PROV.wasGeneratedBy, activity))
        _no_blank_nodes(g)
        return g

    def _describe_document(self, g: Graph, doc_iri: URIRef, text_iri: URIRef) -> None:
        doc = self.document
        meta = doc.metadata
        for t in types_for(CAKG.SourceDocument):
            g.add((doc_iri, RDF.type, t))
        g.add((doc_iri, RDF.type, SCHEMA.NewsArticle))
        title = meta.title or f"{meta.publisher}, {meta.published.isoformat()} (untitled)"
        g.add((doc_iri, RDFS.label, Literal(title, lang=meta.language)))
        if meta.title:
            g.add((doc_iri, DCTERMS.title, Literal(meta.title, lang=meta.language)))
        g.add((doc_iri, DCTERMS.issued, Literal(meta.published.isoformat(), datatype=XSD.date)))
        g.add((doc_iri, DCTERMS.language, Literal(meta.language)))
        if self.publisher is not None:
            g.add((doc_iri, DCTERMS.publisher, self.publisher))
            g.add((doc_iri, SCHEMA.publisher, self.publisher))
            if self.publisher_label is not None:
                # A publisher the gazetteer does not know, named by the source's metadata.
                for t in types_for(CAKG.NewsOrganisation):
                    g.add((self.publisher, RDF.type, t))
                g.add((self.publisher, RDFS.label, Literal(self.publisher_label, lang="en")))
                g.add((self.publisher, CAKG.extracted, Literal(True)))
        g.add((doc_iri, DCTERMS.identifier, Literal(doc.source_id)))
        if meta.url:
            g.add((doc_iri, SCHEMA.url, Literal(meta.url, datatype=XSD.anyURI)))
        g.add((text_iri, RDF.type, NIF.Context))
        g.add((text_iri, RDF.type, NIF.String))
        g.add((text_iri, RDFS.label, Literal(f"Text of source {doc.source_id}", lang="en")))
        g.add((text_iri, NIF.isString, Literal(doc.text)))
        g.add((text_iri, NIF.beginIndex, Literal(0, datatype=XSD.nonNegativeInteger)))
        g.add((text_iri, NIF.endIndex, Literal(len(doc.text), datatype=XSD.nonNegativeInteger)))
        g.add((text_iri, CAKG.sourceDocument, doc_iri))
        g.add((doc_iri, SCHEMA.text, text_iri))

    def _describe_span(self, g: Graph, span: Span, text_iri: URIRef, doc_iri: URIRef) -> None:
        text = self.document.text
        iri = span_iri(self.document.source_id, span)
        for t in types_for(CAKG.TextSpan):
            g.add((iri, RDF.type, t))
        if span.sentence:
            g.add((iri, RDF.type, NIF.Sentence))
        exact = text[span.start : span.end]
        g.add((iri, NIF.referenceContext, text_iri))
        g.add((iri, NIF.beginIndex, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        g.add((iri, NIF.endIndex, Literal(span.end, datatype=XSD.nonNegativeInteger)))
        g.add((iri, NIF.anchorOf, Literal(exact)))
        g.add((iri, OA.hasSource, doc_iri))
        g.add((iri, CAKG.sourceDocument, doc_iri))
        quote = URIRef(f"{iri}&selector=quote")
        g.add((iri, OA.hasSelector, quote))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(exact)))
        g.add((quote, OA.prefix, Literal(text[max(0, span.start - _CONTEXT_CHARS) : span.start])))
        g.add((quote, OA.suffix, Literal(text[span.end : span.end + _CONTEXT_CHARS])))
        position = URIRef(f"{iri}&selector=position")
        g.add((iri, OA.hasSelector, position))
        g.add((position, RDF.type, OA.TextPositionSelector))
        g.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        g.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))


def _key(triple: tuple[URIRef, URIRef, URIRef | Literal]) -> tuple[str, str, str]:
    s, p, o = triple
    return (str(s), str(p), o.n3())


def _statement_iri(source_id: str, s: URIRef, p: URIRef, o: URIRef | Literal) -> URIRef:
    digest = hashlib.sha1(f"{s} {p} {o.n3()}".encode()).hexdigest()[:16]
    return entity_iri("fact", source_id, digest)


def _no_blank_nodes(g: Graph) -> None:
    # Deterministic dumps need stable names for everything.
    for triple in g:
        if any(isinstance(term, BNode) for term in triple):
            raise AssertionError(f"blank node in a source graph: {triple}")
