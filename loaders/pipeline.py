"""From a folder of sources to a build: read, extract, write; one bad source stops only itself."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cakg.errors import BuildError, CakgError, SourceError
from cakg.graph.build import Build, GraphPart, write_build
from cakg.graph.model import ontology_graph
from cakg.graph.namespaces import ONTOLOGY_IRI, SHAPES_IRI
from cakg.loaders.extract import extract
from cakg.loaders.facts import EXTRACTOR_VERSION, FactSink
from cakg.loaders.gazetteer import GAZETTEER_GRAPH, Gazetteer, load_gazetteer
from cakg.loaders.sources import LOADERS, Document, Metadata, parse_metadata, read_sources
from rdflib import Graph, URIRef

__all__ = [
    "BuildReport",
    "build_from_sources",
    "extract_document",
    "extract_file",
    "metadata_from_options",
]


@dataclass
class BuildReport:
    """What a build did: the build, the sources it holds, and the problems it skipped."""

    build: Build
    sources: list[str] = field(default_factory=list)
    facts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def extract_document(document: Document, gazetteer: Gazetteer) -> tuple[Graph, FactSink]:
    """Return the named graph of one document and the facts it holds."""
    sink = extract(document, gazetteer)
    return sink.to_graph(), sink


def extract_file(
    path: str | os.PathLike[str],
    metadata: Metadata,
    *,
    gazetteer: Gazetteer | None = None,
) -> tuple[URIRef, Graph]:
    """Run the loaders on one file outside a build; return its graph's name and the graph.

    Raises:
        SourceError: the file cannot be read or has no loader.
    """
    p = Path(path)
    loader = LOADERS.get(p.suffix.lower())
    if loader is None:
        raise SourceError(
            str(p),
            f"no loader for {p.suffix or 'files without a suffix'!r}; known: {sorted(LOADERS)}",
        )
    document = loader.load(p, metadata)
    graph, sink = extract_document(document, gazetteer or load_gazetteer())
    return sink.graph_name, graph


def metadata_from_options(
    *,
    published: str | None,
    publisher: str | None,
    title: str | None,
    url: str | None,
    language: str,
    where: str,
) -> Metadata:
    """Return metadata given as command-line options, checked like a catalogue entry.

    Raises:
        SourceError: an option is missing or invalid.
    """
    raw = {
        "published": published,
        "publisher": publisher,
        "title": title,
        "url": url,
        "language": language,
    }
    return parse_metadata(raw, where=where)


def _shapes_graph() -> Graph | None:
    try:
        return ontology_graph("shapes.ttl")
    except FileNotFoundError:
        return None


def build_from_sources(
    sources_dir: str | os.PathLike[str],
    instance_dir: str | os.PathLike[str],
    *,
    gazetteer_path: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build the dataset from every source in ``sources_dir`` into ``instance_dir``.

    A source that cannot be read or extracted is reported and skipped; the others build.

    Raises:
        BuildError: the gazetteer or the sources folder is unusable, or writing failed;
            the last good build stays current.
    """
    say = progress or (lambda _m: None)

    try:
        gazetteer = load_gazetteer(gazetteer_path)
    except CakgError as exc:
        raise BuildError(f"cannot build without a valid gazetteer: {exc}") from exc
    parts = [
        GraphPart(ONTOLOGY_IRI, ontology_graph(), "ontology"),
        GraphPart(
            GAZETTEER_GRAPH,
            gazetteer.to_graph(),
            "reference",
            {"entities": len(gazetteer.entities)},
        ),
    ]
    shapes = _shapes_graph()
    if shapes is not None:
        parts.append(GraphPart(SHAPES_IRI, shapes, "shapes"))
    problems: list[str] = []
    sources: list[str] = []
    facts: dict[str, int] = {}
    try:
        items = list(read_sources(Path(sources_dir)))
    except SourceError as exc:
        raise BuildError(str(exc)) from exc
    documents = [i for i in items if isinstance(i, Document)]
    problems.extend(str(i) for i in items if isinstance(i, SourceError))
    for n, document in enumerate(documents, 1):
        say(f"[{n}/{len(documents)}] extracting {document.source_id}")
        try:
            graph, sink = extract_document(document, gazetteer)
        except CakgError as exc:
            problems.append(f"{document.path}: extraction failed: {exc}")
            continue
        sources.append(document.source_id)
        facts[document.source_id] = len(sink.facts)
        parts.append(
            GraphPart(
                sink.graph_name,
                graph,
                "source",
                {
                    "source_id": document.source_id,
                    "path": Path(document.path).name,
                    "published": document.metadata.published.isoformat(),
                    "facts": len(sink.facts),
                },
            )
        )
    build = write_build(
        parts,
        instance_dir,
        info={
            "extractor_version": EXTRACTOR_VERSION,
            "sources": sources,
            "problems": problems,
            "built_from": str(Path(sources_dir).name),
        },
        progress=say,
    )
    return BuildReport(build, sources, facts, problems)
