"""The VoID / DCAT description of the dataset, and the names of its dumps.

The description (https://www.w3.org/TR/void/, https://www.w3.org/TR/vocab-dcat-3/) says how
big the dataset is (triples, entities, distinct subjects and objects), which classes and
properties it uses (partitions), which vocabularies, one subset per named graph (each
source's graph, the gazetteer, the ontology), where the dumps are and where the SPARQL
endpoint is. Counts are over the union of the named graphs, without duplicates.

>>> graph_slug("https://w3id.org/cakg/id/graph/003_d1853fc3ef21e3a4")
'003_d1853fc3ef21e3a4'
>>> graph_slug("https://w3id.org/cakg/ontology")
'ontology'
>>> dump_path("dataset", "nq", gzip=True)
'dumps/dataset.nq.gz'
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from cakg.graph.build import Build
from cakg.graph.namespaces import (
    BASE,
    DATA_BASE,
    ONTOLOGY_IRI,
    PREFIXES,
    bind_prefixes,
    slugify,
)
from cakg.graph.store import LocalStore
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

__all__ = [
    "DATASET_IRI",
    "DUMP_FORMATS",
    "DumpFormat",
    "Statistics",
    "dataset_description",
    "dataset_statistics",
    "dump_bytes",
    "dump_file",
    "dump_path",
    "graph_names",
    "graph_slug",
    "graph_slugs",
]

#: The dataset itself, described by the document at ``/.well-known/void``.
DATASET_IRI = URIRef(BASE + ".well-known/void#dataset")
#: The service and the partitions get IRIs in the same document, stable across requests.
SERVICE_IRI = URIRef(BASE + ".well-known/void#sparql-service")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IANA = "https://www.iana.org/assignments/media-types/"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
WIKIDATA = "http://www.wikidata.org/entity/"


@dataclass(frozen=True)
class DumpFormat:
    """A dump serialization: file extension, media type and name."""

    extension: str
    media_type: str
    name: str


DUMP_FORMATS: dict[str, DumpFormat] = {
    "trig": DumpFormat("trig", "application/trig", "TriG"),
    "nq": DumpFormat("nq", "application/n-quads", "N-Quads"),
}


def graph_slug(name: str) -> str:
    """Return the short name of named graph ``name`` used in its dump's file name."""
    if name == str(ONTOLOGY_IRI):
        return "ontology"
    prefix = DATA_BASE + "graph/"
    if name.startswith(prefix) and name[len(prefix) :].replace("_", "-").replace("-", "").isalnum():
        return name[len(prefix) :]
    return slugify(name.rstrip("/#").rsplit("/", 1)[-1])


def graph_slugs(names: Sequence[str]) -> dict[str, str]:
    """Return ``{slug: graph name}`` for ``names``; clashing slugs get a numeric suffix."""
    slugs: dict[str, str] = {}
    for name in sorted(names):
        slug = base = graph_slug(name)
        n = 2
        while slug in slugs:
            slug = f"{base}-{n}"
            n += 1
        slugs[slug] = name
    return slugs


def dump_path(stem: str, extension: str, *, gzip: bool = False) -> str:
    """Return the server path (no leading slash) of a dump: the dataset or ``graphs/<slug>``."""
    return f"dumps/{stem}.{extension}" + (".gz" if gzip else "")


def graph_names(build: Build) -> list[str]:
    """Return the names of the named graphs of ``build``, as its manifest lists them."""
    return [str(row["name"]) for row in build.manifest.get("graphs", [])]


def dump_file(build: Build, stem: str, extension: str, *, compressed: bool = False) -> Path | None:
    """Return the file of a dump of ``build``: ``stem`` is ``dataset`` or a graph's dump name.

    The dataset's dumps and each graph's N-Quads are the build's own files (the dataset's
    written on first use, see ``Build.dataset_dump``); a graph's TriG is converted from its
    N-Quads, and a gzipped dump compressed from the plain one, each once, next to it in the
    build (``Build.derived``). ``None`` when there is no such graph or file.

    Raises:
        BuildError: the dataset's dump cannot be written (a graph's dump is missing).
    """
    if stem == "dataset":
        path = build.dataset_dump(extension)
    else:
        name = graph_slugs(graph_names(build)).get(stem)
        if name is None:
            return None
        nquads = build.graph_dump(name)
        if not nquads.is_file():
            return None
        path = nquads
        if extension == "trig":
            trig = str(nquads.relative_to(build.path).with_suffix(".trig"))
            path = build.derived(trig, lambda target: _write_graph_trig(nquads, target))
    if compressed:
        plain = path
        gz = f"{plain.relative_to(build.path)}.gz"
        path = build.derived(gz, lambda target: _write_gzip(plain, target))
    return path


def dump_bytes(build: Build, stem: str, extension: str) -> bytes | None:
    """Return the bytes of a dump of ``build`` (see :func:`dump_file`), or ``None``."""
    path = dump_file(build, stem, extension)
    return None if path is None else path.read_bytes()


def _write_graph_trig(nquads: Path, target: Path) -> None:
    quads = ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    # ``id:`` would make escaped local names of the data's IRIs; spell them out instead
    prefixes = {p: ns for p, ns in PREFIXES.items() if p != "id"}
    ox.serialize(quads, str(target), format=ox.RdfFormat.TRIG, prefixes=prefixes)


def _write_gzip(plain: Path, target: Path) -> None:
    # mtime=0 and no file name: the same bytes (and so the same ETag) in every process
    with (
        plain.open("rb") as source,
        target.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out,
    ):
        shutil.copyfileobj(source, out, 1 << 20)


@dataclass(frozen=True)
class Statistics:
    """Counts over the dataset (the union of its named graphs, without duplicates)."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]  # class IRI -> number of distinct instances
    properties: dict[str, int]  # property IRI -> number of triples
    graphs: dict[str, dict[str, int]]  # graph name -> {"triples": n, "entities": n}
    sources: dict[str, str]  # graph name -> IRI of the source document
    source_labels: dict[str, str]  # graph name -> label or title of the source document
    wikidata_links: dict[str, int]  # link property IRI -> number of links to Wikidata items
    examples: list[str]  # a few entities worth looking at first


def _count(store: LocalStore, query: str) -> int:
    rows = store.select(query)
    value = rows[0].get("n") if rows else None
    return int(value.value) if isinstance(value, ox.Literal) else 0


def dataset_statistics(store: LocalStore) -> Statistics:
    """Count what the VoID description reports."""
    distinct = "{ SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    in_data = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{DATA_BASE}"))'
    classes = {
        row["c"].value: int(row["n"].value)
        for row in store.select(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?c)) }"
            " GROUP BY ?c"
        )
    }
    properties = {
        row["p"].value: int(row["n"].value)
        for row in store.select(f"SELECT ?p (COUNT(*) AS ?n) WHERE {distinct} GROUP BY ?p")
    }
    graphs: dict[str, dict[str, int]] = {}
    for row in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    ):
        graphs[row["g"].value] = {"triples": int(row["n"].value), "entities": 0}
    for row in store.select(
        f"SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {in_data} }}"
        " GROUP BY ?g"
    ):
        graphs.setdefault(row["g"].value, {"triples": 0})["entities"] = int(row["n"].value)
    sources: dict[str, str] = {}
    source_labels: dict[str, str] = {}
    for row in store.select(
        "SELECT ?g (MIN(?doc) AS ?d) (MIN(?label) AS ?l) WHERE { GRAPH ?g { "
        "?g cakg:sourceDocument ?doc OPTIONAL { ?doc rdfs:label|dcterms:title ?label } } }"
        " GROUP BY ?g"
    ):
        graph, doc, label = row.get("g"), row.get("d"), row.get("l")
        if isinstance(graph, ox.NamedNode) and isinstance(doc, ox.NamedNode):
            sources[graph.value] = doc.value
            if isinstance(label, ox.Literal):
                source_labels[graph.value] = label.value
    wikidata_links = {
        row["p"].value: int(row["n"].value)
        for row in store.select(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {distinct} "
            f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{WIKIDATA}")) }} GROUP BY ?p'
        )
    }
    examples = []
    for cls in ("Person", "Event", "TradeAgreement", "Statistic"):
        rows = store.select(
            f"SELECT ?s WHERE {{ ?s a cakg:{cls} "
            f'FILTER(STRSTARTS(STR(?s), "{DATA_BASE}")) }} ORDER BY ?s LIMIT 1'
        )
        examples += [row["s"].value for row in rows if isinstance(row.get("s"), ox.NamedNode)]
    return Statistics(
        triples=_count(store, f"SELECT (COUNT(*) AS ?n) WHERE {distinct}"),
        entities=_count(
            store,
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {in_data} }}",
        ),
        distinct_subjects=_count(
            store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        ),
        distinct_objects=_count(
            store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        ),
        classes=classes,
        properties=properties,
        graphs=graphs,
        sources=sources,
        source_labels=source_labels,
        wikidata_links=wikidata_links,
        examples=examples,
    )


def _vocabularies(stats: Statistics) -> list[str]:
    """Return the namespaces (among the project's prefixes) of the classes and properties."""
    terms = [*stats.classes, *stats.properties]
    found = set()
    for namespace in PREFIXES.values():
        if namespace == DATA_BASE:
            continue
        if any(term.startswith(namespace) for term in terms):
            found.add(namespace)
    return sorted(found)


def _part_iri(kind: str, iri: str) -> URIRef:
    digest = hashlib.sha1(iri.encode("utf-8")).hexdigest()[:12]
    return URIRef(f"{BASE}.well-known/void#{kind}-{digest}")


def _distribution(
    graph: Graph,
    dataset: URIRef,
    url: str,
    dump: DumpFormat,
    *,
    gzip: bool,
    byte_size: int | None,
) -> None:
    node = URIRef(url)
    graph.add((dataset, VOID.dataDump, node))
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.downloadURL, node))
    graph.add((node, DCAT.mediaType, URIRef(IANA + dump.media_type)))
    graph.add((node, DCTERMS.format, Literal(dump.media_type)))
    graph.add((node, DCTERMS.title, Literal(f"{dump.name} dump" + (", gzip" if gzip else ""))))
    if gzip:
        graph.add((node, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    if byte_size is not None:
        graph.add((node, DCAT.byteSize, Literal(byte_size, datatype=XSD.nonNegativeInteger)))


def dataset_description(
    store: LocalStore,
    *,
    service_root: str,
    build: Build | None = None,
    stats: Statistics | None = None,
) -> Graph:
    """Return the VoID / DCAT description of the dataset served at ``service_root``.

    ``service_root`` is the URL the server answers on (``http://localhost:5000/``): the
    endpoint and the dumps are described there, while the dataset's own IRIs keep the
    configured base.
    """
    stats = stats or dataset_statistics(store)
    root = service_root if service_root.endswith("/") else service_root + "/"
    manifest: Mapping[str, Any] = build.manifest if build is not None else {}
    rows = {str(row["name"]): row for row in manifest.get("graphs", [])}
    g = Graph()
    bind_prefixes(g)
    g.bind("sd", SD)
    ds = DATASET_IRI
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("China–ASEAN Knowledge Graph", lang="en")))
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Agreements, people, organisations, events, quotations and trade statistics of "
                "China–ASEAN relations, extracted from news sources with sentence-level "
                "provenance.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.conformsTo, ONTOLOGY_IRI))
    g.add((ds, FOAF.homepage, URIRef(root)))
    g.add((ds, VOID.uriSpace, Literal(DATA_BASE)))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/RDF_XML")))
    if manifest.get("built_at"):
        g.add((ds, DCTERMS.modified, Literal(str(manifest["built_at"]))))
    for count_property, value in (
        (VOID.triples, stats.triples),
        (VOID.entities, stats.entities),
        (VOID.distinctSubjects, stats.distinct_subjects),
        (VOID.distinctObjects, stats.distinct_objects),
        (VOID.classes, len(stats.classes)),
        (VOID.properties, len(stats.properties)),
    ):
        g.add((ds, count_property, Literal(value, datatype=XSD.integer)))
    g.add((ds, DCTERMS.creator, Literal("China–ASEAN KG contributors")))
    for example in stats.examples:
        g.add((ds, VOID.exampleResource, URIRef(example)))
    for prop, count in sorted(stats.wikidata_links.items()):
        linkset = _part_iri("wikidata-links", prop)
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, URIRef("https://www.wikidata.org/")))
        g.add((linkset, VOID.linkPredicate, URIRef(prop)))
        g.add((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))
    for namespace in _vocabularies(stats):
        g.add((ds, VOID.vocabulary, URIRef(namespace)))
    for iri, count in sorted(stats.classes.items()):
        part = _part_iri("class", iri)
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(iri)))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    for iri, count in sorted(stats.properties.items()):
        part = _part_iri("property", iri)
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(iri)))
        g.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))
    # the dumps of the whole dataset
    for dump in DUMP_FORMATS.values():
        for gz in (False, True):
            size = None
            if build is not None and dump.extension == "nq" and not gz:
                # Known without writing the dump; the TriG's is not (as for each graph's), so
                # the description does not change when a dump is first downloaded.
                size = build.dataset_dump_size("nq")
            url = root + dump_path("dataset", dump.extension, gzip=gz)
            _distribution(g, ds, url, dump, gzip=gz, byte_size=size)
    # the SPARQL endpoint
    endpoint = URIRef(root + "sparql")
    service = SERVICE_IRI
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((ds, DCAT.accessService, service))
    # one subset per named graph
    names = sorted(set(stats.graphs) | set(rows))
    for slug, name in sorted(graph_slugs(names).items(), key=lambda item: item[1]):
        subset = URIRef(name)
        counts = stats.graphs.get(name, {})
        row = rows.get(name, {})
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, RDF.type, DCAT.Dataset))
        g.add((subset, SD.name, subset))
        label = stats.source_labels.get(name) or _subset_label(name, row)
        g.add((subset, RDFS.label, Literal(label)))
        g.add((subset, VOID.triples, Literal(counts.get("triples", 0), datatype=XSD.integer)))
        g.add((subset, VOID.entities, Literal(counts.get("entities", 0), datatype=XSD.integer)))
        if name in stats.sources:
            g.add((subset, DCTERMS.source, URIRef(stats.sources[name])))
        if row.get("kind"):
            g.add((subset, DCTERMS.type, Literal(str(row["kind"]))))
        g.add((subset, DCTERMS.isPartOf, ds))
        for dump in DUMP_FORMATS.values():
            size = None
            if build is not None and dump.extension == "nq":
                path = build.graph_dump(name)
                size = path.stat().st_size if path.is_file() else None
            for gz in (False, True):
                url = root + dump_path(f"graphs/{slug}", dump.extension, gzip=gz)
                _distribution(g, subset, url, dump, gzip=gz, byte_size=None if gz else size)
    return g


def _subset_label(name: str, row: Mapping[str, Any]) -> str:
    for key in ("title", "label", "source_id", "source"):
        if row.get(key):
            return str(row[key])
    if name == str(ONTOLOGY_IRI):
        return "The ontology"
    return f"Named graph {graph_slug(name)}"
